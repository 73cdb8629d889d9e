import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface OutputFile {
  path: string;
  content: string;
}

/**
 * Writes every file whole or none at all. Each is first written to a temporary name beside its
 * target; then each old file is moved aside and the new one renamed into place. If any step
 * fails, what was already replaced is put back, so a failed run changes no file.
 */
export function writeAllOrNothing(files: readonly OutputFile[]): void {
  const tag = `msgrfw-${process.pid}-${Date.now()}`;
  const staged = files.map((f) => ({
    path: f.path,
    temp: join(dirname(f.path), `.${basename(f.path)}.${tag}.tmp`),
    backup: join(dirname(f.path), `.${basename(f.path)}.${tag}.old`),
    content: f.content,
    hadOld: false,
    placed: false,
  }));
  try {
    for (const s of staged) {
      if (existsSync(s.path) && statSync(s.path).isDirectory()) throw new Error(`${s.path} is a directory`);
      mkdirSync(dirname(s.path), { recursive: true });
      writeFileSync(s.temp, s.content, { mode: 0o644 });
    }
    for (const s of staged) {
      if (existsSync(s.path)) {
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
      rmSync(s.temp, { force: true });
    }
    throw e;
  }
  for (const s of staged) if (s.hadOld) rmSync(s.backup, { force: true });
}
