'use strict';
// The command line as one classic script with a V8 code cache (scripts/bundle-cli.mjs writes the
// script, scripts/build-code-cache.mjs its cache): compiled through vm.Script with the cache, V8
// neither parses the modules nor compiles the functions a run at build time compiled, which was
// most of a small command's start-up after node itself. bin/msgrfw.js uses it only when the
// cache is there, readable, made from exactly this script's bytes, and accepted by V8 (the same
// node and flags); otherwise it starts the ES module bundle, as before. Nothing is written at
// run time. CommonJS, as bin/msgrfw.js (bin/package.json): node starts an ES module entry, and
// links node's own modules into one, measurably slower.
const { readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { pathToFileURL } = require('node:url');
const { Script } = require('node:vm');
const zlib = require('node:zlib');

/** The script and its cache, from the package's root. */
const SCRIPT = join('dist', 'cli.script.js');
const CACHE = join('dist', 'cli.script.cache');

/**
 * The cache file: this line, the node and flags that made it, the script's length and CRC-32
 * (what ties the cache to the exact script it was made from: V8 itself checks only the length),
 * a newline, then V8's data.
 */
const MAGIC = 'msgrfw code cache v1';

/**
 * What else V8 requires of a cache: the same node (V8) and the same flags. Recorded at build
 * time, so that a start with others (NODE_OPTIONS=--max-old-space-size=…, say) goes to the
 * bundle at once, without reading the script and having V8 compile all of it only to reject the
 * cache. Conservative: a flag V8 would not mind also sends it to the bundle.
 */
function runtime() {
  return JSON.stringify([process.version, process.arch, process.execArgv, process.env.NODE_OPTIONS ?? '']);
}

/** The header that ties a cache to this node and flags and to `script`'s bytes. */
function cacheHeader(script) {
  return Buffer.from(`${MAGIC} ${runtime()} ${script.length} ${zlib.crc32(script)}\n`);
}

/**
 * The script (its path and bytes) compiled, with `cachedData` when given. Its bytes are ASCII
 * (esbuild escapes the rest; the build checks), so latin1 reads them as UTF-8 would, without
 * decoding.
 */
function compileScript(filename, bytes, cachedData) {
  return new Script(bytes.toString('latin1'), { filename, cachedData });
}

/** Runs the compiled script: the command line's exports (`main`). */
function runScript(script, filename) {
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(filename), module, filename, dirname(filename), pathToFileURL(filename).href);
  return module.exports;
}

/**
 * The command line from the cached script of the package at `root`, or why not (missing,
 * unreadable, made from other bytes, rejected by V8): `{ main }` or `{ unused: reason }`.
 */
function cachedCommandLine(root) {
  const filename = join(root, SCRIPT);
  let script;
  let cache;
  try {
    cache = readFileSync(join(root, CACHE));
    if (!cache.subarray(0, cache.indexOf(0x0a)).toString('latin1').startsWith(`${MAGIC} ${runtime()} `)) return { unused: 'made by another node or with other flags' };
    script = readFileSync(filename);
  } catch (e) {
    return { unused: `${e.code === 'ENOENT' ? 'missing' : 'unreadable'}: ${e.message}` };
  }
  // zlib.crc32 is node 20.15's; an older node starts the bundle.
  if (typeof zlib.crc32 !== 'function') return { unused: 'this node has no zlib.crc32 to check the cache with' };
  const header = cacheHeader(script);
  if (cache.length <= header.length || !header.equals(cache.subarray(0, header.length))) return { unused: `stale: ${CACHE} was not made from this ${SCRIPT}` };
  const compiled = compileScript(filename, script, cache.subarray(header.length));
  if (compiled.cachedDataRejected) return { unused: 'rejected by V8 (another node, V8 or flags than the build)' };
  return { main: runScript(compiled, filename).main };
}

module.exports = { SCRIPT, CACHE, cacheHeader, compileScript, runScript, cachedCommandLine };
