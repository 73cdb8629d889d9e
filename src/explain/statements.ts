import type { IrDirection, IrFirewall, IrOrigin } from '../ir/types.js';
import type { FirewallItem } from '../parse/ast.js';
import { parsePolicy } from '../parse/parse.js';

/**
 * Firewall statements the IR keeps no origin for: `default` (host input, gateway forward),
 * `outbound` (host output) and the placement (`on` / `between`). They are looked up in the
 * syntax tree; a statement the policy leaves out is stood for by the firewall's own line.
 */
export interface FoundStatement {
  origin: IrOrigin;
  /** False when the policy leaves the statement out (its default applies). */
  written: boolean;
}

export interface FirewallStatements {
  /** What sets a direction's policy. */
  policy(fw: IrFirewall, direction: IrDirection): FoundStatement;
  /** Where the firewall sits. */
  placement(fw: IrFirewall): FoundStatement;
}

export function firewallStatements(text: string, file: string): FirewallStatements {
  const ast = parsePolicy(text, file).ast;
  const itemOf = (fw: IrFirewall) => ast?.items.find((i): i is FirewallItem => i.kind === 'firewall' && i.name.text === fw.name);
  const found = (fw: IrFirewall, kinds: string[], text: (s: FirewallItem['statements'][number]) => string): FoundStatement => {
    const stmt = itemOf(fw)?.statements.find((s) => kinds.includes(s.kind));
    if (!stmt) return { origin: fw.origin, written: false };
    return { origin: { line: stmt.at.line, column: stmt.at.column, text: `firewall ${fw.name}: ${text(stmt)}` }, written: true };
  };
  return {
    policy: (fw, direction) => found(fw, [direction === 'output' ? 'outbound' : 'default'], (s) => ('action' in s ? `${s.kind} ${s.action.text}` : s.kind)),
    placement: (fw) => found(fw, ['on', 'between'], (s) => s.kind),
  };
}
