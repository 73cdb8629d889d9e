import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface OutputFile {
  path: string;
  content: string;
}

/**
 * Writes every file whole or none at all: each goes to a temporary name beside its target,
 * and only when all are written are they renamed into place.
 */
export function writeAllOrNothing(files: readonly OutputFile[]): void {
  const temps: { temp: string; path: string }[] = [];
  try {
    for (const f of files) {
      mkdirSync(dirname(f.path), { recursive: true });
      const temp = join(dirname(f.path), `.${basename(f.path)}.msgrfw-${process.pid}.tmp`);
      writeFileSync(temp, f.content, { mode: 0o644 });
      temps.push({ temp, path: f.path });
    }
  } catch (e) {
    for (const t of temps) rmSync(t.temp, { force: true });
    throw e;
  }
  for (const t of temps) renameSync(t.temp, t.path);
}

const basename = (p: string) => p.split(/[\\/]/).pop() ?? p;
