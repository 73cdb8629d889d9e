// Types of bench/measure.mjs, for the tests that import it.
export interface Measured {
  status: number | null;
  timedOut: boolean;
  wallMs: number;
  maxRssKb: number;
  treeRssKb: number;
  cpuS: number | null;
  stdout: string;
  stderr: string;
}
export const TIME: string;
export const HAVE_TIME: boolean;
export function measure(cmd: string, args: readonly string[], options?: { cwd?: string; timeoutMs?: number }): Promise<Measured>;
export function median(xs: readonly number[]): number;
export function mb(kb: number): number;
export function summarise(samples: readonly Measured[]): { wallMs: number; runs: number; wallMsRuns: number[]; peakMb: number; treePeakMb: number; cpuS: number | null };
export function fitExponents(points: readonly { n: number; f: number; y: number }[]): { networks: number | null; firewalls: number | null };
export function fmt(x: number | null | undefined, digits?: number): string;
export function ratio(a: number | undefined, b: number | undefined): string;
export function exp(x: number | null | undefined): string;
