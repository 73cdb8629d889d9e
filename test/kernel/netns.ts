// Namespace naming, listing and last-resort cleanup.
// Every namespace this harness creates is called `msgrt-<pid>-<seq><rand>-<role>`:
// the pid keeps parallel vitest processes apart, seq+rand keeps topologies
// inside one process apart, and the common prefix makes leaks easy to spot.
import { randomBytes } from 'node:crypto';
import { run, runSync } from './exec.js';

export const NS_PREFIX = 'msgrt-';

/** Prefix of every namespace created by this process. */
export function processPrefix(pid: number = process.pid): string {
  return `${NS_PREFIX}${pid}-`;
}

let seq = 0;
/** A fresh prefix for one topology (or one throwaway namespace). */
export function uniquePrefix(): string {
  seq += 1;
  return `${processPrefix()}${seq.toString(36)}${randomBytes(2).toString('hex')}-`;
}

/** Names from `ip netns list` (the list also shows "(id: N)" suffixes). */
export function listNamespaces(prefix: string = NS_PREFIX): string[] {
  const out = runSync(['ip', 'netns', 'list']).stdout;
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n.startsWith(prefix));
}

// Namespaces that exist right now, so an abrupt exit (uncaught error, Ctrl-C
// ending the worker) still removes them synchronously.
const live = new Set<string>();
let exitHookInstalled = false;

export function trackNamespace(ns: string): void {
  live.add(ns);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const n of live) runSync(['ip', 'netns', 'del', n]);
    });
  }
}

export async function deleteNamespace(ns: string): Promise<void> {
  await run(['ip', 'netns', 'del', ns], { allowFail: true });
  live.delete(ns);
}

/**
 * Remove namespaces left behind by harness processes that no longer exist
 * (e.g. a worker killed with SIGKILL). Only touches `msgrt-<pid>-` names whose
 * pid is dead, so concurrent runs are left alone.
 */
export async function sweepStaleNamespaces(): Promise<string[]> {
  const removed: string[] = [];
  for (const ns of listNamespaces()) {
    const m = /^msgrt-(\d+)-/.exec(ns);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || isAlive(pid)) continue;
    await deleteNamespace(ns);
    removed.push(ns);
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
