#!/usr/bin/env node
// Parser throughput, in-process, three parses of each file given (median). Prints JSON:
// [{ file, bytes, tokens, via, ms: [...], medianMs }].
//   --parser fast     what the compiler runs for a well-formed policy: the recursive-descent
//                     fast path (src/parse/fast.ts), which builds nearley's tree (default)
//   --parser nearley  the nearley grammar itself (grammar/msgr.ne, moo lexer): what every policy
//                     with an error goes through, and the fast path's reference
// With --once FILE: one parse only (for `node --cpu-prof`).
import nearley from 'nearley';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const dist = (p) => import(pathToFileURL(join(ROOT, 'dist', 'src', 'parse', p)).href);
const { StatementLexer } = await dist('lexer.js');
const { parseFast } = await dist('fast.js');
const { materialize } = await dist('build.js');
const grammar = (await dist('grammar.generated.js')).default;

/**
 * Both parsers are called directly, without parsePolicy's MSGR050 gate (4 MiB), so that the
 * 5 and 10 MB policies are measured too.
 */
const PARSERS = {
  fast: (text) => parseFast(text),
  nearley: (text) => {
    const parser = new nearley.Parser(nearley.Grammar.fromCompiled(grammar));
    parser.feed(text);
    if (parser.results.length !== 1) throw new Error(`nearley: ${parser.results.length} parses`);
    return materialize(parser.results[0]);
  },
};

let args = process.argv.slice(2);
let via = 'fast';
if (args[0] === '--parser') {
  via = args[1];
  args = args.slice(2);
}
const parse = PARSERS[via];
if (!parse) throw new Error(`--parser fast or nearley, not ${via}`);
const once = args[0] === '--once';
const files = once ? args.slice(1, 2) : args;
const RUNS = once ? 1 : 3;

const out = [];
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  // Tokens as the grammar sees them (not in a profiled run: it would profile moo too).
  let tokens = 0;
  if (!once) {
    const lexer = new StatementLexer();
    lexer.reset(text);
    while (lexer.next()) tokens++;
  }
  const ms = [];
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    const ast = parse(text);
    ms.push(performance.now() - t);
    if (!ast) throw new Error(`${file}: the generated policy does not parse cleanly`);
  }
  const sorted = [...ms].sort((a, b) => a - b);
  out.push({ file, bytes: Buffer.byteLength(text), tokens, via, ms: ms.map((x) => Math.round(x)), medianMs: sorted[sorted.length >> 1] });
}
process.stdout.write(`${JSON.stringify(out)}\n`);
