// Safe writes: outputs go to a temporary file that is renamed into place, all of them or none;
// a run that fails changes no file (not even a directory); `--out-dir` writes only the files of
// the selection and lists them, leaving anything else in the directory alone. Complements
// test/cli/cli.test.ts ("leaves no file behind", "changes no file when a write fails") and
// test/cli/output/ (the lock, interrupted and killed runs, full and read-only disks, the manifest).
import { spawnSync } from 'node:child_process';
import { existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeAllOrNothing } from '../../src/cli/output/write.js';
import { ROOT } from '../helpers.js';

const BIN = join(ROOT, 'bin', 'msgrfw.js');
const CONTOSO = join(ROOT, 'examples', 'contoso.msgr');
const root = mkdtempSync(join(tmpdir(), 'msgrfw-writes-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
const fresh = () => {
  const d = join(root, `case-${++n}`);
  mkdirSync(d);
  return d;
};

function msgrfw(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', cwd: root, env: { ...process.env, NO_COLOR: '1' } });
  expect(r.stderr + r.stdout).not.toMatch(/\n\s+at .*:\d+:\d+\)?|internal error/);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Everything under a directory: path → content, mode, inode and mtime (lstat: links as links). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    const p = join(dir, rel);
    const st = lstatSync(p);
    const what = st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'dir' : readFileSync(p, 'utf8');
    out[rel] = `${what}|${st.mode}|${st.ino}|${st.mtimeMs}`;
  }
  return out;
}

const ALL = ['clients.gpo.reg', 'desktop.cmd', 'desktop.reg', 'desktop.rules.v4', 'desktop.rules.v6', 'edge.nft', 'edge.pf.conf', 'lcs-host.cmd', 'lcs-host.nft'];

describe('--out-dir writes only its own files', () => {
  it('lists exactly what it wrote, and leaves unrelated files (and same-named files of other firewalls) untouched', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'README.txt'), 'not ours');
    writeFileSync(join(dir, 'other-firewall.nft'), 'table inet msgr_other {}\n');
    writeFileSync(join(dir, '.hidden'), 'x');
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'edge.nft'), 'a file in a subdirectory');
    const before = snapshot(dir);

    const r = msgrfw(['compile', CONTOSO, '--out-dir', dir]);
    expect(r.code).toBe(0);
    const listed = r.stdout.trim().split('\n').map((l) => l.replace(/^wrote /, ''));
    expect(listed.map((p) => p.slice(dir.length + 1)).sort()).toEqual(ALL);
    const after = snapshot(dir);
    for (const [k, v] of Object.entries(before)) if (k !== 'sub') expect(after[k], k).toBe(v);
    expect(Object.keys(after).sort()).toEqual([...Object.keys(before), ...ALL, '.msgrfw-manifest.json'].sort());
  });

  it('with -t and -f, only that selection', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'desktop.cmd'), 'old');
    const r = msgrfw(['compile', CONTOSO, '-t', 'pf', '-f', 'edge', '--out-dir', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`wrote ${join(dir, 'edge.pf.conf')}\n`);
    expect(readdirSync(dir).sort()).toEqual(['.msgrfw-manifest.json', 'desktop.cmd', 'edge.pf.conf']);
    expect(readFileSync(join(dir, 'desktop.cmd'), 'utf8')).toBe('old');
  });
});

describe('a run that fails changes nothing', () => {
  const prefilled = () => {
    const dir = fresh();
    for (const f of ALL) writeFileSync(join(dir, f), `old ${f}`);
    writeFileSync(join(dir, 'unrelated'), 'x');
    return dir;
  };

  it('a policy with errors: no file written, replaced or created, exit 1', () => {
    const dir = prefilled();
    const before = snapshot(dir);
    const r = msgrfw(['compile', '-', '--out-dir', dir], readFileSync(CONTOSO, 'utf8').replace('10.9.0.0/24', '10.9.0.1/24'));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(snapshot(dir)).toEqual(before);
    const missing = join(root, `never-${n}`);
    expect(msgrfw(['compile', '-', '--out-dir', missing], 'deployment d {\n  network a = nowhere\n}\n').code).toBe(1);
    expect(existsSync(missing)).toBe(false);
  });

  it('a target refusing a firewall (MSGR060): nothing written', () => {
    const dir = prefilled();
    const before = snapshot(dir);
    const r = msgrfw(['compile', CONTOSO, '-t', 'netsh', '--out-dir', dir]); // edge is a gateway: netsh refuses it
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/MSGR060/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('one output path is a directory: exit 2, every other file as it was, no temporary file left', () => {
    const dir = prefilled();
    rmSync(join(dir, 'lcs-host.nft'));
    mkdirSync(join(dir, 'lcs-host.nft'));
    const before = snapshot(dir);
    const r = msgrfw(['compile', CONTOSO, '--out-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/msgrfw: cannot write .*lcs-host\.nft: it is a directory\n  no file was changed\n/);
    expect(r.stdout).toBe('');
    expect(snapshot(dir)).toEqual(before);
  });

  it('an output directory that cannot be made (a file is in the way): exit 2, nothing created', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'blocker'), 'a file');
    const before = snapshot(dir);
    for (const args of [['--out-dir', join(dir, 'blocker', 'out')], ['-t', 'nftables', '-f', 'edge', '-o', join(dir, 'blocker', 'edge.nft')]]) {
      const r = msgrfw(['compile', CONTOSO, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/msgrfw: cannot write into .*blocker: it is a file, not a directory\n  no file was changed\n/);
      expect(snapshot(dir)).toEqual(before);
    }
  });

  it('directories the run made are removed again when a later file fails', async () => {
    const dir = fresh();
    mkdirSync(join(dir, 'taken'));
    await expect(
      writeAllOrNothing([
        { path: join(dir, 'new', 'deeper', 'a.nft'), content: 'a' },
        { path: join(dir, 'b.nft'), content: 'b' },
        { path: join(dir, 'taken'), content: 'cannot: a directory' },
      ]),
    ).rejects.toThrow(/it is a directory/);
    expect(readdirSync(dir)).toEqual(['taken']);
  });
});

describe('written through a temporary file and a rename', () => {
  it('-o into a missing directory makes it; the file is whole', () => {
    const dir = fresh();
    const target = join(dir, 'made', 'for', 'edge.nft');
    const r = msgrfw(['compile', CONTOSO, '-t', 'nftables', '-f', 'edge', '-o', target]);
    expect(r.code).toBe(0);
    expect(readFileSync(target, 'utf8')).toBe(msgrfw(['compile', CONTOSO, '-t', 'nftables', '-f', 'edge', '-o', '-']).stdout);
    expect(readdirSync(join(dir, 'made', 'for'))).toEqual(['edge.nft']);
  });

  it('a symbolic link or a hard link at the output path is replaced, never written through', () => {
    const dir = fresh();
    const victims = fresh();
    writeFileSync(join(victims, 'passwd'), 'precious');
    writeFileSync(join(victims, 'hosts'), 'precious too');
    symlinkSync(join(victims, 'passwd'), join(dir, 'edge.nft'));
    linkSync(join(victims, 'hosts'), join(dir, 'lcs-host.nft'));
    symlinkSync(join(victims, 'nothing-here'), join(dir, 'desktop.cmd')); // dangling
    const r = msgrfw(['compile', CONTOSO, '--out-dir', dir]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(victims, 'passwd'), 'utf8')).toBe('precious');
    expect(readFileSync(join(victims, 'hosts'), 'utf8')).toBe('precious too');
    expect(existsSync(join(victims, 'nothing-here'))).toBe(false);
    for (const f of ['edge.nft', 'lcs-host.nft', 'desktop.cmd']) {
      expect(lstatSync(join(dir, f)).isFile(), f).toBe(true);
      expect(statSync(join(dir, f)).nlink, f).toBe(1);
    }
    expect(readFileSync(join(dir, 'edge.nft'), 'utf8')).toMatch(/^#!\/usr\/sbin\/nft -f\n/);
  });

  it('a failed run leaves a link at an output path as it was', async () => {
    const dir = fresh();
    const victims = fresh();
    writeFileSync(join(victims, 'target'), 'precious');
    symlinkSync(join(victims, 'target'), join(dir, 'a.nft'));
    await expect(
      writeAllOrNothing([
        { path: join(dir, 'a.nft'), content: 'new' },
        { path: dir, content: 'cannot: a directory' },
      ]),
    ).rejects.toThrow(/it is a directory/);
    expect(lstatSync(join(dir, 'a.nft')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'a.nft'), 'utf8')).toBe('precious');
    expect(readdirSync(dir)).toEqual(['a.nft']);
  });
});
