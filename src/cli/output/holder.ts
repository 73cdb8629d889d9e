import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Who holds a lock: enough to tell, later and from another process, whether that run is still
 * alive. A pid alone is not: pids are reused, so the process's start time (in clock ticks since
 * boot) and the boot's id are kept too; a lock from another host or another pid namespace cannot
 * be judged from here and counts as held.
 */
export interface Holder {
  pid: number;
  /** /proc/<pid>/stat field 22 (Linux); absent elsewhere. */
  start?: string;
  boot?: string;
  pidNamespace?: string;
  host: string;
  /** Unique to this lock: what a takeover compares, so it never removes a newer lock. */
  nonce: string;
  command: string;
  since: string;
}

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
};

/** Field 22 of /proc/<pid>/stat: after the command name in parentheses, which may hold spaces. */
function startOf(pid: number): string | undefined {
  const stat = read(`/proc/${pid}/stat`);
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

function pidNamespace(): string | undefined {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return undefined;
  }
}

export const newNonce = (): string => randomBytes(8).toString('hex');

export function thisProcess(): Holder {
  const start = startOf(process.pid);
  const boot = read('/proc/sys/kernel/random/boot_id');
  const ns = pidNamespace();
  return {
    pid: process.pid,
    ...(start ? { start } : {}),
    ...(boot ? { boot } : {}),
    ...(ns ? { pidNamespace: ns } : {}),
    host: hostname(),
    nonce: newNonce(),
    command: `msgrfw ${process.argv.slice(2).join(' ')}`.slice(0, 300),
    since: new Date().toISOString(),
  };
}

/** A holder record read back from a file, or undefined if it is not one (the file is never trusted). */
export function parseHolder(text: string): Holder | undefined {
  let h: Partial<Holder>;
  try {
    h = JSON.parse(text) as Partial<Holder>;
  } catch {
    return undefined;
  }
  const str = (v: unknown) => v === undefined || typeof v === 'string';
  const ok =
    typeof h === 'object' && h !== null &&
    Number.isSafeInteger(h.pid) && (h.pid as number) > 0 &&
    typeof h.nonce === 'string' && /^[0-9a-f]{16}$/.test(h.nonce) &&
    typeof h.host === 'string' && typeof h.command === 'string' && typeof h.since === 'string' &&
    str(h.start) && str(h.boot) && str(h.pidNamespace);
  return ok ? (h as Holder) : undefined;
}

/** Whether the run that wrote `h` has certainly ended (so its lock may be taken over). */
export function hasEnded(h: Holder): boolean {
  const me = thisProcess();
  if (h.host !== me.host) return false;
  if (h.boot && me.boot && h.boot !== me.boot) return true; // the machine was restarted since
  if (h.pidNamespace !== me.pidNamespace) return false;
  try {
    process.kill(h.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return true;
  }
  // The pid is in use (EPERM: by another user): by that run, unless it started at another time.
  const start = startOf(h.pid);
  return h.start !== undefined && start !== undefined && start !== h.start;
}

export const describeHolder = (h: Holder): string => `pid ${h.pid}${h.host === hostname() ? '' : ` on ${h.host}`} (${h.command}, since ${h.since})`;
