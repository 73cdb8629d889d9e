import { randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

export interface OutputFile {
  path: string;
  content: string;
}

/** Whether anything is at the path, a dangling symbolic link included. */
function present(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes every file whole or none at all. Each is first written to a new temporary file beside
 * its target (created exclusively, under an unpredictable name, so nothing already there, a
 * symbolic link included, is written through); then each old file is moved aside and the new one
 * renamed into place (a rename replaces a link or a hard link instead of writing into what it
 * points at). If any step fails, what was already replaced is put back and directories this run
 * created are removed again, so a failed run changes no file.
 */
export function writeAllOrNothing(files: readonly OutputFile[]): void {
  const tag = `msgrfw-${process.pid}-${randomBytes(6).toString('hex')}`;
  const staged = files.map((f) => ({
    path: f.path,
    temp: join(dirname(f.path), `.${basename(f.path)}.${tag}.tmp`),
    backup: join(dirname(f.path), `.${basename(f.path)}.${tag}.old`),
    content: f.content,
    wrote: false,
    hadOld: false,
    placed: false,
  }));
  /** Directories this run created, deepest last. */
  const created: string[] = [];
  try {
    for (const s of staged) {
      if (present(s.path) && statSync(s.path, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`${s.path} is a directory`);
      const top = mkdirSync(dirname(s.path), { recursive: true });
      if (top !== undefined) {
        const chain: string[] = [];
        for (let d = resolve(dirname(s.path)); ; d = dirname(d)) {
          chain.unshift(d);
          if (d === resolve(top) || dirname(d) === d) break;
        }
        created.push(...chain);
      }
      writeFileSync(s.temp, s.content, { mode: 0o644, flag: 'wx' });
      s.wrote = true;
    }
    for (const s of staged) {
      if (present(s.path)) {
        renameSync(s.path, s.backup);
        s.hadOld = true;
      }
      renameSync(s.temp, s.path);
      s.placed = true;
    }
  } catch (e) {
    for (const s of [...staged].reverse()) {
      if (s.placed) rmSync(s.path, { force: true });
      if (s.hadOld) renameSync(s.backup, s.path);
      if (s.wrote && !s.placed) rmSync(s.temp, { force: true });
    }
    for (const d of [...created].reverse()) {
      try {
        rmdirSync(d);
      } catch {
        // not empty (something else was put there meanwhile) or already gone: leave it
      }
    }
    throw e;
  }
  for (const s of staged) if (s.hadOld) rmSync(s.backup, { force: true });
}
