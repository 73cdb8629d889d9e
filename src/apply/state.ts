import { existsSync, mkdirSync, readFileSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasEnded, parseHolder, type Holder } from '../cli/output/holder.js';
import type { Snapshot } from './snapshot.js';

/**
 * Where apply keeps what it needs to undo itself, per firewall and target: the snapshot (as data,
 * and as files an administrator can load by hand), and while a confirmation is awaited, the
 * pending record, its deadline and the watchdog that restores the snapshot if nobody confirms.
 * `MSGRFW_STATE_DIR` (default /var/lib/msgrfw); a network namespace other than the machine's own
 * gets a directory of its own (rules are per network namespace).
 */
export const STATE_FILES = {
  pending: 'pending.json',
  claimed: 'claimed.json',
  deadline: 'deadline',
  watchdog: 'watchdog.json',
  snapshot: 'snapshot.json',
  outcome: 'outcome.txt',
} as const;

export interface Pending {
  apply: Holder;
  firewall: string;
  target: string;
  policy: string;
  since: string;
}

export function stateBase(): string {
  const base = process.env.MSGRFW_STATE_DIR || '/var/lib/msgrfw';
  const ns = (pid: string) => {
    try {
      return readlinkSync(`/proc/${pid}/ns/net`);
    } catch {
      return undefined;
    }
  };
  const mine = ns('self');
  const machine = ns('1');
  if (mine === undefined || mine === machine) return base;
  return join(base, `netns-${mine.replace(/\D/g, '')}`);
}

export const stateDir = (firewall: string, target: string) => join(stateBase(), `${firewall}.${target}`);

/** Writes a file whole: a temporary file beside it, renamed over it. */
export function writeWhole(path: string, text: string, mode = 0o600): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode });
  renameSync(tmp, path);
}

export function makeStateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

export const readJson = <T>(path: string): T | undefined => {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
};

/**
 * Takes the pending apply over, for whoever acts on it (confirm, roll back): a rename, so exactly
 * one of the apply process and its watchdog wins. False when the other already has it.
 */
export function claim(dir: string): boolean {
  try {
    renameSync(join(dir, STATE_FILES.pending), join(dir, STATE_FILES.claimed));
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

/** Ends a claim: the apply is settled, kept or rolled back. */
export function settle(dir: string, outcome: string): void {
  writeWhole(join(dir, STATE_FILES.outcome), `${new Date().toISOString()} ${outcome}\n`, 0o644);
  rmSync(join(dir, STATE_FILES.claimed), { force: true });
  rmSync(join(dir, STATE_FILES.deadline), { force: true });
}

export const isPending = (dir: string) => existsSync(join(dir, STATE_FILES.pending)) || existsSync(join(dir, STATE_FILES.claimed));

/** The watchdog of a pending apply, and whether it still runs. */
export function watchdogOf(dir: string): { holder?: Holder; alive: boolean } {
  let text: string;
  try {
    text = readFileSync(join(dir, STATE_FILES.watchdog), 'utf8');
  } catch {
    return { alive: false };
  }
  const holder = parseHolder(text);
  return holder ? { holder, alive: !hasEnded(holder) } : { alive: false };
}

export const readSnapshot = (dir: string) => readJson<Snapshot>(join(dir, STATE_FILES.snapshot));

export function setDeadline(dir: string, at: number): void {
  writeWhole(join(dir, STATE_FILES.deadline), `${at}\n`);
}

export function deadlineOf(dir: string): number | undefined {
  try {
    const n = Number(readFileSync(join(dir, STATE_FILES.deadline), 'utf8').trim());
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}
