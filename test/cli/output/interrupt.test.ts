// Runs that are stopped: SIGINT/SIGTERM before the commit change nothing and leave nothing;
// during the commit the run finishes it first; a run killed outright (SIGKILL) is completed, or
// cleaned up, by the next run into the directory, which says so. A rename that fails in the
// middle of the commit puts every file back.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { completeSet, contents, CONTOSO, msgrfw, scratchFiles, started, workspace, writePolicy } from './support.js';

const fresh = workspace('interrupt');

/**
 * OLD and NEW differ in every way a commit can: NEW replaces files, creates edge.pf.conf (edge
 * gains pf), and removes lcs-old's files (that firewall is renamed lcs-host).
 */
let OLD: string;
let NEW: string;
let oldSet: Record<string, string>;
let newSet: Record<string, string>;
beforeAll(() => {
  const dir = fresh();
  const contoso = readFileSync(CONTOSO, 'utf8');
  NEW = writePolicy(dir, 'new.msgr', contoso);
  OLD = writePolicy(dir, 'old.msgr', contoso.replace('targets nftables, pf', 'targets nftables').replace('firewall lcs-host', 'firewall lcs-old'));
  oldSet = completeSet(join(dir, 'old'), OLD);
  newSet = completeSet(join(dir, 'new'), NEW);
  expect(Object.keys(oldSet)).toContain('lcs-old.nft');
  expect(Object.keys(newSet)).toContain('edge.pf.conf');
});

/** A directory holding OLD's complete set. */
function deployed(): string {
  const dir = fresh();
  expect(completeSet(dir, OLD)).toEqual(oldSet);
  return dir;
}

/**
 * The next run, one that changes nothing by itself in a directory holding `policy`'s set: it
 * rewrites desktop's iptables files as they are.
 */
const nextRun = (dir: string, policy: string) => msgrfw(['compile', policy, '-f', 'desktop', '-t', 'iptables', '--out-dir', dir]);

describe('SIGINT or SIGTERM before the commit', () => {
  it.each([
    ['SIGTERM', 'locked', 143],
    ['SIGINT', 'staged:1', 130],
    ['SIGTERM', 'staged:4', 143],
  ] as const)('%s at %s: exit %i, "no file was changed", nothing left behind', async (signal, point, status) => {
    const dir = deployed();
    const run = started(['compile', NEW, '--out-dir', dir], { MSGRFW_TEST_PAUSE: `${point}:20000` });
    await run.paused(point);
    run.child.kill(signal);
    const r = await run.ended;
    expect(r.code).toBe(status);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`msgrfw: interrupted by ${signal}\n  no file was changed\n`);
    expect(contents(dir)).toEqual(oldSet);
    expect(scratchFiles(dir)).toEqual([]);
  });

  it('removes the directories the run made', async () => {
    const dir = fresh();
    const run = started(['compile', NEW, '--out-dir', join(dir, 'made', 'out')], { MSGRFW_TEST_PAUSE: 'staged:2:20000' });
    await run.paused('staged:2');
    run.child.kill('SIGTERM');
    expect((await run.ended).code).toBe(143);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('SIGTERM during the commit', () => {
  it.each(['journal', 'commit:1', 'commit:5', 'committed'])('at %s: the run finishes the commit first (every file new), then exits 143 and says so', async (point) => {
    const dir = deployed();
    const run = started(['compile', NEW, '--out-dir', dir], { MSGRFW_TEST_PAUSE: `${point}:1500` });
    await run.paused(point);
    run.child.kill('SIGTERM');
    const r = await run.ended;
    expect(r.code).toBe(143);
    expect(r.stdout).toContain(`wrote ${join(dir, 'edge.pf.conf')}\n`);
    expect(r.stdout).toContain(`removed ${join(dir, 'lcs-old.nft')}: firewall lcs-old is no longer in the policy\n`);
    expect(r.stderr).toContain('msgrfw: SIGTERM arrived while the files were being put in place; the run finished that first: every file above is written\n');
    expect(contents(dir)).toEqual(newSet);
    expect(scratchFiles(dir)).toEqual([]);
  });
});

describe('SIGKILL: the next run into the directory finds what the killed run left', () => {
  it.each(['locked', 'staged:3'])('killed at %s (before the commit): its temporary files and lock are removed, nothing else changed', async (point) => {
    const dir = deployed();
    const run = started(['compile', NEW, '--out-dir', dir], { MSGRFW_TEST_PAUSE: `${point}:20000` });
    await run.paused(point);
    run.child.kill('SIGKILL');
    await run.ended;
    expect(existsSync(join(dir, '.msgrfw.lock'))).toBe(true);
    const r = nextRun(dir, OLD);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`msgrfw: ${dir} was locked by pid ${run.child.pid} \\(msgrfw compile .*\\), which is no longer running: took the lock over\\n`));
    if (point !== 'locked') expect(r.stderr).toMatch(/msgrfw: .*: removed \d+ temporary file\(s\) of an earlier run that was killed before it changed anything\n/);
    expect(contents(dir)).toEqual(oldSet);
    expect(scratchFiles(dir)).toEqual([]);
  });

  it.each(['journal', 'commit:1', 'commit:6', 'committed'])('killed at %s (the commit point passed): the next run completes it and says so', async (point) => {
    const dir = deployed();
    const run = started(['compile', NEW, '--out-dir', dir], { MSGRFW_TEST_PAUSE: `${point}:20000` });
    await run.paused(point);
    run.child.kill('SIGKILL');
    await run.ended;
    expect(existsSync(join(dir, '.msgrfw-journal.json'))).toBe(true);
    const r = nextRun(dir, NEW);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`msgrfw: ${dir}: an earlier run (pid ${run.child.pid}) was killed while putting its files in place; completed it: wrote`);
    expect(r.stderr).toContain('removed lcs-old.cmd, lcs-old.nft');
    expect(contents(dir)).toEqual(newSet);
    expect(scratchFiles(dir)).toEqual([]);
  });

  it('killed in the commit with one new file damaged since: the next run undoes it instead, every old file back', async () => {
    const dir = deployed();
    const run = started(['compile', NEW, '--out-dir', dir], { MSGRFW_TEST_PAUSE: 'commit:3:20000' });
    await run.paused('commit:3');
    run.child.kill('SIGKILL');
    await run.ended;
    const journal = JSON.parse(readFileSync(join(dir, '.msgrfw-journal.json'), 'utf8')) as { steps: { kind: string; temp?: string }[] };
    const pending = journal.steps.filter((s) => s.temp && existsSync(join(dir, s.temp)));
    expect(pending.length).toBeGreaterThan(0);
    writeFileSync(join(dir, pending[0]!.temp!), 'truncated by a crash'); // what a power cut may leave
    const r = nextRun(dir, OLD);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`msgrfw: ${dir}: an earlier run (pid ${run.child.pid}) was killed while putting its files in place, and its new files are no longer whole; undid it: its files are as before it\n`);
    expect(contents(dir)).toEqual(oldSet);
    expect(scratchFiles(dir)).toEqual([]);
  });

  it('the leftovers of the former writer (msgrfw 0.1, no lock, no journal) are cleaned up too', () => {
    const dir = deployed();
    const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    for (let i = 0; i < 50; i++) writeFileSync(join(dir, `.edge.nft.msgrfw-${dead}-${i.toString(16).padStart(12, '0')}.tmp`), 'half a file');
    writeFileSync(join(dir, `.lost.nft.msgrfw-${dead}-abcdef012345.old`), 'moved aside, never put back');
    writeFileSync(join(dir, `.edge.nft.msgrfw-${process.pid}-abcdef012345.tmp`), 'a live process: left alone');
    const r = nextRun(dir, OLD);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`msgrfw: ${dir}: removed 50 temporary file(s) an earlier msgrfw left when it was killed\n`);
    expect(r.stderr).toContain(`msgrfw: ${dir}: put back lost.nft, which an earlier msgrfw had moved aside when it was killed\n`);
    expect(readFileSync(join(dir, 'lost.nft'), 'utf8')).toBe('moved aside, never put back');
    expect(readdirSync(dir).filter((n) => n.includes('.msgrfw-'))).toEqual(['.msgrfw-manifest.json', `.edge.nft.msgrfw-${process.pid}-abcdef012345.tmp`].sort());
  });
});

describe('a rename that fails in the middle of the commit', () => {
  const chattr = spawnSync('chattr', ['--help']).error === undefined && process.getuid?.() === 0;
  it.skipIf(!chattr && process.env.CI !== 'true')('(an immutable file) puts back every file already replaced or removed: exit 2, no file was changed', () => {
    if (!chattr) throw new Error('this test needs root and chattr (e2fsprogs), and CI must run it');
    const dir = deployed();
    const probe = join(dir, 'desktop.reg');
    if (spawnSync('chattr', ['+i', probe]).status !== 0) throw new Error(`chattr +i does not work on ${dir}'s file system`);
    try {
      const r = msgrfw(['compile', NEW, '--out-dir', dir]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/msgrfw: cannot put the new files in place in .*: operation not permitted \(EPERM\)\n  no file was changed\n/);
    } finally {
      spawnSync('chattr', ['-i', probe]);
    }
    expect(contents(dir)).toEqual(oldSet);
    expect(scratchFiles(dir)).toEqual([]);
  });
});
