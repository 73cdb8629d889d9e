import { withEnd, type Diagnostic, type Fix, type Severity, type SourcePosition } from './diagnostic.js';

/**
 * Every diagnostic code, its severity and a one-line summary. The README's table is checked
 * against this registry by a test, so a code cannot be added without being documented.
 */
export const CODES = {
  MSGR001: { severity: 'error', summary: 'syntax error: unexpected token' },
  MSGR002: { severity: 'error', summary: 'unknown statement or keyword (with the nearest valid one)' },
  MSGR003: { severity: 'error', summary: 'character that cannot start any token' },
  MSGR004: { severity: 'error', summary: 'unterminated string' },
  MSGR005: { severity: 'error', summary: 'unexpected end of file (a block is not closed)' },
  MSGR006: { severity: 'error', summary: 'input is not UTF-8 text' },
  MSGR007: { severity: 'error', summary: 'character that hides what the text says (control, lone CR, bidirectional, line separator)' },
  MSGR010: { severity: 'error', summary: 'unknown network name' },
  MSGR011: { severity: 'error', summary: 'name declared twice' },
  MSGR012: { severity: 'error', summary: 'networks refer to each other in a cycle' },
  MSGR013: { severity: 'error', summary: 'not a valid IPv4/IPv6 address or CIDR block' },
  MSGR014: { severity: 'error', summary: 'CIDR block with host bits set' },
  MSGR015: { severity: 'error', summary: 'IPv6 zone id in an address' },
  MSGR016: { severity: 'error', summary: 'name is reserved' },
  MSGR017: { severity: 'error', summary: 'name longer than 63 characters' },
  MSGR018: { severity: 'error', summary: 'IPv4-mapped or IPv4-compatible IPv6 address (matches no IPv4 packet)' },
  MSGR019: { severity: 'error', summary: 'firewall names that differ only in case' },
  MSGR020: { severity: 'error', summary: 'unknown feature' },
  MSGR021: { severity: 'error', summary: 'port outside 1-65535' },
  MSGR022: { severity: 'error', summary: 'Group Policy range outside 1024-65535' },
  MSGR023: { severity: 'error', summary: 'range minimum is not below its maximum' },
  MSGR024: { severity: 'error', summary: 'SIP dynamic range has fewer than 2 ports' },
  MSGR025: { severity: 'error', summary: 'media range too small for two RTP/RTCP pairs' },
  MSGR026: { severity: 'error', summary: 'SIP dynamic range and media range overlap' },
  MSGR027: { severity: 'warning', summary: 'media range below the 40 ports later Communicator releases want' },
  MSGR028: { severity: 'warning', summary: 'range not set: falls back to 1024-65535' },
  MSGR029: { severity: 'warning', summary: 'Office Communicator ignores the SIP dynamic port policy' },
  MSGR030: { severity: 'error', summary: 'clients use a transport the server does not offer' },
  MSGR031: { severity: 'warning', summary: 'server transport no clients use (opens nothing)' },
  MSGR032: { severity: 'warning', summary: 'clear-text SIP over TCP' },
  MSGR033: { severity: 'error', summary: 'clients name a network that has no server block' },
  MSGR034: { severity: 'error', summary: 'statement missing or given twice in a block' },
  MSGR035: { severity: 'warning', summary: 'setting has no effect' },
  MSGR036: { severity: 'error', summary: 'two SIP listeners on one port' },
  MSGR037: { severity: 'error', summary: 'unknown value (transport, action, protocol, target or client)' },
  MSGR038: { severity: 'warning', summary: 'peers in no clients block: their media range is assumed' },
  MSGR039: { severity: 'warning', summary: 'peers are clients without audio or video: no call reaches them' },
  MSGR040: { severity: 'error', summary: 'firewall placement missing or given twice' },
  MSGR041: { severity: 'error', summary: 'gateway zones overlap' },
  MSGR042: { severity: 'error', summary: 'gateway zone named twice' },
  MSGR043: { severity: 'warning', summary: 'IPv4/IPv6 mix that can never match' },
  MSGR044: { severity: 'error', summary: 'firewall without targets' },
  MSGR045: { severity: 'warning', summary: 'firewall sees no Messenger traffic' },
  MSGR048: { severity: 'error', summary: 'plain rule does not involve the host or both zones' },
  MSGR049: { severity: 'error', summary: 'ICMP rule problem: ports, an unknown type, or a type no rule can decide' },
  MSGR050: { severity: 'error', summary: 'policy too large or nested too deeply' },
  MSGR053: { severity: 'error', summary: 'output would pass a documented size (an artefact, a run, the IR)' },
  MSGR060: { severity: 'error', summary: 'a target cannot express this firewall exactly' },
  MSGR061: { severity: 'warning', summary: 'a target expresses part of this firewall only approximately' },
  MSGR062: { severity: 'warning', summary: 'overlapping clients blocks set one Group Policy range differently' },
  // Lints (src/lint/): legal policies that very likely do not mean what they say.
  MSGR070: { severity: 'warning', summary: 'plain rule shadowed by earlier rules (it can never match)' },
  MSGR071: { severity: 'warning', summary: "plain allow rule duplicates Messenger's own rules" },
  MSGR072: { severity: 'warning', summary: 'peers overlap only part of the clients' },
  MSGR073: { severity: 'warning', summary: 'default-deny host firewall leaves no way in for management' },
  // Acknowledgements (src/diagnostics/acknowledge.ts): `# msgrfw: ack CODE -- reason` comments.
  MSGR074: { severity: 'warning', summary: 'acknowledgement names an error or an acknowledgement warning' },
  MSGR075: { severity: 'warning', summary: 'acknowledgement names an unknown code' },
  MSGR076: { severity: 'warning', summary: 'acknowledgement accepts no warning on its statement' },
  MSGR077: { severity: 'warning', summary: 'malformed msgrfw: comment' },
  MSGR080: { severity: 'error', summary: 'apply from SSH: the firewall would drop the next SSH login (lock-out guard)' },
} as const satisfies Record<string, { severity: Severity; summary: string }>;

export type Code = keyof typeof CODES;

/** Where a diagnostic's text ends, and its fix, when the place that reports it knows them. */
export interface DiagnosticDetail {
  end?: SourcePosition;
  fix?: Fix;
}

/** Builds a diagnostic whose severity comes from the registry, so a code always means one thing. */
export function diagnostic(
  code: Code,
  file: string,
  at: SourcePosition,
  message: string,
  hint?: string,
  detail: DiagnosticDetail = {},
): Diagnostic {
  const d: Diagnostic = { code, severity: CODES[code].severity, file, line: at.line, column: at.column, message };
  if (hint !== undefined) d.hint = hint;
  if (detail.fix) d.fix = detail.fix;
  return detail.end ? withEnd(d, detail.end) : d;
}

/** The end of a token that stands on one line: `text` is what it says (a name, a number, an address). */
export const endOf = (at: SourcePosition, text: string): SourcePosition => ({ line: at.line, column: at.column + text.length });

/** A fix that writes `text` in place of the token at `at` whose text is `was`; with the token's end. */
export function replacing(at: SourcePosition, was: string, text: string): DiagnosticDetail {
  const end = endOf(at, was);
  return { end, fix: { title: `replace '${was}' with '${text}'`, edits: [{ line: at.line, column: at.column, endLine: end.line, endColumn: end.column, text }] } };
}
