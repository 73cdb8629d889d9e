import { realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { removeDirectories, makeDirectories } from './directories.js';
import { EncodingBuffer, sameContent, type FileContent } from './encodedText.js';
import { failure, OutputError } from './failure.js';
import { applySteps, dropBackups, JOURNAL, removeJournal, SCRATCH, scratchName, syncDirectory, undoSteps, writeJournal, type Step } from './journal.js';
import { LOCK, lockDirectory, type DirectoryLock, type LockOptions } from './lock.js';
import { MANIFEST, planManifest, readManifest, type ManifestScope, type Owner } from './manifest.js';
import { recoverDirectory } from './recover.js';
import { watchSignals, type SignalWatch } from './signals.js';
import { attributesOf, backUp, inspectTarget, writeTemporary } from './stage.js';
import { pauseForTest, pauseForTestInCommit } from './testPause.js';

export interface OutputFile {
  path: string;
  content: FileContent;
  /** The firewall and target the file belongs to, for the manifest of `WriteOptions.manifest`. */
  owner?: Owner;
}

export interface WriteOptions {
  /**
   * Rewrite each file where it really is: a symbolic link at the path is followed and kept, and the
   * file keeps its mode and owner (`fmt --write`). Otherwise whatever is at the path, a link
   * included, is replaced by a new file and nothing is written through.
   */
  inPlace?: boolean;
  /** Keep the manifest of this directory (`compile --out-dir`): record the files, remove stale ones. */
  manifest?: Omit<ManifestScope, 'dir'> & { dir: string };
  /** Told what the run found and did besides writing (waiting for a lock, recovering a killed run). */
  note?: (message: string) => void;
  /**
   * Every file of the run in its final order, when not all are ready yet (`compile` on several
   * threads): the files given are staged while this settles, and are among its files (the same
   * objects). Its files must go into the directories of the files given (those are locked). Should
   * it fail, the run is undone as for any failure before the commit.
   */
  whole?: Promise<readonly OutputFile[]>;
}

export interface WriteResult {
  /** The paths written, as given. */
  written: string[];
  /** Stale files removed from the manifest's directory, and why they were stale. */
  removed: { path: string; reason: string }[];
  /** Stale files left in place because they changed since msgrfw wrote them. */
  kept: { path: string; reason: string }[];
  /** A signal that arrived during the commit: the run finished it first. */
  interruptedBy?: NodeJS.Signals;
}

/** One directory's part of a run. */
interface Plan {
  dir: string;
  shown: string;
  files: PlannedFile[];
  steps: Step[];
}

/**
 * A file of a directory's plan. Its hash is taken once, from the bytes its temporary file was
 * written from (the journal and the manifest both record it): set when the file is staged.
 */
interface PlannedFile {
  given: string;
  name: string;
  content: FileContent;
  sha256?: string;
  owner?: Owner;
}

/** How long a run waits for another run's lock: `MSGRFW_LOCK_WAIT` seconds, 10 by default. */
function lockWaitMs(): number {
  const raw = process.env.MSGRFW_LOCK_WAIT;
  if (raw === undefined || raw === '') return 10_000;
  const s = Number(raw);
  if (!Number.isFinite(s) || s < 0) throw new OutputError(`cannot wait for a lock: MSGRFW_LOCK_WAIT must be a number of seconds, not ${JSON.stringify(raw)}`);
  return s * 1000;
}

/**
 * Writes every file whole or none at all, with the directory locked against other runs:
 * 1. each directory is made if missing (one level at a time) and locked; what a killed run left
 *    there is completed or cleaned up;
 * 2. each file is written to a new temporary file beside its target and synced, and each old
 *    file kept as a backup (a hard link); stale files of the manifest are found;
 * 3. the journal of renames is written: the commit point;
 * 4. the renames are done (synchronously: a signal waits until they are), then the backups and
 *    the journal go.
 * A failure or a signal before 3 removes what the run made, directories included; a failure
 * during 4 puts the old files back. Either way no file is changed, and the error says so.
 */
export async function writeAllOrNothing(files: readonly OutputFile[], options: WriteOptions = {}): Promise<WriteResult> {
  const result: WriteResult = { written: files.map((f) => f.path), removed: [], kept: [] };
  if (!files.length && !options.manifest) return result;
  const note = options.note ?? (() => {});
  const waitMs = lockWaitMs();
  const watch = watchSignals();
  const made: string[] = [];
  const locks: DirectoryLock[] = [];
  const plans = new Map<string, Plan>();
  let journaled = false;
  let committed = false;
  const lockOptions = (p: Plan): LockOptions => ({ waitMs, watch, note, shown: p.shown });
  try {
    const planFor = (givenDir: string): Plan => {
      made.push(...makeDirectories(givenDir));
      const dir = realDirectory(givenDir);
      const plan = plans.get(dir) ?? { dir, shown: givenDir, files: [], steps: [] };
      plans.set(dir, plan);
      return plan;
    };
    const manifestPlan = options.manifest && planFor(options.manifest.dir);
    for (const f of files) addFile(planFor(dirname(options.inPlace ? realFile(f.path) : f.path)), f, options.inPlace);

    // In one order for every run, so two runs over the same directories cannot wait for each other.
    const ordered = [...plans.values()].sort((a, b) => (a.dir < b.dir ? -1 : 1));
    for (const p of ordered) locks.push(await lockDirectory(p.dir, lockOptions(p)));
    for (const p of ordered) await recoverDirectory(p.dir, lockOptions(p));
    await pauseForTest('locked', watch);

    await stage(ordered, options.inPlace, watch);
    if (options.whole) {
      const whole = await options.whole;
      addLaterFiles(plans, whole, files, options.inPlace);
      result.written = whole.map((f) => f.path);
      await stage(ordered, options.inPlace, watch);
    }
    // The manifest records the hashes the staging took, so it is staged after the files.
    if (manifestPlan && options.manifest) {
      planStaleFiles(manifestPlan, options.manifest, result);
      await stage(ordered, options.inPlace, watch);
    }

    writeJournals(ordered);
    journaled = true;
    pauseForTestInCommit('journal');
    commit(ordered);
    committed = true;
    pauseForTestInCommit('committed');
    for (const p of ordered) cleanUp(p, note);
  } catch (e) {
    // Before the commit point: remove what the run made (the commit undoes its own).
    for (const p of journaled ? [] : plans.values()) {
      try {
        undoSteps(p.dir, p.steps);
      } catch {
        // the next run into the directory removes what is left
      }
    }
    throw e;
  } finally {
    for (const l of locks.reverse()) l.release();
    if (!committed) removeDirectories(made);
    await watch.stop();
  }
  return { ...result, ...(watch.received ? { interruptedBy: watch.received } : {}) };
}

/**
 * The files of `whole` not staged yet join their directories' plans, and every plan lists its
 * files in `whole`'s order (the journal's and the manifest's order).
 */
function addLaterFiles(plans: Map<string, Plan>, whole: readonly OutputFile[], first: readonly OutputFile[], inPlace: boolean | undefined): void {
  const given = new Set(first);
  const rank = new Map<string, number>();
  whole.forEach((f, i) => {
    const dir = realDirectory(dirname(inPlace ? realFile(f.path) : f.path));
    const plan = plans.get(dir);
    if (!plan) throw new Error(`internal: ${f.path} is not in a directory this run locked`);
    if (!given.has(f)) addFile(plan, f, inPlace);
    rank.set(f.path, i);
  });
  if (first.some((f) => !rank.has(f.path))) throw new Error('internal: a file given first is missing from the whole run');
  for (const p of plans.values()) p.files.sort((a, b) => rank.get(a.given)! - rank.get(b.given)!);
}

function addFile(plan: Plan, f: OutputFile, inPlace: boolean | undefined): void {
  const name = basename(inPlace ? realFile(f.path) : f.path);
  if (name === LOCK || name === JOURNAL || name === MANIFEST || SCRATCH.test(name) || name.startsWith(`${LOCK}.`)) {
    throw new OutputError(`cannot write ${f.path}: msgrfw keeps that name for itself`);
  }
  const twin = plan.files.find((g) => g.name === name);
  if (twin && !sameContent(twin.content, f.content)) throw new OutputError(`cannot write ${f.path}: this run has two different files for it`);
  if (!twin) plan.files.push({ given: f.path, name, content: f.content, ...(f.owner ? { owner: f.owner } : {}) });
}

/**
 * Step 2 for every file not staged yet: the temporaries are written several at a time (each is
 * synced to disk, and syncs of many small files cost less side by side), each hashed from the
 * bytes written, then the old files are backed up. A failure or a signal stops it; what was made
 * is left in the plans, for the caller to undo.
 */
async function stage(plans: readonly Plan[], inPlace: boolean | undefined, watch: SignalWatch): Promise<void> {
  const jobs = plans.flatMap((p) =>
    p.files.filter((f) => f.sha256 === undefined).map((f) => {
      const path = join(p.dir, f.name);
      const { exists } = inspectTarget(path, f.given);
      const keep = inPlace && exists ? attributesOf(path, f.given) : undefined;
      return { p, f, exists, keep };
    }),
  );
  let next = 0;
  // Counted over the run (the manifest is staged after the files), for the test pauses.
  let staged = plans.reduce((n, p) => n + p.steps.filter((step) => step.kind === 'write').length, 0);
  let failed: { error: unknown } | undefined;
  const worker = async () => {
    const buffer = new EncodingBuffer();
    while (next < jobs.length && !failed && !watch.received) {
      const { p, f, keep } = jobs[next++]!;
      try {
        const { temp, sha256 } = await writeTemporary(p.dir, f.content, buffer, f.given, keep);
        f.sha256 = sha256;
        p.steps.push({ kind: 'write', name: f.name, temp, sha256 });
        await pauseForTest(`staged:${++staged}`, watch);
      } catch (e) {
        failed ??= { error: e };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, jobs.length) }, worker));
  if (failed) throw failed.error;
  watch.throwIfReceived();
  for (const p of plans) {
    // The journal lists the files in the order given, then the removals, then the manifest,
    // whatever order the writes ended in.
    const order = new Map(p.files.map((f, i) => [f.name, i]));
    const rank = (s: Step) => (s.kind === 'remove' ? order.size : s.name === MANIFEST ? order.size + 1 : order.get(s.name)!);
    p.steps.sort((a, b) => rank(a) - rank(b));
  }
  for (const { p, f, exists } of jobs) {
    if (exists) Object.assign(p.steps.find((s) => s.kind === 'write' && s.name === f.name)!, backUp(p.dir, f.name, f.given));
  }
  watch.throwIfReceived();
}

/** The removal of stale files and the manifest's new text join the same commit. */
function planStaleFiles(p: Plan, scope: NonNullable<WriteOptions['manifest']>, result: WriteResult): void {
  const written = p.files.flatMap((f) => (f.owner ? [{ file: f.name, sha256: f.sha256!, ...f.owner }] : []));
  const plan = planManifest(readManifest(p.dir, p.shown), written, { ...scope, dir: p.dir });
  for (const { entry, reason } of plan.remove) {
    p.steps.push({ kind: 'remove', name: entry.file, backup: scratchName('old'), sha256: entry.sha256 });
    result.removed.push({ path: join(scope.dir, entry.file), reason });
  }
  result.kept = plan.keep.map(({ entry, reason }) => ({ path: join(scope.dir, entry.file), reason }));
  if (plan.text !== undefined) p.files.push({ given: join(scope.dir, MANIFEST), name: MANIFEST, content: plan.text });
}

/** The commit point: every directory's journal, or (should one fail) none. */
function writeJournals(plans: readonly Plan[]): void {
  const written: Plan[] = [];
  for (const p of plans) {
    try {
      writeJournal(p.dir, p.steps);
      written.push(p);
    } catch (e) {
      for (const w of written) removeJournal(w.dir);
      throw failure('write the journal in', p.shown, e);
    }
  }
}

/** The renames; should one fail, every one done is undone before the error goes on. */
function commit(plans: readonly Plan[]): void {
  let done = 0;
  let current = plans[0];
  try {
    for (const p of plans) {
      current = p;
      applySteps(p.dir, p.steps, () => pauseForTestInCommit(`commit:${++done}`));
    }
  } catch (e) {
    const why = failure('put the new files in place in', current?.shown ?? '', e);
    try {
      const lost = plans.flatMap((p) => undoSteps(p.dir, p.steps));
      for (const p of plans) removeJournal(p.dir);
      if (lost.length) throw new OutputError(`${why.message}; and the old version of ${lost.join(', ')} could not be put back`, false);
    } catch (undoing) {
      if (undoing instanceof OutputError) throw undoing;
      throw new OutputError(`${why.message}; putting the old files back failed too (${(undoing as Error).message}): the next msgrfw run into these directories finishes or undoes this one`, false);
    }
    throw why;
  }
}

/** After the commit: the old versions and the journal go. Failing here changes nothing written; the next run finishes it. */
function cleanUp(p: Plan, note: (message: string) => void): void {
  try {
    syncDirectory(p.dir);
    dropBackups(p.dir, p.steps);
    removeJournal(p.dir);
  } catch (e) {
    note(`${failure('remove the old versions in', p.shown, e).message}; every file was written, and the next run into ${p.shown} removes them`);
  }
}

function realDirectory(dir: string): string {
  try {
    return realpathSync(dir);
  } catch (e) {
    throw failure('write into', dir, e);
  }
}

/** Where a path really leads (links followed), for a file rewritten in place. */
function realFile(path: string): string {
  try {
    return realpathSync(path);
  } catch (e) {
    throw failure('find the file behind', path, e);
  }
}
