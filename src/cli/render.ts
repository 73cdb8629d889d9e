import { hasErrors, sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.js';
import { renderText } from '../diagnostics/render.js';
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

/** The worst status of the files: 2 when one could not be read, 1 when one has errors, else 0. */
export function reportStatus(reports: readonly FileReport[]): number {
  if (reports.some((r) => r.unreadable !== undefined)) return EXIT.usage;
  return reports.some((r) => hasErrors(r.diagnostics)) ? EXIT.policy : EXIT.ok;
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
  if (report.diagnostics.length === 0) return options.okLine ? `${report.file}: ok\n` : '';
  return renderText(report.diagnostics, { color: options.color, summary: options.summary, ...(report.source !== undefined ? { source: report.source } : {}) });
}

/**
 * The total after several files in text, when any has something to say: `2 error(s),
 * 4 warning(s) in 3 files`. A single file's report ends in its own count instead.
 */
export function totalText(reports: readonly FileReport[]): string {
  if (reports.length < 2 || !reports.some((r) => r.diagnostics.length || r.unreadable !== undefined)) return '';
  const all = reports.flatMap((r) => r.diagnostics);
  const errors = all.filter((d) => d.severity === 'error').length;
  const unreadable = reports.filter((r) => r.unreadable !== undefined).length;
  const notRead = unreadable ? `; ${unreadable} could not be read` : '';
  return `${errors} error(s), ${all.length - errors} warning(s) in ${reports.length} files${notRead}\n`;
}

/**
 * Every file's findings as ONE document: json (src/diagnostics/diagnostics.schema.json) or a
 * SARIF 2.1.0 log with one run. Diagnostics name their file, so the files' lists are merged.
 */
export function machineReport(reports: readonly FileReport[], format: Exclude<DiagnosticFormat, 'text'>): string {
  const diagnostics = sortDiagnostics(reports.flatMap((r) => r.diagnostics));
  const unreadable = reports.flatMap((r) => (r.unreadable !== undefined ? [{ file: r.file, message: r.unreadable }] : []));
  if (format === 'json') {
    const doc = { ok: reportStatus(reports) === EXIT.ok, diagnostics, ...(unreadable.length ? { unreadable } : {}) };
    return `${JSON.stringify(doc, null, 2)}\n`;
  }
  return `${JSON.stringify(toSarif(diagnostics, { toolVersion: toolVersion(), unreadable }), null, 2)}\n`;
}

/** Files in one format: text file by file (and a total for several), or one machine document. */
export function formatReport(reports: readonly FileReport[], format: DiagnosticFormat, options: Omit<TextOptions, 'summary'>): string {
  if (format !== 'text') return machineReport(reports, format);
  return reports.map((r) => fileText(r, { ...options, summary: reports.length === 1 })).join('') + totalText(reports);
}

/** Colour only on a terminal, and never with NO_COLOR set (https://no-color.org). */
export function useColor(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !('NO_COLOR' in process.env && process.env.NO_COLOR !== '');
}
