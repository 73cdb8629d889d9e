// The output directory's lock: concurrent runs take turns (each run's files complete, never a
// mix), a live holder is waited for and then named, a holder that has ended is taken over and
// said so. Every case runs real msgrfw processes.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { completeSet, contents, CONTOSO, manyFirewalls, msgrfw, scratchFiles, slowRenamesMissing, snapshot, started, workspace, writePolicy } from './support.js';

const fresh = workspace('lock');

/** A lock record as a run writes it, for a process that is not (or no longer) running. */
function lockOf(fields: { pid: number; host?: string; start?: string }): string {
  const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  return `${JSON.stringify({
    pid: fields.pid,
    ...(fields.start ? { start: fields.start } : {}),
    boot,
    pidNamespace: readlinkSync('/proc/self/ns/pid'),
    host: fields.host ?? hostname(),
    nonce: '0123456789abcdef',
    command: 'msgrfw compile policy.msgr --out-dir out',
    since: '2024-01-01T00:00:00.000Z',
  })}\n`;
}

const endedPid = () => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);

describe.skipIf(slowRenamesMissing !== undefined)(`concurrent runs into one directory${slowRenamesMissing ? ` [skipped: ${slowRenamesMissing}]` : ''}`, () => {
  it('take turns: every run succeeds, every file a run reported is there, the directory is one run\'s complete set (8 rounds of 2 runs, renames slowed so the commits overlap)', async () => {
    const dir = fresh();
    // Two versions of the same firewalls that differ in every file.
    const a = writePolicy(dir, 'a.msgr', manyFirewalls('version A', 5));
    const b = writePolicy(dir, 'b.msgr', manyFirewalls('version B', 5));
    const sets = [completeSet(join(dir, 'ref-a'), a), completeSet(join(dir, 'ref-b'), b)];
    for (let round = 1; round <= 8; round++) {
      const out = join(dir, `out-${round}`);
      completeSet(out, round % 2 ? a : b);
      const ended = await Promise.all([a, b].map((p) => started(['compile', p, '--out-dir', out], {}, undefined, { slowRenames: true }).ended));
      for (const e of ended) {
        expect(e.code, `round ${round}: ${e.stderr}`).toBe(0);
        for (const path of e.stdout.match(/(?<=^wrote ).*$/gm) ?? []) expect(existsSync(path), `round ${round}: ${path} was reported written`).toBe(true);
      }
      const final = contents(out);
      expect(sets.some((s) => JSON.stringify(s) === JSON.stringify(final)), `round ${round}: not one run's complete set`).toBe(true);
      expect(scratchFiles(out), `round ${round}`).toEqual([]);
    }
  });
});

describe('a live holder', () => {
  it('is waited for up to MSGRFW_LOCK_WAIT, then named: exit 2, no file changed; -o takes the same lock', async () => {
    const dir = fresh();
    completeSet(dir, CONTOSO, ['-t', 'nftables']);
    const holder = started(['compile', CONTOSO, '-t', 'nftables', '-f', 'edge', '-o', join(dir, 'edge.nft')], { MSGRFW_TEST_PAUSE: 'locked:20000' });
    await holder.paused('locked');
    const before = snapshot(dir);
    const r = msgrfw(['compile', CONTOSO, '--out-dir', dir], { env: { MSGRFW_LOCK_WAIT: '0.5' } });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`msgrfw: ${dir} is locked by pid ${holder.child.pid} (msgrfw compile`);
    expect(r.stderr).toMatch(new RegExp(`msgrfw: cannot write into .*: it is locked by pid ${holder.child.pid} \\(msgrfw compile .* -o .*edge\\.nft, since .*\\); gave up after 0\\.5 s\\n  if no msgrfw run is writing there, remove .*\\.msgrfw\\.lock; MSGRFW_LOCK_WAIT=SECONDS waits longer\\n  no file was changed\\n`));
    expect(snapshot(dir)).toEqual(before);
    holder.child.kill('SIGTERM');
    expect((await holder.ended).code).toBe(143);
    expect(existsSync(join(dir, '.msgrfw.lock'))).toBe(false);
  });

  it('that finishes in time lets the waiting run go on and write its own files', async () => {
    const dir = fresh();
    const holder = started(['compile', CONTOSO, '-t', 'pf', '-f', 'edge', '--out-dir', dir], { MSGRFW_TEST_PAUSE: 'locked:1500' });
    await holder.paused('locked');
    const waiting = msgrfw(['compile', CONTOSO, '-t', 'nftables', '--out-dir', dir]);
    expect((await holder.ended).code).toBe(0);
    expect(waiting.code, waiting.stderr).toBe(0);
    expect(waiting.stderr).toMatch(/is locked by pid \d+ \(msgrfw compile .* -t pf .*\): waiting up to 10 s\n/);
    expect(readdirSync(dir).sort()).toEqual(['.msgrfw-manifest.json', 'desktop.nft', 'edge.nft', 'edge.pf.conf', 'lcs-host.nft']);
  });

  it('on another host, or a lock file that cannot be read, is never taken over: the message says what to remove', () => {
    for (const lock of [lockOf({ pid: endedPid(), host: 'elsewhere.example' }), '{"pid": 1, "nonce": "../../x"}\n', '']) {
      const dir = fresh();
      writeFileSync(join(dir, '.msgrfw.lock'), lock);
      const r = msgrfw(['compile', CONTOSO, '--out-dir', dir], { env: { MSGRFW_LOCK_WAIT: '0.3' } });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(lock.includes('elsewhere') ? /it is locked by pid \d+ on elsewhere\.example/ : /it is locked by a lock file msgrfw cannot read/);
      expect(r.stderr).toContain(`remove ${join(dir, '.msgrfw.lock')}`);
      expect(readdirSync(dir)).toEqual(['.msgrfw.lock']);
    }
  });
});

describe('a holder that has ended', () => {
  it('(its pid gone, or reused by another process) is taken over, and the run says so', () => {
    const gone = lockOf({ pid: endedPid() });
    const reused = lockOf({ pid: process.pid, start: '1' }); // this pid, but a process that started at tick 1
    for (const lock of [gone, reused]) {
      const dir = fresh();
      writeFileSync(join(dir, '.msgrfw.lock'), lock);
      const r = msgrfw(['compile', CONTOSO, '-t', 'nftables', '--out-dir', dir]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(new RegExp(`msgrfw: ${dir} was locked by pid ${JSON.parse(lock).pid} \\(msgrfw compile policy\\.msgr --out-dir out, since 2024-01-01T00:00:00\\.000Z\\), which is no longer running: took the lock over\\n`));
      expect(readdirSync(dir).sort()).toEqual(['.msgrfw-manifest.json', 'desktop.nft', 'edge.nft', 'lcs-host.nft']);
    }
  });

  it('killed while taking a stale lock over leaves a guard file, which the next run removes and names', () => {
    const dir = fresh();
    writeFileSync(join(dir, '.msgrfw.lock.fedcba9876543210'), lockOf({ pid: endedPid() }));
    const r = msgrfw(['compile', CONTOSO, '-t', 'nftables', '--out-dir', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`msgrfw: ${dir}: removed 1 lock file(s) of runs killed while taking over a lock\n`);
    expect(readdirSync(dir).sort()).toEqual(['.msgrfw-manifest.json', 'desktop.nft', 'edge.nft', 'lcs-host.nft']);
  });

  it('found by several runs at once is taken over by exactly one of them; all succeed, no lock file is left', async () => {
    for (let round = 0; round < 3; round++) {
      const dir = fresh();
      writeFileSync(join(dir, '.msgrfw.lock'), lockOf({ pid: endedPid() }));
      const runs = await Promise.all([0, 1, 2, 3].map(() => started(['compile', CONTOSO, '-t', 'nftables', '--out-dir', dir]).ended));
      for (const r of runs) expect(r.code, r.stderr).toBe(0);
      expect(runs.filter((r) => r.stderr.includes('took the lock over'))).toHaveLength(1);
      expect(readdirSync(dir).sort()).toEqual(['.msgrfw-manifest.json', 'desktop.nft', 'edge.nft', 'lcs-host.nft']);
    }
  });
});
