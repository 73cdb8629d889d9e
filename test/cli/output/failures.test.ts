// Every I/O failure ends a run with exit 2, a message that names the path and the reason, and
// "no file was changed" — and it is true: the directory is as before, no temporary file is left,
// directories the run made are gone. The disk cases run on a small tmpfs in a private mount
// namespace (`unshare -rm`), so the machine's own mounts are never touched.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, completeSet, contents, CONTOSO, msgrfw, scratchFiles, snapshot, workspace } from './support.js';

const fresh = workspace('failures');
const NO_CHANGE = '\n  no file was changed\n';

/** Whether a tmpfs can be mounted in a private namespace here; under CI it must. */
function namespaces(): string | undefined {
  const r = spawnSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=16k tmpfs "$0"', fresh()], { encoding: 'utf8' });
  const why = r.error ? r.error.message : r.status === 0 ? undefined : r.stderr.trim() || `exit ${r.status}`;
  if (why && process.env.CI === 'true') throw new Error(`unshare -rm with a tmpfs mount is needed, and CI must run these tests: ${why}`);
  return why;
}
const noNamespaces = namespaces();

/**
 * Runs `script` (sh) in a private mount namespace with a tmpfs of `kib` KiB mounted at $DISK and
 * msgrfw as $MSGRFW; afterwards the tmpfs's files are copied out, for the test to look at.
 */
function onSmallDisk(kib: number, script: string) {
  const dir = fresh();
  const disk = join(dir, 'disk');
  const after = join(dir, 'after');
  mkdirSync(disk);
  mkdirSync(after);
  const r = spawnSync('unshare', ['-rm', 'sh', '-c', `set -e\nmount -t tmpfs -o size=${kib}k tmpfs "$DISK"\n${script}\ncp -a "$DISK/." "$AFTER/"`], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', DISK: disk, AFTER: after, MSGRFW: `${process.execPath} ${BIN}`, CONTOSO },
  });
  expect(r.status, r.stderr).toBe(0);
  return { disk, after, read: (name: string) => readFileSync(join(dir, name), 'utf8') };
}

describe.skipIf(noNamespaces !== undefined)(`a full or read-only disk${noNamespaces ? ` [skipped: ${noNamespaces}]` : ''}`, () => {
  it('a run that fills the disk: exit 2, no partial temporary file, the directories it made removed', () => {
    const s = onSmallDisk(12, `$MSGRFW compile "$CONTOSO" --out-dir "$DISK/new/out" >"$AFTER/../stdout" 2>"$AFTER/../stderr" || echo $? >"$AFTER/../code"`);
    expect(s.read('code').trim()).toBe('2');
    expect(s.read('stdout')).toBe('');
    expect(s.read('stderr')).toMatch(new RegExp(`msgrfw: cannot write .*new/out/[\\w.-]+: no space left on device \\(ENOSPC\\)${NO_CHANGE}$`));
    expect(readdirSync(s.after)).toEqual([]);
  });

  it('a run that fills the disk halfway through replacing a complete set: every old file as it was', () => {
    // The old set, then a filler leaves room for three pages: the new set's temporaries cannot fit.
    const s = onSmallDisk(128, [
      `$MSGRFW compile "$CONTOSO" -t nftables --out-dir "$DISK/out" >/dev/null 2>&1`,
      'cat /dev/zero >"$DISK/filler" 2>/dev/null || true',
      'truncate -s -12k "$DISK/filler"',
      `$MSGRFW compile "$CONTOSO" --out-dir "$DISK/out" >"$AFTER/../stdout" 2>"$AFTER/../stderr" || echo $? >"$AFTER/../code"`,
      'rm "$DISK/filler"',
    ].join('\n'));
    expect(s.read('code').trim()).toBe('2');
    expect(s.read('stderr')).toMatch(new RegExp(`no space left on device \\(ENOSPC\\)${NO_CHANGE}$`));
    expect(contents(join(s.after, 'out'))).toEqual(completeSet(fresh(), CONTOSO, ['-t', 'nftables']));
  });

  it('a read-only file system: exit 2 for --out-dir and for -o into a directory to be made', () => {
    const s = onSmallDisk(128, [
      `$MSGRFW compile "$CONTOSO" -t nftables --out-dir "$DISK/out" >/dev/null 2>&1`,
      'mount -o remount,ro "$DISK"',
      `$MSGRFW compile "$CONTOSO" --out-dir "$DISK/out" 2>"$AFTER/../stderr-dir" || echo $? >"$AFTER/../code-dir"`,
      `$MSGRFW compile "$CONTOSO" -t pf -f edge -o "$DISK/new/edge.pf.conf" 2>"$AFTER/../stderr-o" || echo $? >"$AFTER/../code-o"`,
    ].join('\n'));
    expect(s.read('code-dir').trim()).toBe('2');
    expect(s.read('stderr-dir')).toMatch(new RegExp(`msgrfw: cannot write into .*/disk/out: read-only file system \\(EROFS\\)${NO_CHANGE}$`));
    expect(s.read('code-o').trim()).toBe('2');
    expect(s.read('stderr-o')).toMatch(new RegExp(`msgrfw: cannot create directory .*/disk/new: read-only file system \\(EROFS\\)${NO_CHANGE}$`));
    expect(contents(join(s.after, 'out'))).toEqual(completeSet(fresh(), CONTOSO, ['-t', 'nftables']));
  });
});

describe('permission denied', () => {
  const asRoot = process.getuid?.() === 0;
  it('as another user, into a directory that user may not write: exit 2, nothing changed', () => {
    const dir = fresh();
    completeSet(dir, CONTOSO, ['-t', 'nftables']);
    const policy = join(dir, 'policy.msgr');
    cpSync(CONTOSO, policy);
    const before = snapshot(dir);
    // As root, run msgrfw as nobody; otherwise take the write permission away.
    if (!asRoot) spawnSync('chmod', ['0555', dir]);
    const as = asRoot ? { uid: 65534 } : {};
    const into = msgrfw(['compile', policy, '--out-dir', dir], as);
    const below = msgrfw(['compile', policy, '--out-dir', join(dir, 'new', 'out')], as);
    if (!asRoot) spawnSync('chmod', ['0755', dir]);
    expect(into.code).toBe(2);
    expect(into.stderr).toMatch(new RegExp(`msgrfw: cannot write into ${dir}: permission denied \\(EACCES\\)${NO_CHANGE}$`));
    expect(below.code).toBe(2);
    expect(below.stderr).toMatch(new RegExp(`msgrfw: cannot create directory ${dir}/new: permission denied \\(EACCES\\)${NO_CHANGE}$`));
    expect(snapshot(dir)).toEqual(before);
  });
});

describe('paths that cannot be written', () => {
  it('-o or --out-dir under /proc (no directory can be made there): exit 2 at once, naming the directory', () => {
    for (const args of [['-t', 'nftables', '-f', 'edge', '-o', '/proc/nope/x.nft'], ['--out-dir', '/proc/nope/out']]) {
      const started = Date.now();
      const r = msgrfw(['compile', CONTOSO, ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`msgrfw: cannot create directory /proc/nope: no such file or directory \\(ENOENT\\)${NO_CHANGE}$`));
      expect(Date.now() - started).toBeLessThan(20_000);
    }
  });

  it('--out-dir that is a file, or a path through a file, or a dangling link: exit 2, the message names it', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'afile'), 'a file');
    symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
    const before = snapshot(dir);
    const cases = [
      [join(dir, 'afile'), `cannot write into ${dir}/afile: it is a file, not a directory`],
      [join(dir, 'afile', 'sub', 'out'), `cannot write into ${dir}/afile: it is a file, not a directory`],
      [join(dir, 'dangling'), `cannot write into ${dir}/dangling: it is a symbolic link to nothing`],
    ];
    for (const [outDir, message] of cases) {
      const r = msgrfw(['compile', CONTOSO, '--out-dir', outDir!]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`msgrfw: ${message}${NO_CHANGE}`);
    }
    // A relative path is named as given.
    const r = msgrfw(['compile', CONTOSO, '--out-dir', 'afile'], { cwd: dir });
    expect(r.stderr).toContain(`msgrfw: cannot write into afile: it is a file, not a directory${NO_CHANGE}`);
    expect(snapshot(dir)).toEqual(before);
  });

  it('a file name of up to 255 bytes is written (temporary names are short); a longer one is refused cleanly', () => {
    const dir = fresh();
    for (const length of [244, 255]) {
      const name = `${'a'.repeat(length - 4)}.nft`;
      const r = msgrfw(['compile', CONTOSO, '-t', 'nftables', '-f', 'edge', '-o', join(dir, name)]);
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(join(dir, name), 'utf8')).toMatch(/^#!\/usr\/sbin\/nft -f\n/);
    }
    const long = `${'a'.repeat(252)}.nft`;
    const r = msgrfw(['compile', CONTOSO, '-t', 'nftables', '-f', 'edge', '-o', join(dir, long)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`msgrfw: cannot write ${join(dir, long)}: name too long (ENAMETOOLONG)${NO_CHANGE}`);
    expect(readdirSync(dir).map((n) => n.length).sort()).toEqual([244, 255]);
    expect(scratchFiles(dir)).toEqual([]);
  });
});
