import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { thisProcess } from '../cli/output/holder.js';
import { lockDirectory, type DirectoryLock } from '../cli/output/lock.js';
import { OutputError } from '../cli/output/failure.js';
import { signalExitStatus, watchSignals } from '../cli/output/signals.js';
import { Work } from '../addresses/boxes.js';
import type { PolicyVersion } from '../diff/diff.js';
import type { IrFirewall } from '../ir/types.js';
import { ToolError } from '../live/run.js';
import { renderVerify } from '../verify/render.js';
import { readLiveFirewall, verifyPolicy } from '../verify/verify.js';
import { VerifyTrouble } from '../verify/regions.js';
import type { Session } from './session.js';
import { checkRestorable, restoreSnapshot, type Snapshot } from './snapshot.js';
import { claim, isPending, makeStateDir, readJson, settle, setDeadline, stateDir, STATE_FILES, watchdogOf, writeWhole, type Pending } from './state.js';
import { applyArtefacts, beforeFiles, dryRun, takeSnapshot, type LiveTarget } from './targets.js';
import { armWatchdog } from './watchdog.js';

/** apply's exit statuses: kept; refused or not confirmed (rolled back); trouble. A signal: 128 + n. */
export const APPLY_EXIT = { kept: 0, refused: 1, trouble: 2 } as const;

/** How long applying itself may take before the watchdog's deadline starts to count. */
const APPLY_ALLOWANCE_MS = 120_000;

export interface ApplyOptions {
  timeoutSeconds: number;
  yes: boolean;
  /** Called once the rules are kept (confirmed), before apply ends: --persist. */
  onKept?: () => void;
}

export interface ApplyRun {
  policy: PolicyVersion;
  fw: IrFirewall;
  target: LiveTarget;
  /** The artefacts, as compile writes them. */
  files: Map<string, string>;
  say: (line: string) => void;
  session: Session;
}

/**
 * Applies a firewall with a way back: dry run, snapshot of what it replaces, a watchdog armed,
 * the artefacts applied, then kept only when confirmed in time (or with --yes); otherwise, and
 * when the session ends (hang-up, stdin closed, Ctrl-C), the snapshot is restored. Returns the
 * exit status.
 */
export async function applyWithRollback(run: ApplyRun, options: ApplyOptions): Promise<number> {
  const { fw, target, files, say, session } = run;
  const what = `firewall ${fw.name} (${target})`;
  const problem = dryRun(target, fw, files);
  if (problem) {
    say(`msgrfw: the ${target} dry run refuses the rules of ${what}:\n  ${problem}\n  nothing was changed`);
    return APPLY_EXIT.trouble;
  }
  await session.settle();
  if (session.received) return stopped(say, session.received);
  if (!options.yes && session.stdinClosed) {
    say(`msgrfw: nothing could confirm the new rules: stdin is closed. Run apply from a terminal, or give --yes when something else confirms that the machine is still reachable\n  nothing was changed`);
    return APPLY_EXIT.trouble;
  }
  const dir = stateDir(fw.name, target);
  makeStateDir(dir);
  const watch = watchSignals();
  let lock: DirectoryLock;
  try {
    lock = await lockDirectory(dir, { waitMs: 0, watch, note: (m) => say(`msgrfw: ${m}`), shown: `the apply state of ${what} (${dir})` });
  } catch (e) {
    if (!(e instanceof OutputError)) throw e;
    say(`msgrfw: another msgrfw apply of ${what} is running: ${e.message}`);
    return APPLY_EXIT.trouble;
  } finally {
    await watch.stop();
  }
  try {
    const stale = pendingProblem(dir, what);
    if (stale) {
      say(stale);
      return APPLY_EXIT.trouble;
    }
    const snapshot = takeSnapshot(target, fw, files);
    const unrestorable = checkRestorable(snapshot);
    if (unrestorable) {
      say(`msgrfw: the rules ${what} would replace could not be put back (${unrestorable}); not applying without a way back\n  nothing was changed`);
      return APPLY_EXIT.trouble;
    }
    writeWhole(join(dir, STATE_FILES.snapshot), `${JSON.stringify(snapshot)}\n`);
    for (const [file, text] of Object.entries(beforeFiles(snapshot))) writeWhole(join(dir, file), text);
    const pending: Pending = { apply: thisProcess(), firewall: fw.name, target, policy: run.policy.source.file, since: new Date().toISOString() };
    setDeadline(dir, Date.now() + options.timeoutSeconds * 1000 + APPLY_ALLOWANCE_MS);
    writeWhole(join(dir, STATE_FILES.pending), `${JSON.stringify(pending)}\n`);
    try {
      await armWatchdog(dir);
    } catch (e) {
      claim(dir);
      settle(dir, `not applied: ${(e as Error).message}`);
      say(`msgrfw: ${(e as Error).message}; not applying without it\n  nothing was changed`);
      return APPLY_EXIT.trouble;
    }
    if (session.received) return rollBack(run, dir, snapshot, `interrupted by ${session.received} before the rules changed`, signalExitStatus(session.received));
    try {
      applyArtefacts(target, fw, files);
    } catch (e) {
      if (!(e instanceof ToolError)) throw e;
      say(`msgrfw: applying ${what} failed: ${e.message}`);
      return rollBack(run, dir, snapshot, 'the rules could not be applied', APPLY_EXIT.trouble);
    }
    setDeadline(dir, Date.now() + options.timeoutSeconds * 1000);
    say(`applied ${what}.`);
    reportVerify(run);
    if (options.yes) return keep(run, dir, options, 'kept (--yes)');
    if (session.received) return rollBack(run, dir, snapshot, `${session.received} arrived`, signalExitStatus(session.received));
    await session.settle(50);
    const ignored = session.discardTypeAhead();
    if (ignored) say(`(ignored ${ignored} line(s) typed before the new rules were in place)`);
    say(`Type yes and Enter within ${options.timeoutSeconds} s to keep the new rules; anything else, or nothing, restores the previous ones.`);
    const answer = await session.answer(options.timeoutSeconds * 1000);
    switch (answer.kind) {
      case 'yes':
        return keep(run, dir, options, 'kept: confirmed');
      case 'other':
        return rollBack(run, dir, snapshot, `the answer was '${answer.text.slice(0, 40)}', not yes`, APPLY_EXIT.refused);
      case 'timeout':
        return rollBack(run, dir, snapshot, `no confirmation within ${options.timeoutSeconds} s`, APPLY_EXIT.refused);
      case 'closed':
        return rollBack(run, dir, snapshot, 'stdin was closed before a confirmation', APPLY_EXIT.refused);
      case 'gone':
        return rollBack(run, dir, snapshot, 'the terminal went away', APPLY_EXIT.refused);
      case 'signal':
        return rollBack(run, dir, snapshot, `${answer.signal} arrived`, signalExitStatus(answer.signal));
    }
  } finally {
    lock.release();
  }
}

function stopped(say: (l: string) => void, signal: NodeJS.Signals): number {
  say(`msgrfw: interrupted by ${signal}\n  nothing was changed`);
  return signalExitStatus(signal);
}

/** Why a new apply must not start: an earlier one is still pending, or was left pending with no one to settle it. */
function pendingProblem(dir: string, what: string): string | undefined {
  if (!isPending(dir)) return undefined;
  const pending = readJson<Pending>(join(dir, STATE_FILES.pending)) ?? readJson<Pending>(join(dir, STATE_FILES.claimed));
  const watchdog = watchdogOf(dir);
  const since = pending ? ` (started ${pending.since} by ${pending.apply.command})` : '';
  if (watchdog.alive) {
    return `msgrfw: an earlier apply of ${what}${since} is still waiting for its confirmation; its watchdog (pid ${watchdog.holder!.pid}) restores the rules from before it unless it is confirmed. Wait for it, or end it\n  nothing was changed`;
  }
  return (
    `msgrfw: an earlier apply of ${what}${since} was never confirmed and nothing rolled it back (its process and its watchdog are gone): ` +
    `the live rules may be the unconfirmed ones.\n  check them with msgrfw verify; to go back to the rules from before it, load ${dir}/before.* by hand (see the README, Operating); ` +
    `then remove ${join(dir, STATE_FILES.pending)} and ${join(dir, STATE_FILES.claimed)}\n  nothing was changed`
  );
}

/** The live firewall right after applying, held against the policy: it should be exactly the policy. */
function reportVerify(run: ApplyRun): void {
  try {
    const report = verifyPolicy(run.policy, run.fw.name, run.target, readLiveFirewall(run.policy.ir, run.fw, run.target), new Work());
    if (report.status === 'identical') run.say('verify: the live firewall now does what the policy says.');
    else run.say(`verify: the live firewall is not exactly the policy (answer anything but yes to restore the previous rules):\n${renderVerify(report).trimEnd()}`);
  } catch (e) {
    if (!(e instanceof ToolError || e instanceof VerifyTrouble)) throw e;
    run.say(`verify: could not compare the live firewall with the policy: ${e.message}`);
  }
}

function keep(run: ApplyRun, dir: string, options: ApplyOptions, outcome: string): number {
  if (!claim(dir)) return tooLate(run, dir);
  settle(dir, outcome);
  run.say(`kept firewall ${run.fw.name} (${run.target}). The rules from before are in ${dir}/before.* (see the README, Operating).`);
  try {
    options.onKept?.();
  } catch (e) {
    if (typeof (e as NodeJS.ErrnoException).code !== 'string' && !(e instanceof ToolError)) throw e;
    run.say(`msgrfw: the rules are kept, but making them load at boot failed: ${(e as Error).message}`);
    return APPLY_EXIT.trouble;
  }
  return APPLY_EXIT.kept;
}

function rollBack(run: ApplyRun, dir: string, snapshot: Snapshot, why: string, status: number): number {
  if (!claim(dir)) return tooLate(run, dir);
  try {
    restoreSnapshot(snapshot);
  } catch (e) {
    if (!(e instanceof ToolError)) throw e;
    settle(dir, `rollback failed: ${e.message}`);
    run.say(`msgrfw: ${why}; restoring the previous rules FAILED: ${e.message}\n  load ${dir}/before.* by hand (see the README, Operating)`);
    return APPLY_EXIT.trouble;
  }
  settle(dir, `rolled back: ${why}`);
  run.say(`${why}: restored the rules firewall ${run.fw.name} (${run.target}) had before.`);
  return status;
}

/** The watchdog got there first: it restored the rules (or tried to). */
function tooLate(run: ApplyRun, dir: string): number {
  const outcome = readText(join(dir, STATE_FILES.outcome));
  run.say(`msgrfw: too late: the watchdog settled the apply first: ${outcome ?? 'see its record'}`);
  return APPLY_EXIT.refused;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}
