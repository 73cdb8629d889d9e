import { readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { failure } from './failure.js';
import { applySteps, dropBackups, exists, isIntact, readJournal, removeJournal, SCRATCH, syncDirectory, undoSteps, unlinkIfThere } from './journal.js';
import { sweepGuards, type LockOptions } from './lock.js';

/** Files the writer of msgrfw 0.1 left when it was killed: `.<name>.msgrfw-<pid>-<12 hex>.tmp|old`. */
const FORMER = /^\.(.+)\.msgrfw-(\d+)-[0-9a-f]{12}\.(tmp|old)$/;

/**
 * Cleans up after runs that were killed in this directory (the caller holds its lock, so no live
 * run is writing here): a journal is completed (or undone if a new file is no longer whole);
 * temporaries, backups and half-made locks of a run killed before its commit are removed. Each
 * thing done is said in a note.
 */
export async function recoverDirectory(dir: string, options: LockOptions): Promise<void> {
  const { shown, note } = options;
  try {
    const journal = readJournal(dir, shown);
    if (journal) {
      const { pid, steps } = journal;
      const killed = `an earlier run (pid ${pid}) was killed while putting its files in place`;
      if (isIntact(dir, steps)) {
        applySteps(dir, steps);
        syncDirectory(dir);
        dropBackups(dir, steps);
        note(`${shown}: ${killed}; completed it: ${summary(steps)}`);
      } else {
        const lost = undoSteps(dir, steps);
        note(`${shown}: ${killed}, and its new files are no longer whole; undid it: its files are as before it` + (lost.length ? ` except ${lost.join(', ')}, whose old version is gone` : ''));
      }
      removeJournal(dir);
    }
    const names = readdirSync(dir);
    const scratch = names.filter((n) => SCRATCH.test(n));
    for (const n of scratch) unlinkIfThere(join(dir, n));
    if (scratch.length) note(`${shown}: removed ${scratch.length} temporary file(s) of an earlier run that was killed before it changed anything`);
    sweepFormer(dir, names, options);
  } catch (e) {
    throw failure('finish the run an earlier msgrfw left unfinished in', shown, e);
  }
  const guards = await sweepGuards(dir, options);
  if (guards) note(`${shown}: removed ${guards} lock file(s) of runs killed while taking over a lock`);
}

function summary(steps: Parameters<typeof applySteps>[1]): string {
  const list = (kind: string) => {
    const names = steps.filter((s) => s.kind === kind).map((s) => s.name);
    return names.length <= 8 ? names.join(', ') : `${names.length} files`;
  };
  const written = list('write');
  const removed = list('remove');
  return [written && `wrote ${written}`, removed && `removed ${removed}`].filter(Boolean).join('; ');
}

/** The leftovers of msgrfw 0.1, whose writer neither locked nor kept a journal; only those of ended processes. */
function sweepFormer(dir: string, names: readonly string[], { shown, note }: LockOptions): void {
  let removed = 0;
  const restored: string[] = [];
  for (const n of names) {
    const m = FORMER.exec(n);
    if (!m || isRunning(Number(m[2]))) continue;
    const original = join(dir, m[1]!);
    if (m[3] === 'old' && !exists(original)) {
      renameSync(join(dir, n), original);
      restored.push(m[1]!);
    } else {
      unlinkIfThere(join(dir, n));
      removed++;
    }
  }
  if (removed) note(`${shown}: removed ${removed} temporary file(s) an earlier msgrfw left when it was killed`);
  if (restored.length) note(`${shown}: put back ${restored.join(', ')}, which an earlier msgrfw had moved aside when it was killed`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
