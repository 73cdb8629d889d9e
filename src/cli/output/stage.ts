import { lstatSync, linkSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoOf, failure, OutputError } from './failure.js';
import type { EncodingBuffer, FileContent } from './encodedText.js';
import { scratchName, unlinkIfThere, type WriteStep } from './journal.js';

/** The mode and owner a rewritten file keeps (`fmt --write`). */
export interface Keep {
  mode: number;
  uid: number;
  gid: number;
}

/** What is at an output path now: nothing, a file (or link) the run replaces, or something it must not. */
export function inspectTarget(path: string, shown: string): { exists: boolean } {
  try {
    if (lstatSync(path).isDirectory()) throw new OutputError(`cannot write ${shown}: it is a directory`);
    return { exists: true };
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return { exists: false };
    throw failure('write', shown, e);
  }
}

export function attributesOf(path: string, shown: string): Keep {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw failure('read the mode and owner of', shown, e);
  }
  return { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
}

/**
 * Writes `content` to a new temporary file in `dir` (created exclusively under a short random
 * name, so nothing already there is written through and a 255-byte name still has room), with the
 * mode and owner to keep, and syncs it to disk; returns its name and the SHA-256 of its bytes.
 * Text is encoded once, for the hash and the write (each of a run's 100 MB would otherwise be
 * encoded twice), into `buffer`, which is free again when this returns; text a render thread
 * encoded is written as it came, with the hash of its bytes. A write that fails removes its
 * temporary file.
 */
export async function writeTemporary(dir: string, content: FileContent, buffer: EncodingBuffer, shown: string, keep?: Keep): Promise<{ temp: string; sha256: string }> {
  const temp = scratchName('tmp');
  let file;
  try {
    file = await open(join(dir, temp), 'wx', keep ? 0o600 : 0o644);
  } catch (e) {
    throw failure('write', shown, e);
  }
  try {
    const { bytes, sha256 } = buffer.encode(content);
    await file.writeFile(bytes);
    if (keep) {
      const st = await file.stat();
      if (st.uid !== keep.uid || st.gid !== keep.gid) await ownAs(file, keep, shown);
      await file.chmod(keep.mode);
    }
    await file.sync();
    await file.close();
    return { temp, sha256 };
  } catch (e) {
    await file.close().catch(() => {});
    unlinkIfThere(join(dir, temp));
    throw failure('write', shown, e);
  }
}

async function ownAs(file: Awaited<ReturnType<typeof open>>, keep: Keep, shown: string): Promise<void> {
  try {
    await file.chown(keep.uid, keep.gid);
  } catch (e) {
    if (errnoOf(e) !== 'EPERM') throw e;
    throw new OutputError(`cannot keep the owner of ${shown} (uid ${keep.uid}, gid ${keep.gid}): only root or its owner can; run it as one of them`);
  }
}

/**
 * Keeps the old file at an output path until the commit is over: a hard link to it under a
 * scratch name (the path itself stays in place), or, where the file system refuses hard links,
 * a note to move it aside during the commit.
 */
export function backUp(dir: string, name: string, shown: string): Pick<WriteStep, 'backup' | 'aside'> {
  const backup = scratchName('old');
  try {
    linkSync(join(dir, name), join(dir, backup));
    return { backup };
  } catch (e) {
    if (['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK', 'EXDEV'].includes(errnoOf(e) ?? '')) return { backup, aside: true };
    throw failure('keep a copy of', shown, e);
  }
}
