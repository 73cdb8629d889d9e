import { readFileSync } from 'node:fs';
import { hasErrors, type Diagnostic } from '../diagnostics/diagnostic.js';
import { renderText } from '../diagnostics/render.js';
import { toSarif } from '../diagnostics/sarif.js';
import { packageFile } from '../files/packageFile.js';

export const DIAGNOSTIC_FORMATS = ['text', 'json', 'sarif'] as const;
export type DiagnosticFormat = (typeof DIAGNOSTIC_FORMATS)[number];

/** text for people; json (src/diagnostics/diagnostics.schema.json) and SARIF 2.1.0 for machines. */
export function formatDiagnostics(diagnostics: readonly Diagnostic[], format: DiagnosticFormat, source: string | undefined, color: boolean): string {
  if (format === 'json') {
    return `${JSON.stringify({ ok: !hasErrors(diagnostics), diagnostics }, null, 2)}\n`;
  }
  if (format === 'sarif') {
    return `${JSON.stringify(toSarif(diagnostics, { toolVersion: toolVersion() }), null, 2)}\n`;
  }
  return renderText(diagnostics, { color, ...(source !== undefined ? { source } : {}) });
}

/** A policy that could not even be read (not UTF-8, binary), in a machine format. */
export function formatInputProblem(message: string, format: Exclude<DiagnosticFormat, 'text'>): string {
  if (format === 'json') return `${JSON.stringify({ ok: false, diagnostics: [], error: message }, null, 2)}\n`;
  // `file:line:col: error MSGR006: …` becomes a result too, so code scanning shows it in place.
  const m = /^(.*):(\d+):(\d+): error (MSGR\d{3}): ([^\n]*)(?:\n {2}hint: ([^\n]*))?/.exec(message);
  const diagnostics: Diagnostic[] = m
    ? [{ code: m[4]!, severity: 'error', file: m[1]!, line: Number(m[2]), column: Number(m[3]), message: m[5]!, ...(m[6] ? { hint: m[6] } : {}) }]
    : [];
  return `${JSON.stringify(toSarif(diagnostics, { toolVersion: toolVersion(), failure: message }), null, 2)}\n`;
}

let version: string | undefined;
function toolVersion(): string | undefined {
  try {
    version ??= String((JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version?: unknown }).version ?? '');
  } catch {
    version = '';
  }
  return version || undefined;
}

/** Colour only on a terminal, and never with NO_COLOR set (https://no-color.org). */
export function useColor(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !('NO_COLOR' in process.env && process.env.NO_COLOR !== '');
}
