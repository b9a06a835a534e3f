// Drives `apimlite serve` (tests/serve/openai/gateway.yaml.in) with the official openai npm
// client: AzureOpenAI and OpenAI, buffered and streamed completions, failover across a pool
// whose first member's breaker trips, APIM's 401 and 429, and /metrics (format, breaker state,
// token counters, requests of both workers). Run by openai_test.sh with, in the environment:
//   OPENAI_MODULE  path of the openai package's index.mjs
//   GW             the gateway's base URL (http://127.0.0.1:PORT)
//   MET            the metrics address (127.0.0.1:PORT)
//   MAIN           the main mock backend's HOST:PORT (asked directly for reference answers)
//   OUT            where to write what the clients received (JSON), for the shell's checks
// Prints "ok DESCRIPTION" / "not ok DESCRIPTION" lines (plus "# " diagnostics); the shell
// numbers them into its TAP stream.
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { pathToFileURL } from 'node:url';

const { OpenAI, AzureOpenAI, AuthenticationError, RateLimitError } = await import(
    pathToFileURL(process.env.OPENAI_MODULE).href
);
const GW = process.env.GW;
const MET = process.env.MET;
const MAIN = process.env.MAIN;
const API_VERSION = '2024-10-21';

let failures = 0;
function report(name, fn) {
    return Promise.resolve()
        .then(fn)
        .then(
            () => console.log(`ok ${name}`),
            (e) => {
                failures++;
                console.log(`not ok ${name}`);
                for (const l of String(e && e.stack ? e.stack : e).split('\n').slice(0, 8))
                    console.log(`# ${l}`);
            }
        );
}
function assert(cond, what) {
    if (!cond) throw new Error(`assertion failed: ${what}`);
}
function eq(a, b, what) {
    const x = JSON.stringify(a), y = JSON.stringify(b);
    if (x !== y) throw new Error(`${what}: got ${x}, want ${y}`);
}

// every successful completion a client received: the shell compares them with the request log
// and `apimlite usage`; the metric checks below with the token counters
const received = [];
function record(sub, api, model, usage, tag = 'none') {
    received.push({
        subscription: sub,
        api,
        model,
        tag,
        prompt: usage.prompt_tokens,
        completion: usage.completion_tokens,
        total: usage.total_tokens,
    });
}

// A fetch that keeps the last response's status, headers and body (error bodies only: the
// openai client does not surface APIM's {statusCode, message} envelope in its errors).
function recordingFetch() {
    const f = async (url, init) => {
        const r = await fetch(url, init);
        f.last = { status: r.status, headers: r.headers, body: await r.clone().text() };
        return r;
    };
    return f;
}

const messages = [{ role: 'user', content: 'Hello from the openai client test' }];
const azure = (endpoint, apiKey, extra = {}) =>
    new AzureOpenAI({ endpoint, apiKey, apiVersion: API_VERSION, deployment: 'gpt-4o', maxRetries: 0, ...extra });
const direct = azure(`http://${MAIN}`, 'unused');
const directV1 = new OpenAI({ baseURL: `http://${MAIN}/openai/v1`, apiKey: 'unused', maxRetries: 0 });

async function collect(stream) {
    let content = '', usage = null, chunks = 0, afterUsage = 0;
    for await (const c of stream) {
        chunks++;
        if (usage) afterUsage++;
        for (const ch of c.choices || []) content += ch.delta?.content || '';
        if (c.usage) usage = c.usage;
    }
    return { content, usage, chunks, afterUsage };
}

const ref = {};
await report('reference answers straight from the mock', async () => {
    const a = await direct.chat.completions.create({ model: 'gpt-4o', messages, max_tokens: 50 });
    const s = await collect(await direct.chat.completions.create({
        model: 'gpt-4o', messages, max_tokens: 50, stream: true, stream_options: { include_usage: true },
    }));
    const v = await directV1.chat.completions.create({ model: 'gpt-4o-mini', messages, max_tokens: 50 });
    ref.azure = { content: a.choices[0].message.content, usage: a.usage };
    ref.stream = s;
    ref.v1 = { content: v.choices[0].message.content, usage: v.usage, model: v.model };
    assert(ref.azure.content.length > 0 && ref.azure.usage.total_tokens > 0, 'mock answered');
});

const teamA = azure(GW, 'team-a-key');
await report('AzureOpenAI, not streamed: the mock\'s content and usage', async () => {
    const r = await teamA.chat.completions.create({ model: 'gpt-4o', messages, max_tokens: 50 });
    eq(r.object, 'chat.completion', 'object');
    eq(r.choices[0].message.content, ref.azure.content, 'content');
    eq(r.usage, ref.azure.usage, 'usage');
    record('team-a-dev', 'azure-openai', 'gpt-4o', r.usage);
});

await report('AzureOpenAI, streamed with include_usage: chunks, content and final usage', async () => {
    const t0 = Date.now();
    const s = await collect(await teamA.chat.completions.create({
        model: 'gpt-4o', messages, max_tokens: 50, stream: true, stream_options: { include_usage: true },
    }));
    assert(s.chunks >= 3, `several chunks (${s.chunks})`);
    eq(s.content, ref.stream.content, 'streamed content');
    eq(s.usage, ref.stream.usage, 'usage chunk');
    eq(s.afterUsage, 0, 'chunks after the usage chunk');
    assert(Date.now() - t0 < 10000, 'in time');
    record('team-a-dev', 'azure-openai', 'gpt-4o', s.usage);
});

const v1 = new OpenAI({
    baseURL: `${GW}/openai/v1`, apiKey: 'team-a-key', defaultHeaders: { 'api-key': 'team-a-key' }, maxRetries: 0,
});
const TAG = 'a "quoted" \\ tag';
await report('OpenAI (baseURL .../openai/v1), not streamed', async () => {
    const r = await v1.chat.completions.create(
        { model: 'gpt-4o-mini', messages, max_tokens: 50 }, { headers: { 'x-caller-tag': TAG } });
    eq(r.model, 'gpt-4o-mini', 'model');
    eq(r.choices[0].message.content, ref.v1.content, 'content');
    eq(r.usage, ref.v1.usage, 'usage');
    record('team-a-dev', 'azure-openai', 'gpt-4o-mini', r.usage, TAG);
});

await report('OpenAI (baseURL .../openai/v1), streamed with include_usage', async () => {
    const s = await collect(await v1.chat.completions.create({
        model: 'gpt-4o-mini', messages, max_tokens: 50, stream: true, stream_options: { include_usage: true },
    }));
    assert(s.chunks >= 3, `several chunks (${s.chunks})`);
    eq(s.content, ref.v1.content, 'streamed content');
    assert(s.usage && s.usage.prompt_tokens === ref.v1.usage.prompt_tokens, 'prompt tokens');
    eq(s.usage.total_tokens, s.usage.prompt_tokens + s.usage.completion_tokens, 'total');
    record('team-a-dev', 'azure-openai', 'gpt-4o-mini', s.usage);
});

await report('wrong key: AuthenticationError 401 with APIM\'s body', async () => {
    const f = recordingFetch();
    try {
        await azure(GW, 'not-a-key', { fetch: f }).chat.completions.create({ model: 'gpt-4o', messages });
        throw new Error('no error');
    } catch (e) {
        assert(e instanceof AuthenticationError, `AuthenticationError (${e})`);
        eq(e.status, 401, 'status');
        eq(e.message, '401 status code (no body)', 'message (APIM\'s envelope has no "error" member)');
        const b = JSON.parse(f.last.body);
        eq(b, {
            statusCode: 401,
            message: 'Access denied due to invalid subscription key. Make sure to provide a valid key for an active subscription.',
        }, 'body');
    }
});

await report('missing key (OpenAI client, Bearer only): AuthenticationError 401', async () => {
    const f = recordingFetch();
    const c = new OpenAI({ baseURL: `${GW}/openai/v1`, apiKey: 'team-a-key', maxRetries: 0, fetch: f });
    try {
        await c.chat.completions.create({ model: 'gpt-4o-mini', messages });
        throw new Error('no error');
    } catch (e) {
        assert(e instanceof AuthenticationError, `AuthenticationError (${e})`);
        eq(e.status, 401, 'status');
        const b = JSON.parse(f.last.body);
        eq(b.statusCode, 401, 'body statusCode');
        assert(/missing subscription key/.test(b.message), `message: ${b.message}`);
    }
});

await report('rate-limit-by-key: RateLimitError 429 with Retry-After and APIM\'s body', async () => {
    const f = recordingFetch();
    const tight = azure(GW, 'tight-key', { fetch: f });
    for (let i = 0; i < 2; i++) {
        const r = await tight.chat.completions.create({ model: 'gpt-4o', messages, max_tokens: 50 });
        record('tight-app', 'azure-openai', 'gpt-4o', r.usage);
    }
    try {
        await tight.chat.completions.create({ model: 'gpt-4o', messages, max_tokens: 50 });
        throw new Error('no error');
    } catch (e) {
        assert(e instanceof RateLimitError, `RateLimitError (${e})`);
        eq(e.status, 429, 'status');
        const ra = Number(e.headers.get('retry-after'));
        assert(Number.isInteger(ra) && ra > 0 && ra <= 60, `Retry-After ${e.headers.get('retry-after')}`);
        const b = JSON.parse(f.last.body);
        eq(b.statusCode, 429, 'body statusCode');
        eq(b.message, `Rate limit is exceeded. Try again in ${ra} seconds.`, 'body message');
    }
});

await report('failover: the throttled member trips, every request is served by the healthy one', async () => {
    const fo = azure(`${GW}/failover`, 'team-a-key');
    for (let i = 0; i < 4; i++) {
        const r = await fo.chat.completions.create({ model: 'gpt-4o', messages, max_tokens: 50 });
        eq(r.choices[0].message.content, ref.azure.content, 'content');
        record('team-a-dev', 'failover', 'gpt-4o', r.usage);
    }
    const s = await collect(await fo.chat.completions.create({
        model: 'gpt-4o', messages, max_tokens: 50, stream: true, stream_options: { include_usage: true },
    }));
    eq(s.content, ref.stream.content, 'streamed content');
    record('team-a-dev', 'failover', 'gpt-4o', s.usage);
});

// new connections (no keep-alive agent), so SO_REUSEPORT spreads them over both workers
function rawGet(path) {
    return new Promise((resolve, reject) => {
        const u = new URL(path, GW);
        const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, agent: false }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode));
        });
        req.on('error', reject);
        req.end();
    });
}
const BURST = 24;
await report(`${BURST} requests on new connections (both workers): 404s`, async () => {
    const codes = await Promise.all(Array.from({ length: BURST }, (_, i) => rawGet(`/nowhere/${i}`)));
    eq(codes, Array(BURST).fill(404), 'statuses');
});

// ---- /metrics ----

// Parses the Prometheus text format (0.0.4) strictly enough to catch what a scraper refuses:
// HELP/TYPE at most once per family and before its samples, a family's samples together,
// valid names, label syntax and escapes, numbers, no duplicate series, histogram buckets.
function parseProm(text) {
    const fams = new Map(), series = new Map();
    let cur = null;
    const closed = new Set();
    const nameRe = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
    const family = (name) => {
        const f = fams.get(name) || { name, type: 'untyped', help: null, samples: [] };
        fams.set(name, f);
        return f;
    };
    const lines = text.split('\n');
    assert(lines.pop() === '', 'ends with a newline');
    for (const line of lines) {
        if (line.startsWith('#')) {
            const m = /^# (HELP|TYPE) ([^ ]+) (.*)$/.exec(line);
            if (!m) continue; // a comment
            const [, what, name, rest] = m;
            assert(nameRe.test(name), `family name ${name}`);
            const f = family(name);
            assert(!closed.has(name), `${what} of ${name} after its samples ended`);
            if (what === 'HELP') {
                assert(f.help === null, `HELP ${name} twice`);
                assert(!/\\[^\\n]/.test(rest.replace(/\\\\/g, '')), `HELP escapes: ${rest}`);
                f.help = rest;
            } else {
                assert(!f.typed, `TYPE ${name} twice`);
                assert(f.samples.length === 0, `TYPE ${name} after samples`);
                assert(['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest), `type ${rest}`);
                f.type = rest;
                f.typed = true;
            }
            if (cur && cur !== name) closed.add(cur);
            cur = name;
            continue;
        }
        assert(line.length > 0, 'no blank lines');
        const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?\d+)?$/.exec(line);
        assert(m, `sample line: ${line}`);
        const [, name, , lbl, val] = m;
        const labels = {};
        if (lbl !== undefined && lbl !== '') {
            const lre = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\\\|\\"|\\n)*)"(,|$)/y;
            let pos = 0;
            while (pos < lbl.length) {
                lre.lastIndex = pos;
                const lm = lre.exec(lbl);
                assert(lm, `labels of: ${line}`);
                assert(!(lm[1] in labels), `label ${lm[1]} twice: ${line}`);
                labels[lm[1]] = lm[2].replace(/\\(["\\n])/g, (_, c) => (c === 'n' ? '\n' : c));
                pos = lre.lastIndex;
                if (lm[3] === '' ) assert(pos === lbl.length, `labels end: ${line}`);
            }
        }
        const v = val === '+Inf' ? Infinity : val === '-Inf' ? -Infinity : val === 'NaN' ? NaN : Number(val);
        assert(val === 'NaN' || !Number.isNaN(v), `value: ${line}`);
        let fname = name;
        const base = name.replace(/_(bucket|sum|count)$/, '');
        if (base !== name && fams.has(base) && ['histogram', 'summary'].includes(fams.get(base).type)) fname = base;
        if (fname !== cur) {
            assert(!closed.has(fname), `samples of ${fname} are not together`);
            if (cur) closed.add(cur);
            cur = fname;
        }
        const key = name + JSON.stringify(Object.entries(labels).sort());
        assert(!series.has(key), `series twice: ${line}`);
        series.set(key, v);
        family(fname).samples.push({ name, labels, value: v });
    }
    for (const f of fams.values()) {
        if (f.type !== 'histogram') continue;
        const groups = new Map();
        for (const s of f.samples) {
            const { le, ...rest } = s.labels;
            const k = JSON.stringify(Object.entries(rest).sort());
            const g = groups.get(k) || { buckets: [], count: null };
            groups.set(k, g);
            if (s.name.endsWith('_bucket')) g.buckets.push([le === '+Inf' ? Infinity : Number(le), s.value]);
            if (s.name.endsWith('_count')) g.count = s.value;
        }
        for (const [k, g] of groups) {
            for (let i = 1; i < g.buckets.length; i++) {
                assert(g.buckets[i][0] > g.buckets[i - 1][0], `${f.name}${k} bucket order`);
                assert(g.buckets[i][1] >= g.buckets[i - 1][1], `${f.name}${k} cumulative`);
            }
            const last = g.buckets[g.buckets.length - 1];
            assert(last && last[0] === Infinity && last[1] === g.count, `${f.name}${k} +Inf == _count`);
        }
    }
    return fams;
}
function samples(fams, name) {
    const f = fams.get(name) || fams.get(name.replace(/_(bucket|sum|count)$/, ''));
    return f ? f.samples.filter((s) => s.name === name) : [];
}
function value(fams, name, want) {
    const hit = samples(fams, name).filter((s) =>
        Object.entries(want).every(([k, v]) => s.labels[k] === v) &&
        Object.keys(s.labels).length === Object.keys(want).length);
    return hit.length === 1 ? hit[0].value : undefined;
}
function sum(fams, name, pred) {
    return samples(fams, name).filter((s) => pred(s.labels)).reduce((a, s) => a + s.value, 0);
}

let fams;
await report('/metrics: valid Prometheus text format', async () => {
    const r = await fetch(`http://${MET}/metrics`);
    eq(r.status, 200, 'status');
    assert(/^text\/plain; version=0\.0\.4/.test(r.headers.get('content-type')), 'content type');
    const text = await r.text();
    writeFileSync(`${process.env.OUT}.metrics`, text);
    fams = parseProm(text);
});

await report('/metrics: breaker state per backend (throttled open, healthy closed)', async () => {
    eq(fams.get('apimlite_backend_circuit_open')?.type, 'gauge', 'type');
    eq(value(fams, 'apimlite_backend_circuit_open', { backend: 'throttled' }), 1, 'throttled open');
    eq(value(fams, 'apimlite_backend_circuit_open', { backend: 'healthy' }), 0, 'healthy closed');
    eq(value(fams, 'apimlite_backend_circuit_trips_total', { backend: 'throttled' }), 1, 'one trip');
    const left = value(fams, 'apimlite_backend_circuit_open_seconds', { backend: 'throttled' });
    assert(left > 30 && left <= 60, `seconds until it closes: ${left}`);
    eq(value(fams, 'apimlite_backend_attempts_total', { backend: 'throttled', result: '429' }), 1, 'one 429 attempt');
    eq(value(fams, 'apimlite_backend_attempts_total', { backend: 'healthy', result: '200' }), 5, 'healthy attempts');
});

await report('/metrics: token counters by subscription, API and model equal what the clients got', async () => {
    const want = new Map();
    for (const r of received) {
        const k = JSON.stringify([r.subscription, r.api, r.model, r.tag]);
        const w = want.get(k) || { prompt: 0, completion: 0, total: 0 };
        w.prompt += r.prompt; w.completion += r.completion; w.total += r.total;
        want.set(k, w);
    }
    assert(want.size === 5, `five groups (${[...want.keys()]})`);
    const fam = { prompt: 'apim_openai_prompt_tokens', completion: 'apim_openai_completion_tokens', total: 'apim_openai_total_tokens' };
    for (const [k, w] of want) {
        const [subscription_id, api_id, model, tag] = JSON.parse(k);
        const labels = { namespace: 'apimlite-test', subscription_id, api_id, model };
        if (api_id === 'azure-openai') labels.caller_tag = tag; // only that API's policy has it
        for (const what of ['prompt', 'completion', 'total']) {
            eq(fams.get(fam[what])?.type, 'counter', `${fam[what]} type`);
            eq(value(fams, fam[what], labels), w[what], `${fam[what]} ${k}`);
        }
    }
});

await report('/metrics: requests by api/operation/status from both workers, latency histograms', async () => {
    const n200 = received.length; // every completion received was one 200
    eq(sum(fams, 'apimlite_requests_total', (l) => l.status === '200'), n200, '200s');
    eq(value(fams, 'apimlite_requests_total', { api: 'failover', operation: '', status: '200' }), 5, 'failover 200s');
    eq(sum(fams, 'apimlite_requests_total', (l) => l.status === '401'), 2, '401s');
    eq(value(fams, 'apimlite_requests_total', { api: 'azure-openai', operation: '', status: '429' }), 1, '429');
    eq(sum(fams, 'apimlite_requests_total', (l) => l.status === '404'), BURST, '404s (spread over both workers)');
    eq(fams.get('apimlite_request_duration_seconds')?.type, 'histogram', 'total latency histogram');
    eq(fams.get('apimlite_backend_duration_seconds')?.type, 'histogram', 'backend latency histogram');
    eq(value(fams, 'apimlite_request_duration_seconds_count', { api: 'failover' }), 5, 'failover latency count');
});

writeFileSync(process.env.OUT, JSON.stringify({ received }, null, 1));
process.exit(failures ? 1 : 0);
