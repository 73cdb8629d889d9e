// Makes the V8 code cache of the command line's classic script (dist/cli.script.js, written by
// scripts/bundle-cli.mjs): compiles the script, runs `msgrfw check` on the bundled example (its
// output discarded), so that the functions it runs are compiled too (V8 compiles a function at
// its first call), and writes what V8 then holds, behind a header tying it to the script's exact
// bytes (bin/cachedScript.js). Only check: a one-firewall compile too made compile's start 6%
// cheaper but check's 1% dearer (cachegrind), and its cache half as large again, which is paid
// again in reading it and in page faults. Run by `npm run build` after the bundle, with the node
// and flags that will run it: V8 rejects a cache made by another (bin/msgrfw.js then starts
// dist/cli.mjs).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
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
const quiet = { stdout: () => {}, stderr: () => {}, color: false };
const code = await main(['node', 'msgrfw', 'check', example], quiet);
if (code !== 0) throw new Error(`build-code-cache: msgrfw check ${example} exited ${code}`);

const staged = join(root, `${CACHE}.tmp`);
writeFileSync(staged, Buffer.concat([cacheHeader(source), script.createCachedData()]));
renameSync(staged, join(root, CACHE));
