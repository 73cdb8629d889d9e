import { hasErrors, sortDiagnostics, unacknowledgedWarnings, type Diagnostic } from '../diagnostics/diagnostic.js';
import { countText, renderText } from '../diagnostics/render.js';
import { toSarif } from '../diagnostics/sarif.js';
import { EXIT } from './exit.js';
import { toolVersion } from './version.js';

export const DIAGNOSTIC_FORMATS = ['text', 'json', 'sarif'] as const;
export type DiagnosticFormat = (typeof DIAGNOSTIC_FORMATS)[number];

/** What a command found in one policy file. */
export interface FileReport {
  /** As diagnostics name it: the path as given, `<stdin>` for `-`. */
  file: string;
  diagnostics: readonly Diagnostic[];
  /** Why the file could not be read at all (missing, a directory, no permission). */
  unreadable?: string;
  /** The policy text, to quote the offending line under each diagnostic (text only). */
  source?: string;
}

export interface StatusOptions {
  /** A warning nobody acknowledged fails the run as an error does (`--warnings-as-errors`). */
  warningsAsErrors?: boolean;
}

/**
 * The worst status of the files: 2 when one could not be read, 1 when one has errors (or, with
 * `warningsAsErrors`, a warning that is not acknowledged), else 0.
 */
export function reportStatus(reports: readonly FileReport[], options: StatusOptions = {}): number {
  if (reports.some((r) => r.unreadable !== undefined)) return EXIT.usage;
  const failing = (r: FileReport) => hasErrors(r.diagnostics) || (options.warningsAsErrors === true && unacknowledgedWarnings(r.diagnostics).length > 0);
  return reports.some(failing) ? EXIT.policy : EXIT.ok;
}

/**
 * In text, why a run with only warnings fails: `--warnings-as-errors` and how many are not
 * acknowledged. Empty when it does not apply.
 */
export function warningsAsErrorsText(reports: readonly FileReport[], options: StatusOptions): string {
  if (!options.warningsAsErrors || reports.some((r) => hasErrors(r.diagnostics))) return '';
  const n = reports.reduce((sum, r) => sum + unacknowledgedWarnings(r.diagnostics).length, 0);
  return n ? `msgrfw: ${n} warning(s) not acknowledged fail the run (--warnings-as-errors): fix them, or accept one on purpose with a comment on its line: # msgrfw: ack CODE -- reason\n` : '';
}

export interface TextOptions {
  color: boolean;
  /** Say `FILE: ok` for a file without any diagnostic (check). */
  okLine?: boolean;
  /** End with `N error(s), M warning(s)`: a single file's report; several files get one total. */
  summary: boolean;
}

/** One file in text, gcc-style: what `check` and `compile` have always printed for a file. */
export function fileText(report: FileReport, options: TextOptions): string {
  if (report.unreadable !== undefined) return `msgrfw: ${report.unreadable}\n`;
  if (report.diagnostics.every((d) => d.suppressed)) {
    const acknowledged = report.diagnostics.length;
    return options.okLine ? `${report.file}: ok${acknowledged ? ` (${acknowledged} acknowledged warning(s) not shown)` : ''}\n` : '';
  }
  return renderText(report.diagnostics, { color: options.color, summary: options.summary, ...(report.source !== undefined ? { source: report.source } : {}) });
}

/**
 * The total after several files in text, when any has something to say: `2 error(s),
 * 4 warning(s) in 3 files`. A single file's report ends in its own count instead.
 */
export function totalText(reports: readonly FileReport[]): string {
  if (reports.length < 2 || !reports.some((r) => r.diagnostics.length || r.unreadable !== undefined)) return '';
  const unreadable = reports.filter((r) => r.unreadable !== undefined).length;
  const notRead = unreadable ? `; ${unreadable} could not be read` : '';
  return `${countText(reports.flatMap((r) => r.diagnostics))} in ${reports.length} files${notRead}\n`;
}

/**
 * Every file's findings as ONE document: json (src/diagnostics/diagnostics.schema.json) or a
 * SARIF 2.1.0 log with one run. Diagnostics name their file, so the files' lists are merged.
 */
export function machineReport(reports: readonly FileReport[], format: Exclude<DiagnosticFormat, 'text'>, options: StatusOptions = {}): string {
  const diagnostics = sortDiagnostics(reports.flatMap((r) => r.diagnostics));
  const unreadable = reports.flatMap((r) => (r.unreadable !== undefined ? [{ file: r.file, message: r.unreadable }] : []));
  if (format === 'json') {
    const doc = { ok: reportStatus(reports, options) === EXIT.ok, diagnostics, ...(unreadable.length ? { unreadable } : {}) };
    return `${JSON.stringify(doc, null, 2)}\n`;
  }
  return `${JSON.stringify(toSarif(diagnostics, { toolVersion: toolVersion(), unreadable }), null, 2)}\n`;
}

/** Files in one format: text file by file (and a total for several), or one machine document. */
export function formatReport(reports: readonly FileReport[], format: DiagnosticFormat, options: Omit<TextOptions, 'summary'> & StatusOptions): string {
  if (format !== 'text') return machineReport(reports, format, options);
  return reports.map((r) => fileText(r, { ...options, summary: reports.length === 1 })).join('') + totalText(reports) + warningsAsErrorsText(reports, options);
}

/** Colour only on a terminal, and never with NO_COLOR set (https://no-color.org). */
export function useColor(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !('NO_COLOR' in process.env && process.env.NO_COLOR !== '');
}
