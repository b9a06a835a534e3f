#!/usr/bin/env node
// Regenerates tests/tokens/data/expected.json: token ids and counts computed by an independent
// implementation, the gpt-tokenizer@4.0.0 npm package (pure JS), for the C tokenizer's tests.
//
//   node tests/tokens/gen_expected.js <gpt-tokenizer package dir> [<tiktoken module dir>] \
//       > tests/tokens/data/expected.json
//
// The package dir is the unpacked `npm pack gpt-tokenizer@4.0.0` (…/package), as .ci/deps
// leaves it in $HOME/.cache/apimlite/gpt-tokenizer-4.0.0/package. The random mixed-script
// section is computed with tiktoken@1.0.22 (OpenAI's Rust core compiled to WASM; `npm install
// tiktoken@1.0.22`, pass …/node_modules/tiktoken) when given: gpt-tokenizer uses JavaScript's
// \s, which differs from tiktoken's on U+0085 and U+FEFF, so without tiktoken those two code
// points are left out of the pools. Deterministic (seeded PRNG).
'use strict';
const path = require('path');
const pkg = process.argv[2];
const tiktokenDir = process.argv[3];
if (!pkg) {
  console.error('usage: gen_expected.js <gpt-tokenizer package dir>');
  process.exit(2);
}
const enc = {
  o200k_base: require(path.join(pkg, 'cjs/encoding/o200k_base.js')),
  cl100k_base: require(path.join(pkg, 'cjs/encoding/cl100k_base.js')),
};
const ordinary = { disallowedSpecial: new Set() }; // special-token text is ordinary text
const ids = (e, s) => enc[e].encode(s, ordinary);
const count = (e, s) => ids(e, s).length;

// ---- strings built from repeated parts: long single pieces exercise the heap merge ----------
const recipes = [
  [['a', 5000]], [[' ', 5000]], [['\n', 3000]], [['ab', 3000]], [['日本', 2000]],
  [['😀', 1000]], [['1', 5000]], [['A', 5000]], [["'s", 3000]], [[' \n', 3000]],
  [['\t ', 3000]], [['x ', 3000]], [['aB', 2000]], [['Ab', 150]], [[' ', 200], ['a', 1]],
  [['ab', 60]], [['abc', 40]], [['.', 4000]], [['=-', 2000]], [['\r\n', 2000]],
  [['ſ', 300]], [['é', 400]], [['Привет', 500]], [['안녕', 700]], [[' ', 99], ['x', 1]],
  [['z', 99]], [['z', 100]], [['z', 101]], [['0123456789', 300]], [['\u3000', 500]],
];
const strings = [];
for (const e of Object.keys(enc))
  for (const parts of recipes) {
    const s = parts.map(([p, n]) => p.repeat(n)).join('');
    strings.push({ enc: e, parts, count: count(e, s) });
  }

// ---- random mixed-script strings, compared id by id ------------------------------------------
let seed = 12345;
const rnd = (n) => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return (seed >>> 8) % n;
};
let refIds = ids;
if (tiktokenDir) {
  const tk = require(tiktokenDir);
  const cache = {};
  refIds = (e, s) => Array.from((cache[e] ||= tk.get_encoding(e)).encode_ordinary(s));
}
const pools = [
  'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ', '0123456789', ' ', '  \t',
  '\n\r', ".,;:!?'\"()[]{}<>/\\|-_=+*&^%$#@~`", "'s'S't'LL're've'm'd",
  'àéîõüçñßÀÉÎÕÜÇÑſK', 'абвгдежзийклмнопрстуфхцчшщыэюяАБВГД', '日本語中文字漢字東京大阪',
  'こんにちはカタカナひらがな', '한국어안녕하세요', 'مرحبا بالعالم', 'नमस्ते दुनिया',
  '😀😂🎉👍🏽🇫🇷🇯🇵❤️', '\u00a0\u1680\u180e\u200b\u2028\u202f\u3000\u2009\u000b\u000c', '<|endoftext|>',
  ...(tiktokenDir ? ['\u0085\ufeff\u0085'] : []),
];
const random = [];
for (const e of Object.keys(enc))
  for (let i = 0; i < 150; i++) {
    const len = 1 + rnd(80);
    let s = '';
    for (let k = 0; k < len; k++) {
      const pool = [...pools[rnd(pools.length)]];
      const run = 1 + rnd(6);
      for (let r = 0; r < run; r++) s += pool[rnd(pool.length)];
    }
    random.push({ enc: e, text: s, ids: refIds(e, s) });
  }

// ---- prompt estimates: the OpenAI cookbook formulas, with gpt-tokenizer counts ------------
// chat: 3 per message + tokens of every string field (+1 for "name") + 3 priming; content
// parts: text counted, images 1200; tool_calls: name + arguments; tools: cookbook constants.
const IMAGE = 1200;
function partsTokens(e, content) {
  let n = 0;
  for (const p of content) {
    if (typeof p === 'string') n += count(e, p);
    else if (p && ['image_url', 'input_image', 'image'].includes(p.type)) n += IMAGE;
    else if (p && typeof p.text === 'string') n += count(e, p.text);
  }
  return n;
}
function messageTokens(e, m) {
  let n = 3;
  for (const [k, v] of Object.entries(m)) {
    if (typeof v === 'string') {
      n += count(e, v);
      if (k === 'name') n += 1;
    } else if (k === 'content' && Array.isArray(v)) n += partsTokens(e, v);
    else if (k === 'tool_calls' && Array.isArray(v)) {
      for (const c of v) {
        const f = c.function || {};
        if (typeof f.name === 'string') n += count(e, f.name);
        if (typeof f.arguments === 'string') n += count(e, f.arguments);
      }
    } else if (k === 'function_call' && v && typeof v === 'object') {
      if (typeof v.name === 'string') n += count(e, v.name);
      if (typeof v.arguments === 'string') n += count(e, v.arguments);
    }
  }
  return n;
}
function toolsTokens(e, fns) {
  if (!fns.length) return 0;
  const funcInit = e === 'o200k_base' ? 7 : 10;
  const propInit = 3, propKey = 3, enumInit = -3, enumItem = 3, funcEnd = 12;
  const strip = (s) => (s.endsWith('.') ? s.slice(0, -1) : s);
  let n = 0;
  for (const f of fns) {
    n += funcInit;
    n += count(e, `${f.name || ''}:${strip(f.description || '')}`);
    const props = (f.parameters && f.parameters.properties) || {};
    const keys = Object.keys(props);
    if (keys.length) {
      n += propInit;
      for (const key of keys) {
        const p = props[key] || {};
        n += propKey;
        if (Array.isArray(p.enum)) {
          n += enumInit;
          for (const item of p.enum) n += enumItem + count(e, String(item));
        }
        const type = typeof p.type === 'string' ? p.type : '';
        n += count(e, `${key}:${type}:${strip(p.description || '')}`);
      }
    }
  }
  return n + funcEnd;
}
function chatTokens(e, body) {
  let n = 3;
  for (const m of body.messages) n += messageTokens(e, m);
  const fns = [];
  for (const t of body.tools || []) if (t.function) fns.push(t.function);
  for (const f of body.functions || []) fns.push(f);
  return n + toolsTokens(e, fns);
}
function inputTokens(e, input) {
  if (typeof input === 'string') return count(e, input);
  if (!Array.isArray(input)) return 0;
  let n = 0;
  for (const x of input) {
    if (typeof x === 'string') n += count(e, x);
    else if (typeof x === 'number') n += 1;
    else if (Array.isArray(x)) n += x.length;
  }
  return n;
}
function responsesTokens(e, body) {
  let n = 3;
  if (typeof body.instructions === 'string')
    n += messageTokens(e, { role: 'system', content: body.instructions });
  if (typeof body.input === 'string') n += messageTokens(e, { role: 'user', content: body.input });
  else
    for (const item of body.input || []) {
      if (item.role !== undefined) {
        const m = {};
        for (const k of ['role', 'content', 'name']) if (item[k] !== undefined) m[k] = item[k];
        n += messageTokens(e, m);
      } else {
        n += 3;
        for (const k of ['name', 'arguments', 'output', 'text'])
          if (typeof item[k] === 'string') n += count(e, item[k]);
      }
    }
  const fns = (body.tools || []).filter((t) => t.type === 'function');
  return n + toolsTokens(e, fns);
}

const weather = {
  type: 'function',
  function: {
    name: 'get_current_weather',
    description: 'Get the current weather in a given location.',
    parameters: {
      type: 'object',
      properties: {
        location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' },
        unit: { type: 'string', description: 'The unit of temperature.', enum: ['celsius', 'fahrenheit'] },
      },
      required: ['location'],
    },
  },
};
const cookbook = [
  { role: 'system', content: 'You are a helpful, pattern-following assistant that translates corporate jargon into plain English.' },
  { role: 'system', name: 'example_user', content: 'New synergies will help drive top-line growth.' },
  { role: 'system', name: 'example_assistant', content: 'Things working well together will increase revenue.' },
  { role: 'system', name: 'example_user', content: "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage." },
  { role: 'system', name: 'example_assistant', content: "Let's talk later when we're less busy about how to do better." },
  { role: 'user', content: "This late pivot means we don't have time to boil the ocean for the client deliverable." },
];
const prompts = [
  { api: 'chat', body: { model: 'gpt-4o', messages: cookbook } },
  { api: 'chat', body: { model: 'gpt-35-turbo', messages: cookbook } },
  { api: 'chat', body: { model: 'gpt-4', messages: [{ role: 'user', content: 'Hello!' }] } },
  { api: 'chat', body: { model: 'gpt-4o-mini', messages: [] } },
  { api: 'chat', body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'What is the weather like in Paris today?' }], tools: [weather] } },
  { api: 'chat', body: { model: 'gpt-4', messages: [{ role: 'user', content: 'What is the weather like in Paris today?' }], tools: [weather] } },
  { api: 'chat', body: { model: 'gpt-4.1', messages: [{ role: 'user', content: [{ type: 'text', text: 'What is in this image?' }, { type: 'image_url', image_url: { url: 'https://example.com/a.png' } }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] }] } },
  { api: 'chat', body: { model: 'gpt-4o', messages: [
    { role: 'user', content: 'Weather in Oslo?' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_current_weather', arguments: '{"location":"Oslo, Norway","unit":"celsius"}' } }] },
    { role: 'tool', tool_call_id: 'call_1', content: '{"temperature": -3, "sky": "snow"}' },
  ] } },
  { api: 'chat', body: { model: 'gpt-35-turbo-16k', functions: [weather.function], messages: [{ role: 'user', content: '日本語で天気を教えて <|endoftext|>' }] } },
  { api: 'chat', body: { model: 'my-unknown-deployment', messages: [{ role: 'developer', content: 'Answer in one word.' }, { role: 'user', content: 'Capital of France?' }] } },
  { api: 'completions', body: { model: 'gpt-35-turbo-instruct', prompt: 'Say this is a test' } },
  { api: 'completions', body: { model: 'gpt-35-turbo-instruct', prompt: ['first prompt', 'second one, longer than the first'] } },
  { api: 'completions', body: { model: 'gpt-35-turbo-instruct', prompt: [1, 2, 3, 4] } },
  { api: 'completions', body: { model: 'gpt-35-turbo-instruct', prompt: [[1, 2], [3, 4, 5]] } },
  { api: 'embeddings', body: { model: 'text-embedding-3-small', input: 'The food was delicious and the waiter was friendly.' } },
  { api: 'embeddings', body: { model: 'text-embedding-ada-002', input: ['first', 'second text', '第三'] } },
  { api: 'embeddings', body: { model: 'text-embedding-3-large', input: [[100, 200, 300]] } },
  { api: 'responses', body: { model: 'gpt-4.1', input: 'Tell me a three sentence bedtime story about a unicorn.' } },
  { api: 'responses', body: { model: 'gpt-5', instructions: 'Talk like a pirate.', input: [
    { role: 'user', content: [{ type: 'input_text', text: 'What is in this image?' }, { type: 'input_image', image_url: 'https://example.com/x.jpg' }] },
    { type: 'function_call', call_id: 'c1', name: 'lookup', arguments: '{"q":"unicorns"}' },
    { type: 'function_call_output', call_id: 'c1', output: 'Unicorns are mythical.' },
  ], tools: [{ type: 'function', name: 'lookup', description: 'Look something up.', parameters: { type: 'object', properties: { q: { type: 'string', description: 'query' } } } }] } },
];
const modelEnc = (m) =>
  /^(gpt-35-turbo|gpt-3\.5-turbo|text-embedding-|davinci-002|babbage-002)/.test(m) ||
  (/^gpt-4/.test(m) && !/^gpt-4(o|\.)/.test(m))
    ? 'cl100k_base'
    : 'o200k_base';
const prompt = [];
for (const p of prompts) {
  const e = modelEnc(p.body.model);
  let expected;
  if (p.api === 'chat') expected = chatTokens(e, p.body);
  else if (p.api === 'completions') expected = inputTokens(e, p.body.prompt);
  else if (p.api === 'embeddings') expected = inputTokens(e, p.body.input);
  else expected = responsesTokens(e, p.body);
  prompt.push({ api: p.api, enc: e, body: p.body, expected });
}

// ---- streamed completions: text split into deltas, counted joined -----------------------
const streamed = [];
for (const e of Object.keys(enc))
  for (const text of ['Hello world', 'The quick brown fox jumps over the lazy dog. 敏捷的棕色狐狸。',
                      'Line one\nLine two\n\n  indented   code();\n']) {
    streamed.push({ enc: e, text, count: count(e, text) });
  }

// One entry per line, so a regenerated file diffs readably.
const section = (name, arr) => `"${name}": [\n${arr.map((x) => JSON.stringify(x)).join(',\n')}\n]`;
process.stdout.write(`{"generator": "tests/tokens/gen_expected.js with gpt-tokenizer@4.0.0",\n${[
  section('strings', strings), section('random', random), section('prompt', prompt),
  section('streamed', streamed)].join(',\n')}\n}\n`);
