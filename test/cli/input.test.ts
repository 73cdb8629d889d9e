// Inputs are bounded while they are read: whatever the input (a huge file, /dev/zero, a FIFO,
// an endless pipe on stdin), msgrfw reads at most 4 MiB of it, stops, and reports MSGR050 at
// once, in bounded memory. Nothing past the limit is decoded, so a huge file is never called
// "not UTF-8" (or anything else) for what lies beyond the limit.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_POLICY_BYTES, readPolicy } from '../../src/cli/input.js';
import { BIN, CONTOSO } from './run.js';

const dir = mkdtempSync(join(tmpdir(), 'msgrfw-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MiB = 1024 * 1024;
/** Peak memory of `msgrfw check CONTOSO` here, measured the same way: the baseline to compare with. */
let baselineKiB = 0;
const measured: string[] = [];
afterAll(() => console.log(`bounded input (peak RSS): ${measured.join('; ')}`));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  peakKiB: number;
}

/**
 * Runs `msgrfw ARGS` with its peak memory measured (test/cli/peakMemory.cjs); `stdin` is a
 * stream to read from (an endless writer's output), or nothing. Killed after `timeoutMs`.
 */
function msgrfw(args: string[], stdin?: ChildProcess['stdout'], timeoutMs = 60_000): Promise<Run> {
  const memoryFile = join(dir, `peak-${Math.random().toString(36).slice(2)}`);
  const started = Date.now();
  const child = spawn(process.execPath, ['--require', join(import.meta.dirname, 'peakMemory.cjs'), BIN, ...args], {
    stdio: [stdin ?? 'ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', MSGRFW_PEAK_MEMORY_FILE: memoryFile },
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      let peakKiB = Number.NaN;
      try {
        peakKiB = Number(readFileSync(memoryFile, 'utf8'));
      } catch {
        // killed before it could say
      }
      resolve({ code, stdout, stderr, ms: Date.now() - started, peakKiB });
    });
  });
}

/** Policy text, 64 KiB at a time, for as long as anyone reads; ends quietly when no one does. */
const ENDLESS = "const b = Buffer.alloc(65536, '  network a = 10.0.0.0/8\\n'); const w = () => { while (process.stdout.write(b)); process.stdout.once('drain', w); }; process.stdout.on('error', () => process.exit(0)); w();";

/** A writer that never stops, into a pipe (its stdout) or into a FIFO (opened by the shell). */
function endlessWriter(fifo?: string): ChildProcess {
  if (fifo) return spawn('sh', ['-c', 'exec "$0" -e "$1" > "$2"', process.execPath, ENDLESS, fifo], { stdio: 'ignore' });
  return spawn(process.execPath, ['-e', ENDLESS], { stdio: ['ignore', 'pipe', 'ignore'] });
}

/** MSGR050 at FILE:1:1, at once, in memory within 40 MB of checking the 2 KB example. */
function expectStoppedAtTheLimit(r: Run, file: string, what: string, said: RegExp) {
  measured.push(`${what} ${Math.round(r.peakKiB / 1024)} MB in ${r.ms} ms`);
  expect(r.stdout).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1:1: error MSGR050: ${said.source}; at most 4 MiB is read, and reading stopped there\n  hint: split the deployment into several policies\n`));
  expect(r.stdout).not.toMatch(/MSGR006/);
  expect(r.code).toBe(1);
  expect(r.stderr).toBe('');
  expect(r.ms).toBeLessThan(15_000);
  expect(r.peakKiB).toBeGreaterThan(0);
  expect(r.peakKiB - baselineKiB, `${what}: peak ${r.peakKiB} KiB, baseline ${baselineKiB} KiB`).toBeLessThan(40 * 1024);
}

describe('bounded reading, through the command line', () => {
  it('measures the baseline: checking the example', async () => {
    const r = await msgrfw(['check', CONTOSO]);
    expect(r.code).toBe(0);
    baselineKiB = r.peakKiB;
    measured.push(`example ${Math.round(baselineKiB / 1024)} MB`);
    expect(baselineKiB).toBeGreaterThan(10 * 1024);
  });

  it('check /dev/zero: MSGR050 at once (it used to grow to gigabytes)', async () => {
    expectStoppedAtTheLimit(await msgrfw(['check', '/dev/zero'], undefined, 30_000), '/dev/zero', '/dev/zero', /the input goes on past 4 MiB/);
  });

  it('an endless stdin: MSGR050 at once; the writer is left to its broken pipe', async () => {
    const writer = endlessWriter();
    try {
      expectStoppedAtTheLimit(await msgrfw(['check', '-'], writer.stdout, 30_000), '<stdin>', 'endless stdin', /the input goes on past 4 MiB/);
    } finally {
      writer.kill('SIGKILL');
    }
  });

  it('a FIFO that an endless writer feeds (compile: its diagnostics on stderr)', async () => {
    const fifo = join(dir, 'policy.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const writer = endlessWriter(fifo);
    try {
      const r = await msgrfw(['compile', fifo, '--out-dir', join(dir, 'fifo-out')], undefined, 30_000);
      expectStoppedAtTheLimit({ ...r, stdout: r.stderr, stderr: r.stdout }, fifo, 'FIFO', /the input goes on past 4 MiB/);
    } finally {
      writer.kill('SIGKILL');
    }
  });

  it('a 600 MB file (sparse) that starts as a policy: MSGR050 with its size, never "not UTF-8" or "binary" for what lies past the limit', async () => {
    const big = join(dir, 'huge.msgr');
    writeFileSync(big, `deployment huge {\n${'  network a = 10.0.0.0/8\n'.repeat(Math.ceil((5 * MiB) / 25))}`);
    truncateSync(big, 600 * MiB);
    expectStoppedAtTheLimit(await msgrfw(['check', big]), big, '600 MB file', /policy of 600 MiB/);
  });
});

describe('readPolicy: the limit, exactly', () => {
  const sized = (name: string, bytes: number) => {
    const path = join(dir, name);
    const fd = openSync(path, 'w');
    writeSync(fd, Buffer.alloc(bytes, 'a'));
    closeSync(fd);
    return path;
  };

  it('reads a policy of exactly the limit, and stops one byte past it', () => {
    expect(readPolicy(sized('at.msgr', 100), 100)).toMatchObject({ kind: 'text', text: 'a'.repeat(100) });
    expect(readPolicy(sized('past.msgr', 101), 100)).toMatchObject({ kind: 'invalid', diagnostic: { code: 'MSGR050', line: 1, column: 1 } });
  });

  it('is 4 MiB on the command line', () => {
    expect(MAX_POLICY_BYTES).toBe(4 * MiB);
    const at = spawnSync(process.execPath, [BIN, 'check', '-'], { input: `#${'x'.repeat(4 * MiB - 2)}\n`, encoding: 'utf8' });
    expect(at.stdout).not.toMatch(/MSGR050/);
    const past = spawnSync(process.execPath, [BIN, 'check', '-'], { input: `#${'x'.repeat(4 * MiB - 1)}\n`, encoding: 'utf8' });
    expect(past.stdout).toMatch(/^<stdin>:1:1: error MSGR050: the input goes on past 4 MiB/);
  });

  it('says why a file cannot be read', () => {
    expect(readPolicy(join(dir, 'none.msgr'))).toEqual({ kind: 'unreadable', file: join(dir, 'none.msgr'), message: `cannot read ${join(dir, 'none.msgr')}: no such file` });
    expect(readPolicy(dir)).toEqual({ kind: 'unreadable', file: dir, message: `${dir} is a directory, not a policy file` });
  });
});
