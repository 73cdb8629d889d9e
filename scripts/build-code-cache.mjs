// Makes the V8 code cache of the command line's classic script (dist/cli.script.js, written by
// scripts/bundle-cli.mjs): compiles the script, runs the commands the cache is for on the bundled
// example (as `msgrfw check` and a one-firewall `msgrfw compile`, their output discarded), so
// that the functions they run are compiled too (V8 compiles a function at its first call), and
// writes what V8 then holds, behind a header tying it to the script's exact bytes
// (bin/cachedScript.js). Run by `npm run build` after the bundle, with the node and flags that
// will run it: V8 rejects a cache made by another (bin/msgrfw.js then starts dist/cli.mjs).
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CACHE, SCRIPT, cacheHeader, compileScript, runScript } from '../bin/cachedScript.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const scriptPath = join(root, SCRIPT);
const source = readFileSync(scriptPath);
if (source.some((byte) => byte > 0x7f)) throw new Error(`build-code-cache: ${SCRIPT} is not ASCII (bin/cachedScript.js reads it as latin1)`);
const script = compileScript(scriptPath, source);
const { main } = runScript(script, scriptPath);

const example = join(root, 'examples', 'contoso.msgr');
const out = mkdtempSync(join(tmpdir(), 'msgrfw-code-cache-'));
const quiet = { stdout: () => {}, stderr: () => {}, color: false };
try {
  for (const args of [['check', example], ['compile', example, '-t', 'nftables', '-f', 'edge', '-o', join(out, 'edge.nft')]]) {
    const code = await main(['node', 'msgrfw', ...args], quiet);
    if (code !== 0) throw new Error(`build-code-cache: msgrfw ${args.join(' ')} exited ${code}`);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}

const staged = join(root, `${CACHE}.tmp`);
writeFileSync(staged, Buffer.concat([cacheHeader(source), script.createCachedData()]));
renameSync(staged, join(root, CACHE));
