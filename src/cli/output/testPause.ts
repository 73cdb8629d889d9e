import { writeSync } from 'node:fs';
import { sleepUnlessSignalled, type SignalWatch } from './signals.js';

/**
 * For the tests only: `MSGRFW_TEST_PAUSE=<point>:<ms>` makes the writer say
 * `msgrfw-test: paused at <point>` on stderr and stop there for <ms> milliseconds, so that a
 * test can send a signal, or kill the run, at exactly that moment. It changes nothing the writer
 * does; unset (always, outside the tests) it costs one look at the environment.
 */
function requested(point: string): number | undefined {
  const spec = process.env.MSGRFW_TEST_PAUSE;
  if (!spec) return undefined;
  const cut = spec.lastIndexOf(':');
  return spec.slice(0, cut) === point ? Number(spec.slice(cut + 1)) || 0 : undefined;
}

/** A pause where the writer is asynchronous: a signal ends it early, as it would end real work. */
export async function pauseForTest(point: string, watch: SignalWatch): Promise<void> {
  const ms = requested(point);
  if (ms === undefined) return;
  writeSync(2, `msgrfw-test: paused at ${point}\n`);
  await sleepUnlessSignalled(ms, watch);
}

/** A pause inside the synchronous commit: signals wait, as they would for real renames. */
export function pauseForTestInCommit(point: string): void {
  const ms = requested(point);
  if (ms === undefined) return;
  writeSync(2, `msgrfw-test: paused at ${point}\n`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
