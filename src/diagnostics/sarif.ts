import { isAbsolute } from 'node:path';
import { CODES, type Code } from './codes.js';
import type { Diagnostic } from './diagnostic.js';

/**
 * Diagnostics as a SARIF 2.1.0 log (OASIS Static Analysis Results Interchange Format), the
 * format code-scanning services read: one run, the rules are the codes used, one result per
 * diagnostic with its file, line and column.
 */
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const SARIF_VERSION = '2.1.0';

export interface SarifOptions {
  /** The msgrfw version, for `tool.driver.version`. */
  toolVersion?: string;
  /** Inputs that could not be read at all, each as a tool execution notification (the run failed). */
  unreadable?: readonly { file: string; message: string }[];
}

export interface SarifLog {
  $schema: string;
  version: string;
  runs: SarifRun[];
}

export interface SarifRun {
  tool: { driver: SarifDriver };
  invocations: { executionSuccessful: boolean; toolExecutionNotifications?: SarifNotification[] }[];
  columnKind: 'utf16CodeUnits';
  results: SarifResult[];
}

export interface SarifNotification {
  level: 'error';
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
}

export interface SarifDriver {
  name: string;
  version?: string;
  rules: SarifRule[];
}

export interface SarifRule {
  id: string;
  shortDescription: { text: string };
  defaultConfiguration: { level: 'error' | 'warning' };
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: 'error' | 'warning';
  message: { text: string };
  locations: {
    physicalLocation: {
      artifactLocation: { uri: string };
      region: SarifRegion;
    };
  }[];
  properties?: { hint: string };
  /** The diagnostic's fix, as replacements in its file. */
  fixes?: { description: { text: string }; artifactChanges: { artifactLocation: { uri: string }; replacements: { deletedRegion: SarifRegion; insertedContent: { text: string } }[] }[] }[];
  /** An acknowledged warning (`# msgrfw: ack CODE -- reason`): code scanning shows it as suppressed. */
  suppressions?: { kind: 'inSource'; justification: string }[];
}

export interface SarifRegion {
  startLine: number;
  startColumn: number;
  endLine?: number;
  endColumn?: number;
}

export function toSarif(diagnostics: readonly Diagnostic[], options: SarifOptions = {}): SarifLog {
  const ids = [...new Set(diagnostics.map((d) => d.code))].sort();
  const rules: SarifRule[] = ids.map((id) => {
    const known = CODES[id as Code] as { severity: 'error' | 'warning'; summary: string } | undefined;
    return {
      id,
      shortDescription: { text: known?.summary ?? id },
      defaultConfiguration: { level: known?.severity ?? 'error' },
    };
  });
  const results = diagnostics.map((d): SarifResult => {
    const result: SarifResult = {
      ruleId: d.code,
      ruleIndex: ids.indexOf(d.code),
      level: d.severity,
      message: { text: d.hint ? `${d.message}\nhint: ${d.hint}` : d.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: fileUri(d.file) },
            region: {
              startLine: Math.max(1, d.line),
              startColumn: Math.max(1, d.column),
              ...(d.endLine !== undefined && d.endColumn !== undefined ? { endLine: d.endLine, endColumn: d.endColumn } : {}),
            },
          },
        },
      ],
    };
    if (d.hint) result.properties = { hint: d.hint };
    if (d.fix) {
      const replacements = d.fix.edits.map((e) => ({ deletedRegion: { startLine: e.line, startColumn: e.column, endLine: e.endLine, endColumn: e.endColumn }, insertedContent: { text: e.text } }));
      result.fixes = [{ description: { text: d.fix.title }, artifactChanges: [{ artifactLocation: { uri: fileUri(d.file) }, replacements }] }];
    }
    if (d.suppressed) result.suppressions = [{ kind: 'inSource', justification: d.suppressed.justification }];
    return result;
  });
  const driver: SarifDriver = { name: 'msgrfw', ...(options.toolVersion ? { version: options.toolVersion } : {}), rules };
  const unreadable = options.unreadable ?? [];
  const invocation: SarifRun['invocations'][number] = { executionSuccessful: unreadable.length === 0 };
  if (unreadable.length) {
    invocation.toolExecutionNotifications = unreadable.map((u) => ({
      level: 'error',
      message: { text: u.message },
      locations: [{ physicalLocation: { artifactLocation: { uri: fileUri(u.file) } } }],
    }));
  }
  return {
    $schema: SARIF_SCHEMA,
    version: SARIF_VERSION,
    runs: [{ tool: { driver }, invocations: [invocation], columnKind: 'utf16CodeUnits', results }],
  };
}

/**
 * The file as given, as a URI reference: a relative path stays relative (code scanning resolves
 * it against the checkout), each segment percent-encoded; an absolute path becomes a file: URI.
 * Standard input is `<stdin>` in every other output, here `%3Cstdin%3E`.
 */
export function fileUri(file: string): string {
  const path = file.replace(/\\/g, '/');
  const encoded = path.split('/').map((s) => encodeURIComponent(s)).join('/');
  if (isAbsolute(file) || /^[A-Za-z]:\//.test(path)) return `file://${path.startsWith('/') ? '' : '/'}${encoded.replace(/^([A-Za-z])%3A/, '$1:')}`;
  return encoded;
}
