#!/usr/bin/env node
// Parser throughput, in-process: parsePolicy (src/parse/parse.ts, from dist/) on each file given,
// three times each (median). Prints JSON: [{ file, bytes, tokens, ms: [...], medianMs }].
// With --once FILE: one parse only (for `node --cpu-prof`).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const dist = (p) => import(pathToFileURL(join(ROOT, 'dist', 'src', 'parse', p)).href);
const { parsePolicy, MAX_POLICY_CHARS = Infinity } = await dist('parse.js');
const { StatementLexer } = await dist('lexer.js');
const { parseFast } = await dist('fast.js');
const { materialize } = await dist('build.js');

/**
 * parsePolicy refuses a policy over MAX_POLICY_CHARS (MSGR050). Larger inputs are measured on
 * what parsePolicy runs for a well-formed policy below that gate: the fast path and materialize.
 */
function parse(text, file) {
  if (text.length <= MAX_POLICY_CHARS) return { ...parsePolicy(text, file), via: 'parsePolicy' };
  const tree = parseFast(text);
  return { ast: tree && materialize(tree), diagnostics: tree ? [] : ['fast path gave up'], via: 'parseFast + materialize (over the MSGR050 limit)' };
}

const args = process.argv.slice(2);
const once = args[0] === '--once';
const files = once ? args.slice(1, 2) : args;
const RUNS = once ? 1 : 3;

const out = [];
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const lexer = new StatementLexer();
  lexer.reset(text);
  let tokens = 0;
  while (lexer.next()) tokens++;
  const ms = [];
  let via = '';
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    const result = parse(text, file);
    via = result.via;
    ms.push(performance.now() - t);
    if (!result.ast || result.diagnostics.length) throw new Error(`${file}: the generated policy does not parse cleanly`);
  }
  const sorted = [...ms].sort((a, b) => a - b);
  out.push({ file, bytes: Buffer.byteLength(text), tokens, via, ms: ms.map((x) => Math.round(x)), medianMs: sorted[sorted.length >> 1] });
}
process.stdout.write(`${JSON.stringify(out)}\n`);
