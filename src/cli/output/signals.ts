import { constants } from 'node:os';
import { Interrupted } from './failure.js';

/** What ends a run from outside: Ctrl-C, `kill`, a closed terminal. */
const CAUGHT: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface SignalWatch {
  /** The first signal that arrived, if any. */
  readonly received: NodeJS.Signals | undefined;
  /** Ends the run (nothing changed yet) if a signal has arrived. */
  throwIfReceived(): void;
  stop(): Promise<void>;
}

/**
 * While a run writes, a signal does not end the process at once: it is noted, and the writer
 * looks at it where stopping is safe. Before the commit it stops and removes what it made; the
 * commit itself (renames only) runs synchronously, so a signal can only be seen after it.
 */
export function watchSignals(): SignalWatch {
  let received: NodeJS.Signals | undefined;
  const handler = (signal: NodeJS.Signals) => {
    received ??= signal;
  };
  for (const s of CAUGHT) process.on(s, handler);
  return {
    get received() {
      return received;
    },
    throwIfReceived() {
      if (received) throw new Interrupted(received);
    },
    async stop() {
      // A signal that came during synchronous work is delivered on the next turn of the event
      // loop: take it before the handler goes.
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
      for (const s of CAUGHT) process.off(s, handler);
    },
  };
}

/** The shell's exit status for a process ended by a signal: 128 + its number. */
export const signalExitStatus = (signal: NodeJS.Signals): number => 128 + (constants.signals[signal] ?? 15);

/** Waits `ms`, or less if a signal arrives. */
export async function sleepUnlessSignalled(ms: number, watch: SignalWatch): Promise<void> {
  const end = Date.now() + ms;
  while (!watch.received && Date.now() < end) await new Promise((r) => setTimeout(r, Math.min(50, end - Date.now())));
}
