import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { thisProcess } from '../cli/output/holder.js';
import { restoreSnapshot } from './snapshot.js';
import { claim, deadlineOf, readSnapshot, settle, STATE_FILES, watchdogOf, writeWhole } from './state.js';

/**
 * The safety net under a pending apply: a process of its own, started before the rules change,
 * in a session of its own (no terminal, so the SSH session's end does not reach it) and in the
 * same network namespace, that outlives the apply process, even one killed with SIGKILL. If the
 * apply is still pending GRACE_MS after its deadline (the apply process rolls back at the
 * deadline itself when it can), it takes the pending apply over and restores the snapshot.
 */
export const GRACE_MS = 5_000;
const TICK_MS = 200;

export async function runWatchdog(dir: string): Promise<void> {
  // Detached from any terminal already; a stray hang-up or interrupt must not end the net.
  for (const s of ['SIGHUP', 'SIGINT'] as const) process.on(s, () => {});
  writeWhole(join(dir, STATE_FILES.watchdog), `${JSON.stringify(thisProcess())}\n`, 0o644);
  for (;;) {
    if (!existsSync(join(dir, STATE_FILES.pending))) return; // confirmed, or rolled back by the apply
    const deadline = deadlineOf(dir);
    if (deadline !== undefined && Date.now() >= deadline + GRACE_MS) {
      if (!claim(dir)) return;
      const snapshot = readSnapshot(dir);
      try {
        if (!snapshot) throw new Error(`${join(dir, STATE_FILES.snapshot)} is missing or unreadable`);
        restoreSnapshot(snapshot);
        settle(dir, 'rolled back by the watchdog: the apply was not confirmed and its process did not roll it back');
      } catch (e) {
        settle(dir, `the watchdog could not roll back: ${(e as Error).message}`);
      }
      return;
    }
    await new Promise((r) => setTimeout(r, TICK_MS));
  }
}

/**
 * Starts the watchdog for `dir` and waits until it runs (it writes its record), so the net is
 * in place before anything changes. Throws when it does not start.
 */
export async function armWatchdog(dir: string, waitMs = 20_000): Promise<void> {
  const entry = process.argv[1];
  if (!entry) throw new Error('cannot start the rollback watchdog: no msgrfw entry point in argv');
  const child = spawn(process.execPath, [entry, '__watchdog', dir], { detached: true, stdio: 'ignore' });
  child.unref();
  let failed: Error | undefined;
  child.on('error', (e) => (failed = e));
  const until = Date.now() + waitMs;
  while (Date.now() < until) {
    if (failed) throw new Error(`cannot start the rollback watchdog: ${failed.message}`);
    const w = watchdogOf(dir);
    if (w.holder?.pid === child.pid && w.alive) return;
    if (child.exitCode !== null) throw new Error(`the rollback watchdog ended at once (exit ${child.exitCode})`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the rollback watchdog did not start within ${waitMs / 1000} s`);
}
