// compile --jobs: the firewalls render on several threads (src/cli/threads/), and the run writes
// and prints exactly what one thread does.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXAMPLES, ROOT } from '../../helpers.js';
import { BIN, CONTOSO, msgrfw } from '../run.js';
// @ts-ignore -- the benchmark's generator is plain JavaScript
import { msgrPolicy, plan } from '../../../bench/generate.mjs';

const tmp = mkdtempSync(join(tmpdir(), 'msgrfw-jobs-'));
let n = 0;
/** A compile into a fresh directory: its status, its output with the directory named OUT, and every file with its content. */
function compile(policy: string, args: string[], env: Record<string, string> = {}) {
  const dir = join(tmp, `out-${n++}`);
  const r = spawnSync(process.execPath, [BIN, 'compile', policy, '--out-dir', dir, ...args], { encoding: 'utf8', cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...env } });
  const files = existsSync(dir) ? readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f), 'utf8')]) : undefined;
  return { code: r.status, stdout: r.stdout.replaceAll(dir, 'OUT'), stderr: r.stderr, files, dir };
}
const same = (one: ReturnType<typeof compile>) => ({ ...one, dir: expect.any(String) });

// Many firewalls (12 MB of output).
const MANY = join(tmp, 'many.msgr');
writeFileSync(MANY, msgrPolicy(plan(3000, 32), ['nftables', 'iptables', 'netsh', 'pf']));

describe('msgrfw compile --jobs N', () => {
  it.each(EXAMPLES.map((e) => [e.name, e.path]))('writes and prints for %s on 2 and 3 threads exactly what one thread does', (_name, path) => {
    const one = compile(path!, ['--jobs', '1']);
    expect(compile(path!, ['--jobs', '2'])).toEqual(same(one));
    expect(compile(path!, ['--jobs', '3'])).toEqual(same(one));
  });

  it('writes the same bytes, listed in the same order, for many firewalls on 2 and 3 threads as on one', () => {
    const one = compile(MANY, ['--jobs', '1']);
    expect(one.code, one.stderr).toBe(0);
    expect(compile(MANY, ['--jobs', '2'])).toEqual(same(one));
    expect(compile(MANY, ['--jobs', '3'])).toEqual(same(one));
    // --jobs 2 did use a thread (a failing thread fails it), --jobs 1 none.
    expect(compile(MANY, ['--jobs', '2'], { MSGRFW_TEST_RENDER_FAIL: '1' }).code).toBe(2);
    expect(compile(MANY, ['--jobs', '1'], { MSGRFW_TEST_RENDER_FAIL: '1' }).code).toBe(0);
  }, 180_000);

  it('by default renders a large output on as many threads as a machine of 4 or more cores runs at once, and a small one on this thread alone', () => {
    const one = compile(MANY, ['--jobs', '1']);
    const cores = (n: number) => ({ MSGRFW_TEST_CORES: String(n) });
    expect(compile(MANY, [], cores(4))).toEqual(same(one));
    // A failing thread fails the run: it was used. With 3 cores or fewer, none is.
    expect(compile(MANY, [], { ...cores(4), MSGRFW_TEST_RENDER_FAIL: '1' }).code).toBe(2);
    expect(compile(MANY, [], { ...cores(3), MSGRFW_TEST_RENDER_FAIL: '1' }).code).toBe(0);
    expect(compile(CONTOSO, [], { ...cores(4), MSGRFW_TEST_RENDER_FAIL: '1' })).toEqual(same(compile(CONTOSO, ['--jobs', '1'])));
  }, 180_000);

  it('writes the one artefact -o names, rendered on a thread, exactly as one thread does', () => {
    const edge = (jobs: string) => {
      const path = join(tmp, `edge-${n++}`, 'edge.nft');
      const r = spawnSync(process.execPath, [BIN, 'compile', CONTOSO, '-t', 'nftables', '-o', path, '--jobs', jobs], { encoding: 'utf8', cwd: ROOT });
      return { code: r.status, stdout: r.stdout.replaceAll(path, 'PATH'), stderr: r.stderr, text: existsSync(path) ? readFileSync(path, 'utf8') : undefined };
    };
    const one = edge('1');
    expect(one.code, one.stderr).toBe(0);
    expect(one.text).toContain('table inet');
    expect(edge('3')).toEqual(one);
  });

  it('refuses two policies that write the same file on threads as on one, and writes nothing', () => {
    const twice = (jobs: string) => {
      const dir = join(tmp, `out-${n++}`);
      const r = spawnSync(process.execPath, [BIN, 'compile', MANY, MANY, '--out-dir', dir, '--jobs', jobs], { encoding: 'utf8', cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
      return { code: r.status, said: r.stderr.split('\n').filter((l) => l.includes('twice')), made: existsSync(dir) };
    };
    const one = twice('1');
    expect(one).toMatchObject({ code: 2, made: false });
    expect(one.said).toHaveLength(1);
    expect(twice('2')).toMatchObject({ code: 2, made: false });
    expect(twice('2').said[0]).toContain(one.said[0]!.replace(/^msgrfw: /, '').replace(/; nothing was written$/, ''));
  }, 180_000);

  it('reports a policy with errors exactly as one thread does, and writes nothing', () => {
    const bad = join(tmp, 'bad.msgr');
    writeFileSync(bad, readFileSync(EXAMPLES[0]!.path, 'utf8').replace(/targets [^\n]*/, 'targets nftables, bogus'));
    const one = compile(bad, ['--jobs', '1']);
    expect(one.code).toBe(1);
    expect(one.files).toBeUndefined();
    expect(compile(bad, ['--jobs', '2'])).toEqual(same(one));
  });

  it.each(['0', '-1', 'x', '1.5', '257', ' 2', ''])('refuses --jobs %j with a usage error (exit 2) before compiling', (value) => {
    const r = msgrfw(['compile', EXAMPLES[0]!.path, '--out-dir', join(tmp, 'never'), '--jobs', value]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`msgrfw: --jobs takes a whole number of threads from 1 to 256, not '${value}' (1 renders on one thread)\n`);
    expect(existsSync(join(tmp, 'never'))).toBe(false);
  });

  it('fails the run (exit 2) when a render thread fails, and changes no file', () => {
    const path = EXAMPLES[0]!.path;
    const first = compile(path, ['--jobs', '1']);
    const failed = spawnSync(process.execPath, [BIN, 'compile', path, '--out-dir', first.dir, '--jobs', '2'], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', MSGRFW_TEST_RENDER_FAIL: '1' },
    });
    expect(failed.status).toBe(2);
    expect(failed.stderr).toMatch(/msgrfw: internal error: a render thread failed: test: a render thread failed\n/);
    expect(failed.stdout).toBe('');
    expect(readdirSync(first.dir).sort().map((f) => [f, readFileSync(join(first.dir, f), 'utf8')])).toEqual(first.files);
    // Into a new directory: none is made.
    expect(compile(path, ['--jobs', '2'], { MSGRFW_TEST_RENDER_FAIL: '1' }).files).toBeUndefined();
  });
});
