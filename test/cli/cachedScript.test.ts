// bin/msgrfw.js starts the command line from one classic script compiled with a V8 code cache made
// at build time (bin/cachedScript.js, scripts/build-code-cache.mjs) when that cache is there,
// readable, made from the script's exact bytes and accepted by V8; otherwise from the ES module
// bundle, dist/cli.mjs. Whichever runs, the command does the same. MSGRFW_DEBUG_START=1 makes the
// starter say which one ran, on stderr's first line.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { BIN, CONTOSO, shippedCopy } from './run.js';

const SCRIPT = join('dist', 'cli.script.js');
const CACHE = join('dist', 'cli.script.cache');

interface Started {
  how: string;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a starter with MSGRFW_DEBUG_START=1: what started, and what the command did. */
function start(bin: string, args: string[], options: { nodeFlags?: string[]; uid?: number } = {}): Started {
  const ids = options.uid === undefined ? {} : { uid: options.uid, gid: options.uid };
  const r = spawnSync(process.execPath, [...(options.nodeFlags ?? []), bin, ...args], { encoding: 'utf8', cwd: tmpdir(), ...ids, env: { ...process.env, NO_COLOR: '1', MSGRFW_DEBUG_START: '1' } });
  const [first, ...rest] = r.stderr.split('\n');
  return { how: first!, code: r.status, stdout: r.stdout, stderr: rest.join('\n') };
}

const CACHED = 'msgrfw: start: the cached script';
const BUNDLE = /^msgrfw: start: the bundle \(the cached script: /;

/** What `check` prints for the bundled example: the same from either start. */
const check = start(BIN, ['check', CONTOSO]);

/** A copy of the package, changed by `change`, with its starter. */
function changedCopy(change: (dir: string) => void): string {
  const dir = shippedCopy();
  change(dir);
  return join(dir, 'bin', 'msgrfw.js');
}

function sameCommandAsCached(r: Started) {
  expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: check.code, stdout: check.stdout, stderr: check.stderr });
}

describe('the cached script', () => {
  it('runs when the build made its cache (npm test builds first)', () => {
    expect(check.how).toBe(CACHED);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/warning MSGR031/);
  });

  it('runs from a copy of the package (the tests run the command as another user from one)', () => {
    const r = start(changedCopy(() => {}), ['check', CONTOSO]);
    expect(r.how).toBe(CACHED);
    sameCommandAsCached(r);
  });

  it('writes nothing at run time: it runs from a read-only copy, as a user who may not write there', () => {
    const dir = shippedCopy();
    // The policy too where that user can read it (CI's clone is in a private directory).
    const policy = join(dir, 'contoso.msgr');
    copyFileSync(CONTOSO, policy);
    spawnSync('chmod', ['-R', 'a+rX,a-w', dir]);
    const before = readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => `${f} ${statSync(join(dir, f)).mtimeMs}`).sort();
    const r = start(join(dir, 'bin', 'msgrfw.js'), ['check', policy], process.getuid?.() === 0 ? { uid: 65534 } : {});
    expect(r.how).toBe(CACHED);
    sameCommandAsCached({ ...r, stdout: r.stdout.replaceAll(policy, CONTOSO) });
    expect(readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => `${f} ${statSync(join(dir, f)).mtimeMs}`).sort()).toEqual(before);
  });
});

describe('without a usable cache, the bundle runs instead and the command does the same', () => {
  it('when the cache is missing', () => {
    const r = start(changedCopy((dir) => rmSync(join(dir, CACHE))), ['check', CONTOSO]);
    expect(r.how).toMatch(BUNDLE);
    expect(r.how).toMatch(/missing/);
    sameCommandAsCached(r);
  });

  it('when the script is missing', () => {
    const r = start(changedCopy((dir) => rmSync(join(dir, SCRIPT))), ['check', CONTOSO]);
    expect(r.how).toMatch(BUNDLE);
    sameCommandAsCached(r);
  });

  it('when the cache cannot be read', () => {
    const r = start(
      changedCopy((dir) => {
        rmSync(join(dir, CACHE));
        mkdirSync(join(dir, CACHE));
      }),
      ['check', CONTOSO],
    );
    expect(r.how).toMatch(BUNDLE);
    expect(r.how).toMatch(/unreadable/);
    sameCommandAsCached(r);
  });

  it('when node starts with other flags than the build: at once, without compiling the script', () => {
    const r = start(BIN, ['check', CONTOSO], { nodeFlags: ['--no-lazy-feedback-allocation'] });
    expect(r.how).toMatch(BUNDLE);
    expect(r.how).toMatch(/made by another node or with other flags/);
    sameCommandAsCached(r);
  });

  it('when V8 rejects the cache: its header names the flags node starts with, but V8 made it with others', () => {
    const flags = ['--no-lazy-feedback-allocation'];
    const r = start(
      changedCopy((dir) => {
        const cache = readFileSync(join(dir, CACHE));
        const end = cache.indexOf(0x0a);
        const [magic, version, rest] = /^(msgrfw code cache v\d+) (.*) (\d+ \d+)$/.exec(cache.subarray(0, end).toString('latin1'))!.slice(1);
        const runtime = JSON.parse(version!) as unknown[];
        runtime[2] = flags;
        writeFileSync(join(dir, CACHE), Buffer.concat([Buffer.from(`${magic} ${JSON.stringify(runtime)} ${rest}`, 'latin1'), cache.subarray(end)]));
      }),
      ['check', CONTOSO],
      { nodeFlags: flags },
    );
    expect(r.how).toMatch(BUNDLE);
    expect(r.how).toMatch(/rejected by V8/);
    sameCommandAsCached(r);
  });

  it("when V8 rejects the cache: its data broken behind a valid header", () => {
    const r = start(
      changedCopy((dir) => {
        const cache = readFileSync(join(dir, CACHE));
        const data = cache.indexOf(0x0a) + 1;
        cache[data] = cache[data]! ^ 0xff; // V8's magic number
        writeFileSync(join(dir, CACHE), cache);
      }),
      ['check', CONTOSO],
    );
    expect(r.how).toMatch(/rejected by V8/);
    sameCommandAsCached(r);
  });

  it('when the script changed since its cache was made, even keeping its length, which is all V8 checks', () => {
    // A message of the script changed as a rebuild would change it: the old cache holds the
    // compiled code of the old text, which must never run for the new one.
    const changed = (dir: string) => {
      const script = readFileSync(join(dir, SCRIPT), 'latin1');
      expect(script).toContain('error(s)');
      writeFileSync(join(dir, SCRIPT), script.replace('error(s)', 'ERROR(S)'), 'latin1');
    };
    const bin = changedCopy(changed);
    const dir = join(bin, '..', '..');
    // V8 alone would take it: the cache is tied to the script only by the header.
    const cache = readFileSync(join(dir, CACHE));
    const v8 = new Script(readFileSync(join(dir, SCRIPT), 'latin1'), { filename: join(dir, SCRIPT), cachedData: cache.subarray(cache.indexOf(0x0a) + 1) });
    expect(v8.cachedDataRejected).toBe(false);
    const r = start(bin, ['check', CONTOSO]);
    expect(r.how).toMatch(BUNDLE);
    expect(r.how).toMatch(/stale/);
    sameCommandAsCached(r);
  });
});

describe('every command through the cached script', () => {
  it('compile --jobs 2 starts its render threads from the bundle and writes what --jobs 1 writes', () => {
    const written = (jobs: string) => {
      const out = mkdtempSync(join(tmpdir(), 'msgrfw-cached-jobs-'));
      const r = start(BIN, ['compile', CONTOSO, '--out-dir', out, '--jobs', jobs]);
      expect(r.how).toBe(CACHED);
      expect(r.code, r.stderr).toBe(0);
      return readdirSync(out).sort().map((f) => [f, readFileSync(join(out, f), 'utf8')]);
    };
    const one = written('1');
    expect(one.length).toBeGreaterThan(2);
    expect(written('2')).toEqual(one);
  });

  it.each([
    ['--version', []],
    ['help', []],
    ['fmt --check', ['fmt', '--check', CONTOSO]],
    ['explain', ['explain', CONTOSO, 'tcp 10.20.0.5:51000 -> 198.51.100.7:1503']],
    ['ir', ['ir', CONTOSO]],
    ['graph', ['graph', CONTOSO]],
  ] as [string, string[]][])('%s prints what it prints from the bundle', (_name, args) => {
    const argv = args.length ? args : [_name];
    const cached = start(BIN, argv);
    const bundle = start(changedCopy((dir) => rmSync(join(dir, CACHE))), argv);
    expect(cached.how).toBe(CACHED);
    expect(bundle.how).toMatch(BUNDLE);
    expect({ code: cached.code, stdout: cached.stdout, stderr: cached.stderr }).toEqual({ code: bundle.code, stdout: bundle.stdout, stderr: bundle.stderr });
  });
});
