import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';
import type { IrTarget } from '../../src/ir/types.js';

/** What the page asks the compiler (in its worker) for. */
export type Request =
  | ({ kind: 'run' } & RunRequest)
  | { kind: 'artefacts'; text: string; file: string; target?: IrTarget }
  | { kind: 'format'; text: string; file: string };

export interface RunRequest {
  text: string;
  file: string;
  /** The firewall whose target outputs the page shows; the first one when absent or unknown. */
  firewall?: string;
  /** A packet to explain (`tcp 10.20.0.5:51000 -> 198.51.100.7:1503`); none when empty. */
  packet?: string;
  /** The version to diff against (the example the page started from). */
  base?: { file: string; text: string };
  /** Draw only the chosen firewall. */
  graphFirewallOnly?: boolean;
  /**
   * The parts wanted beyond the diagnostics and the firewalls (all when absent): the page asks
   * for what its open pane shows, so a large policy's other texts are neither made nor copied.
   */
  want?: Part[];
}

export type Part = 'ir' | 'outputs' | 'groupPolicy' | 'explain' | 'diff' | 'graph';

export interface FileText {
  name: string;
  content: string;
}

export interface TargetOutput {
  target: IrTarget;
  /** Whether the firewall's `targets` statement lists it (else it is shown as `compile -t` would write it). */
  listed: boolean;
  files: FileText[];
  /** MSGR060: why the target writes nothing for this firewall. */
  refused?: string;
  /** MSGR061: what it writes only approximately. */
  approximated: string[];
}

export const PARTS: readonly Part[] = ['ir', 'outputs', 'groupPolicy', 'explain', 'diff', 'graph'];

export interface RunResult {
  /** The parts made (those wanted). */
  parts: Part[];
  /** Milliseconds the compiler took in the worker, everything included. */
  ms: number;
  /** What `msgrfw check` reports: the policy's diagnostics and its targets' findings. */
  diagnostics: Diagnostic[];
  /** The diagnostics as `msgrfw check` prints them. */
  checkText: string;
  firewalls: { name: string; placement: string; targets: IrTarget[] }[];
  /** The firewall the outputs are for. */
  firewall?: string | undefined;
  /** Each present only when wanted (and the policy has no errors). */
  ir?: string;
  outputs: TargetOutput[];
  groupPolicy: FileText[];
  explain?: { text: string } | { problem: string };
  diff?: { text: string; changed: boolean } | { problem: string };
  graph?: { mermaid: string; dot: string; edges: number };
}

export type Response = { ok: true; value: unknown } | { ok: false; error: string };
