import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST } from '../src/cli/output/manifest.js';
import { compilePolicy } from '../src/compile.js';
import type { Diagnostic } from '../src/diagnostics/diagnostic.js';
import type { IrDocument, IrFirewall } from '../src/ir/types.js';

export const ROOT = join(import.meta.dirname, '..');

export const EXAMPLES = readdirSync(join(ROOT, 'examples'))
  .filter((f) => f.endsWith('.msgr'))
  .sort()
  .map((f) => ({ name: f, path: join(ROOT, 'examples', f), text: readFileSync(join(ROOT, 'examples', f), 'utf8') }));

/** `code@line` for every diagnostic: compact to assert on. */
export function codesOf(text: string): string[] {
  return compilePolicy(text, 'test.msgr').diagnostics.map((d) => `${d.code}@${d.line}`);
}

export function diagnosticsOf(text: string): Diagnostic[] {
  return compilePolicy(text, 'test.msgr').diagnostics;
}

export function irOf(text: string, file = 'test.msgr'): IrDocument {
  const r = compilePolicy(text, file);
  if (!r.ir) throw new Error(`policy has errors:\n${r.diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`).join('\n')}`);
  return r.ir;
}

export function firewallOf(text: string, name: string): IrFirewall {
  const fw = irOf(text).firewalls.find((f) => f.name === name);
  if (!fw) throw new Error(`no firewall ${name}`);
  return fw;
}

/** A minimal valid policy with the parts a test wants to vary. */
export function policy(parts: {
  networks?: string;
  server?: string;
  clients?: string;
  firewalls?: string;
}): string {
  return `deployment t {
  ${parts.networks ?? 'network cl = 10.20.0.0/16, 2001:db8:20::/48\n  network srv = 10.1.1.10, 2001:db8:1::10\n  network pt = 198.51.100.0/24'}
  server srv {
    ${parts.server ?? 'sip tls'}
  }
  clients cl {
    ${parts.clients ?? 'server srv via tls\n    features im, presence'}
  }
  ${parts.firewalls ?? 'firewall fw {\n    on srv\n    targets nftables\n    default deny\n  }'}
}
`;
}

/**
 * Two clients blocks, a and b, with their own media ranges (50000-50007 and 52000-52007) and each
 * other as peers; `g` is a network in no clients block. Parts replace a block's statements after
 * its server line.
 */
export function groups(parts: { networks?: string; a?: string; b?: string; extra?: string } = {}): string {
  return `deployment t {
  network a   = 10.40.0.0/16, 2001:db8:40::/48
  network b   = 10.41.0.0/16, 2001:db8:41::/48
  network g   = 192.0.2.0/24
  network srv = 10.1.1.10
  network ab  = a, b
  ${parts.networks ?? ''}
  server srv {
    sip tls
  }
  clients a {
    server srv via tls
    ${parts.a ?? 'features audio, video\n    media ports 50000-50007\n    peers ab'}
  }
  clients b {
    server srv via tls
    ${parts.b ?? 'features audio, video\n    media ports 52000-52007\n    peers ab'}
  }
  ${parts.extra ?? ''}
}
`;
}

/** The artefacts in an output directory, sorted: every file but the directory's manifest. */
export const artefactsIn = (dir: string): string[] => readdirSync(dir).filter((n) => n !== MANIFEST).sort();

/** A policy text with edits applied (1-based, end exclusive, none overlapping), as an editor applies a fix. */
export function applyEdits(text: string, edits: readonly { line: number; column: number; endLine: number; endColumn: number; text: string }[]): string {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  const offset = (line: number, column: number) => (starts[line - 1] ?? text.length) + column - 1;
  const sorted = [...edits].sort((a, b) => offset(b.line, b.column) - offset(a.line, a.column));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.line, e.column)) + e.text + out.slice(offset(e.endLine, e.endColumn));
  return out;
}
