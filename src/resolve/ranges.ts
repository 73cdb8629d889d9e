import { endOf, type DiagnosticDetail } from '../diagnostics/codes.js';
import type { NumberLit, PortRangeLit } from '../parse/ast.js';
import type { Diagnostics } from './context.js';
import type { PortRange } from './model.js';

/** The Group Policy bounds (Communicator policy text): ranges live within 1024-65535. */
export const GP_MIN = 1024;
export const GP_MAX = 65535;
export const FALLBACK: PortRange = { from: GP_MIN, to: GP_MAX };

/** A port number 1-65535; reports and returns undefined otherwise. */
export function checkPort(n: NumberLit, diags: Diagnostics): number | undefined {
  if (n.value >= 1 && n.value <= 65535 && /^[0-9]{1,5}$/.test(n.text)) return n.value;
  diags.report('MSGR021', n.at, `port ${n.text} is outside 1-65535`, 'TCP and UDP ports run from 1 to 65535');
  return undefined;
}

/** A plain rule's port or range; a reversed range is an error, not silently swapped. */
export function checkPortRange(lit: PortRangeLit, diags: Diagnostics): PortRange | undefined {
  const from = checkPort(lit.from, diags);
  const to = lit.to ? checkPort(lit.to, diags) : from;
  if (from === undefined || to === undefined) return undefined;
  if (from > to) {
    diags.report('MSGR023', lit.at, `range ${from}-${to} runs backwards`, `write ${to}-${from}`, reversedRange(lit));
    return undefined;
  }
  return { from, to };
}

/** Checks a Group Policy range (PORTS.md constraints); `minPorts` depends on the range's kind. */
export function checkGroupPolicyRange(
  lit: PortRangeLit,
  what: string,
  minPorts: (from: number) => number,
  diags: Diagnostics,
): PortRange | undefined {
  const from = checkPort(lit.from, diags);
  const to = lit.to ? checkPort(lit.to, diags) : from;
  if (from === undefined || to === undefined) return undefined;
  let ok = true;
  if (from < GP_MIN || to > GP_MAX) {
    diags.report('MSGR022', lit.at, `${what} ${from}-${to} is outside ${GP_MIN}-${GP_MAX}`, `Group Policy accepts only ports ${GP_MIN}-${GP_MAX}; the client cannot sign in otherwise`);
    ok = false;
  }
  if (from > to) {
    diags.report('MSGR023', lit.at, `${what} ${from}-${to}: the minimum is not below the maximum`, `write ${to}-${from}`, reversedRange(lit));
    return undefined;
  }
  const needed = minPorts(from);
  if (to - from + 1 < needed) {
    const code = what.startsWith('SIP') ? 'MSGR024' : 'MSGR025';
    diags.report(code, lit.at, `${what} ${from}-${to} has ${to - from + 1} port(s); at least ${needed} are needed`, `widen it, e.g. ${from}-${from + needed - 1}`);
    ok = false;
  }
  return ok ? { from, to } : undefined;
}

export const overlaps = (a: PortRange, b: PortRange) => a.from <= b.to && b.from <= a.to;

/** Two RTP/RTCP pairs: 4 ports from an even start, 5 from an odd one (the pair starts even). */
export const mediaMinimum = (from: number) => (from % 2 === 0 ? 4 : 5);
export const sipMinimum = () => 2;

/**
 * A reversed range `MAX-MIN` written the right way round, as the fix of MSGR023: the whole
 * literal (the numbers as written, whatever stands between them) becomes `MIN-MAX`.
 */
function reversedRange(lit: PortRangeLit): DiagnosticDetail {
  const to = lit.to!;
  const end = endOf(to.at, to.text);
  const text = `${to.text}-${lit.from.text}`;
  return { end, fix: { title: `write ${text}`, edits: [{ line: lit.at.line, column: lit.at.column, endLine: end.line, endColumn: end.column, text }] } };
}
