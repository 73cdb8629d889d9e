import { hasErrors, type Diagnostic } from '../diagnostics/diagnostic.js';
import { renderText } from '../diagnostics/render.js';

export type DiagnosticFormat = 'text' | 'json';

export function formatDiagnostics(diagnostics: readonly Diagnostic[], format: DiagnosticFormat, source: string | undefined, color: boolean): string {
  if (format === 'json') {
    return `${JSON.stringify({ ok: !hasErrors(diagnostics), diagnostics }, null, 2)}\n`;
  }
  return renderText(diagnostics, { color, ...(source !== undefined ? { source } : {}) });
}

/** Colour only on a terminal, and never with NO_COLOR set (https://no-color.org). */
export function useColor(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !('NO_COLOR' in process.env && process.env.NO_COLOR !== '');
}
