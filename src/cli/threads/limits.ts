import { availableParallelism } from 'node:os';

/** The most threads `compile --jobs` may ask for: each costs memory for its own heap and its batch's text. */
export const MAX_JOBS = 256;

/** How many threads render, this one included: `--jobs` when given, else as many as the machine runs at once. */
export const threadsWanted = (requested: number | undefined): number => requested ?? availableParallelism();

/**
 * The output, in bytes as the targets count them, from which `compile` without `--jobs` renders
 * on threads: below it, a thread (its own heap, and code that starts cold) costs more than it
 * saves (measured: README, Performance).
 */
export const THREADS_FROM_BYTES = 8 * 1024 * 1024;

/** The policy text from which `compile` without `--jobs` starts its threads before compiling (its output may well pass THREADS_FROM_BYTES). */
export const WARM_THREADS_FROM_BYTES = 64 * 1024;
