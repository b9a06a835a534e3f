#!/bin/sh
# Every public corpus document must load: `apimlite check FILE` exits 0 (warnings allowed).
# Usage: corpus.sh APIMLITE REPO_ROOT. The corpus lives next to the repository
# (../shared/corpus/public); without it the test is skipped (exit 77).
bin=$1
root=$2
corpus=$root/../shared/corpus/public
[ -d "$corpus" ] || { echo "no corpus at $corpus: skipped"; exit 77; }
total=0
loaded=0
for f in "$corpus"/*.xml; do
    total=$((total + 1))
    if "$bin" check "$f" 2>/dev/null; then
        loaded=$((loaded + 1))
    else
        echo "FAILED: $f"
        "$bin" check --quiet "$f" 2>&1 | sed 's/^/    /'
    fi
done
echo "corpus: $loaded/$total documents loaded"
[ "$loaded" -eq "$total" ]
