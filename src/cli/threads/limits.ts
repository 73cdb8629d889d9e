/** The most threads `compile --jobs` may ask for: each costs memory for its own heap and its batch's text. */
export const MAX_JOBS = 256;

/**
 * Below this many bytes of output (as the targets count it before rendering, targets/size.ts) a
 * compile without `--jobs` renders on one thread: starting a thread and copying its firewalls to
 * it costs more than it saves. Measured on the benchmark's policies (README, Performance).
 */
export const THREADS_PAY_FROM_BYTES = 8 * 1024 * 1024;
