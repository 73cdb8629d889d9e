// The writer's `whole` option (src/cli/output/write.ts): `compile` on several threads writes the
// files rendered on the main thread while the threads render theirs, then the rest, in one commit.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeText } from '../../../src/cli/output/encodedText.js';
import { SCRATCH } from '../../../src/cli/output/journal.js';
import { MANIFEST } from '../../../src/cli/output/manifest.js';
import { writeAllOrNothing, type OutputFile } from '../../../src/cli/output/write.js';

const root = mkdtempSync(join(tmpdir(), 'msgrfw-whole-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `case-${++n}`);
const owner = (firewall: string) => ({ deployment: 'd', firewall, target: 'nftables' as const });
const scratch = (dir: string) => readdirSync(dir).filter((f) => SCRATCH.test(f));
/** A promise settled from outside, and a way to wait until the writer has staged the first files. */
function later<T>() {
  let settle!: { resolve: (v: T) => void; reject: (e: Error) => void };
  const promise = new Promise<T>((resolve, reject) => (settle = { resolve, reject }));
  return { promise, ...settle };
}
async function untilStaged(dir: string, count: number) {
  for (let i = 0; i < 500 && !(existsSync(dir) && scratch(dir).length >= count); i++) await new Promise((r) => setTimeout(r, 10));
  return scratch(dir).length;
}

describe('writing files not all rendered yet', () => {
  it('stages the files given while the rest is rendered, then writes all of them in the order of the whole run, in one commit', async () => {
    const dir = fresh();
    const a: OutputFile = { path: join(dir, 'a.nft'), content: 'A\n', owner: owner('a') };
    const c: OutputFile = { path: join(dir, 'c.nft'), content: 'C\n', owner: owner('c') };
    const b: OutputFile = { path: join(dir, 'b.nft'), content: encodeText('B ü\n'), owner: owner('b') };
    const whole = later<OutputFile[]>();
    const writing = writeAllOrNothing([c, a], { whole: whole.promise, manifest: { dir, policies: [{ deployment: 'd', firewalls: [] }] } });
    // The first two are staged (temporary files), none is in place yet.
    expect(await untilStaged(dir, 2)).toBe(2);
    expect(existsSync(a.path)).toBe(false);
    whole.resolve([a, b, c]);
    const result = await writing;
    expect(result.written).toEqual([a.path, b.path, c.path]);
    expect(readdirSync(dir).sort()).toEqual([MANIFEST, 'a.nft', 'b.nft', 'c.nft']);
    expect(readFileSync(b.path, 'utf8')).toBe('B ü\n');
    // The manifest records the hash of the bytes written, encoded here or by a thread.
    const manifest = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8'));
    const hashOf = (file: string) => manifest.files.find((f: { file: string }) => f.file === file).sha256;
    expect(hashOf('b.nft')).toBe((b.content as { sha256: string }).sha256);
    expect(hashOf('a.nft')).toBe(encodeText('A\n').sha256);
  });

  it('changes nothing when the rest fails (a render thread failed): the staged files go, and so does a directory the run made', async () => {
    const parent = fresh();
    mkdirSync(parent);
    const dir = join(parent, 'new');
    const a: OutputFile = { path: join(dir, 'a.nft'), content: 'A\n' };
    const whole = later<OutputFile[]>();
    const writing = writeAllOrNothing([a], { whole: whole.promise });
    await untilStaged(dir, 1);
    whole.reject(new Error('a render thread failed: boom'));
    await expect(writing).rejects.toThrow('a render thread failed: boom');
    expect(readdirSync(parent)).toEqual([]);
  });

  it('keeps the old files when the rest fails', async () => {
    const dir = fresh();
    const first: OutputFile = { path: join(dir, 'a.nft'), content: 'old\n' };
    await writeAllOrNothing([first]);
    const whole = later<OutputFile[]>();
    const a: OutputFile = { path: join(dir, 'a.nft'), content: 'new\n' };
    const writing = writeAllOrNothing([a], { whole: whole.promise });
    await untilStaged(dir, 1);
    whole.reject(new Error('boom'));
    await expect(writing).rejects.toThrow('boom');
    expect(readdirSync(dir)).toEqual(['a.nft']);
    expect(readFileSync(a.path, 'utf8')).toBe('old\n');
  });

  it('refuses, writing nothing, a later file outside the directories it locked, or a whole run without a file given first', async () => {
    const dir = fresh();
    const elsewhere = fresh();
    mkdirSync(elsewhere);
    const a: OutputFile = { path: join(dir, 'a.nft'), content: 'A\n' };
    await expect(writeAllOrNothing([a], { whole: Promise.resolve([a, { path: join(elsewhere, 'b.nft'), content: 'B\n' }]) })).rejects.toThrow(
      /not in a directory this run locked/,
    );
    await expect(writeAllOrNothing([a], { whole: Promise.resolve([{ path: join(dir, 'b.nft'), content: 'B\n' }]) })).rejects.toThrow(/missing from the whole run/);
    expect(existsSync(dir)).toBe(false);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('refuses two different files for one path, one of them encoded by a thread', async () => {
    const dir = fresh();
    const a: OutputFile = { path: join(dir, 'a.nft'), content: 'A\n' };
    const twin: OutputFile = { path: join(dir, 'a.nft'), content: encodeText('not A\n') };
    await expect(writeAllOrNothing([a], { whole: Promise.resolve([a, twin]) })).rejects.toThrow(/two different files for it/);
    expect(existsSync(dir)).toBe(false);
  });
});
