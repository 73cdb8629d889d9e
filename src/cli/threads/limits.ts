import { availableParallelism } from 'node:os';

/** The most threads `compile --jobs` may ask for: each costs memory for its own heap and its batch's text. */
export const MAX_JOBS = 256;

/**
 * The fewest threads a machine must run at once for `compile` to render on threads by default.
 * On 2 cores threads did not pay (measured: README, Performance): one thread already keeps about
 * 1.3 cores busy (V8's collector and the file system's threads), and each render thread costs
 * CPU of its own (start-up, cold code, its copy of the IR and of the lists the targets join once).
 */
export const DEFAULT_THREADS_FROM_CORES = 4;

/** The threads the machine runs at once (`MSGRFW_TEST_CORES` stands in for it in the tests). */
export function coresAvailable(): number {
  const given = Number(process.env.MSGRFW_TEST_CORES);
  return Number.isInteger(given) && given > 0 ? given : availableParallelism();
}

/**
 * How many threads render, this one included: `--jobs` when given, else as many as the machine
 * runs at once when that is at least DEFAULT_THREADS_FROM_CORES, else one.
 */
export function threadsWanted(requested: number | undefined): number {
  if (requested !== undefined) return requested;
  const cores = coresAvailable();
  return cores >= DEFAULT_THREADS_FROM_CORES ? cores : 1;
}

/**
 * The output, in bytes as the targets count them, from which `compile` without `--jobs` renders
 * on threads: below it, a thread (its own heap, and code that starts cold) costs more than it
 * saves (measured: README, Performance).
 */
export const THREADS_FROM_BYTES = 8 * 1024 * 1024;

/** The policy text from which `compile` without `--jobs` starts its threads before compiling (its output may well pass THREADS_FROM_BYTES). */
export const WARM_THREADS_FROM_BYTES = 64 * 1024;
