import { linkSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errnoOf, failure, OutputError } from './failure.js';
import { describeHolder, hasEnded, newNonce, parseHolder, thisProcess, type Holder } from './holder.js';
import { sleepUnlessSignalled, type SignalWatch } from './signals.js';

/** The lock of a directory msgrfw writes into; `<lock>.<nonce>` guards the takeover of one stale lock. */
export const LOCK = '.msgrfw.lock';

export interface DirectoryLock {
  release(): void;
}

export interface LockOptions {
  /** How long to wait for a live holder, in milliseconds. */
  waitMs: number;
  watch: SignalWatch;
  note: (message: string) => void;
  /** The directory as the user named it, for messages. */
  shown: string;
}

/**
 * Locks a directory for one run: a file created exclusively (written in full beside it, then
 * hard-linked into place, so no one ever reads half a record) naming this process. A live holder
 * is waited for, up to a bound; a holder that has ended (killed, or the machine restarted) is
 * taken over, and the note says so.
 */
export async function lockDirectory(dir: string, options: LockOptions): Promise<DirectoryLock> {
  const path = join(dir, LOCK);
  const mine = await acquire(path, options);
  return {
    release() {
      if (nonceAt(path) === mine.nonce) unlinkQuietly(path);
    },
  };
}

async function acquire(path: string, options: LockOptions): Promise<Holder> {
  const mine = thisProcess();
  const deadline = Date.now() + options.waitMs;
  let told = false;
  for (;;) {
    options.watch.throwIfReceived();
    mine.since = new Date().toISOString();
    if (create(path, mine, options.shown)) return mine;
    const held = holderAt(path);
    if (held === undefined) continue; // released meanwhile
    if (held !== 'unreadable' && hasEnded(held)) {
      if (await removeStale(path, held, options)) {
        options.note(`${options.shown} was locked by ${describeHolder(held)}, which is no longer running: took the lock over`);
      }
      continue;
    }
    const who = held === 'unreadable' ? 'a lock file msgrfw cannot read' : describeHolder(held);
    if (Date.now() >= deadline) {
      throw new OutputError(
        `cannot write into ${options.shown}: it is locked by ${who}; gave up after ${options.waitMs / 1000} s` +
          `\n  if no msgrfw run is writing there, remove ${path}; MSGRFW_LOCK_WAIT=SECONDS waits longer`,
      );
    }
    if (!told) options.note(`${options.shown} is locked by ${who}: waiting up to ${options.waitMs / 1000} s`);
    told = true;
    await sleepUnlessSignalled(100, options.watch);
  }
}

/**
 * Removes a lock whose holder has ended. Two runs may find the same stale lock at once; only the
 * one that holds `<lock>.<its nonce>` may remove it, and only while it still carries that nonce,
 * so neither can remove the fresh lock the other has just taken. Returns whether this run removed it.
 */
async function removeStale(path: string, stale: Holder, options: LockOptions): Promise<boolean> {
  const guard = `${path}.${stale.nonce}`;
  const mine = await acquire(guard, { ...options, note: () => {} });
  try {
    if (nonceAt(path) !== stale.nonce) return false;
    unlinkQuietly(path);
    return true;
  } finally {
    if (nonceAt(guard) === mine.nonce) unlinkQuietly(guard);
  }
}

/** Takes `path` if it is free. */
function create(path: string, holder: Holder, shown: string): boolean {
  const text = `${JSON.stringify(holder)}\n`;
  const pending = join(path, '..', `.msgrfw-${newNonce()}.lock`);
  try {
    writeFileSync(pending, text, { flag: 'wx', mode: 0o644 });
  } catch (e) {
    throw failure('write into', shown, e);
  }
  try {
    linkSync(pending, path);
    return true;
  } catch (e) {
    const code = errnoOf(e);
    if (code === 'EEXIST') return false;
    if (code === 'ENOENT') return false; // the pending file was swept by the holder's recovery: try again
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes(code ?? '')) throw failure('write into', shown, e);
  } finally {
    unlinkQuietly(pending);
  }
  // A file system without hard links: create it exclusively and write it (a reader may see it
  // empty for a moment, and then waits).
  try {
    writeFileSync(path, text, { flag: 'wx', mode: 0o644 });
    return true;
  } catch (e) {
    if (errnoOf(e) === 'EEXIST') return false;
    throw failure('write into', shown, e);
  }
}

function holderAt(path: string): Holder | 'unreadable' | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return undefined;
    return 'unreadable';
  }
  return parseHolder(text) ?? 'unreadable';
}

function nonceAt(path: string): string | undefined {
  const h = holderAt(path);
  return typeof h === 'object' ? h.nonce : undefined;
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

/**
 * Removes the takeover guards (`.msgrfw.lock.<nonce>…`) of runs that were killed in the middle of
 * a takeover, each by the same protocol as a lock. Returns how many it removed.
 */
export async function sweepGuards(dir: string, options: LockOptions): Promise<number> {
  let swept = 0;
  for (const name of readdirSync(dir).filter((n) => n.startsWith(`${LOCK}.`)).sort((a, b) => b.length - a.length)) {
    const held = holderAt(join(dir, name));
    if (held === undefined || held === 'unreadable' || !hasEnded(held)) continue;
    try {
      if (await removeStale(join(dir, name), held, { ...options, waitMs: 0 })) swept++;
    } catch (e) {
      if (!(e instanceof OutputError)) throw e; // another run is sweeping it: leave it to that run
    }
  }
  return swept;
}
