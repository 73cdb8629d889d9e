import { nearest } from '../diagnostics/suggest.js';
import { ICMP_MESSAGES, icmpMessage, inFamilies, OPENING_ICMP, type IcmpFamily, type IcmpType } from '../icmp/messages.js';
import type { PlainRuleStmt } from '../parse/ast.js';
import type { Diagnostics } from './context.js';

/** The families an ICMP protocol word covers: `icmp` both (ICMPv4 for IPv4, ICMPv6 for IPv6). */
export const ICMP_FAMILIES: Record<string, IcmpFamily[]> = { icmp: [4, 6], icmpv4: [4], icmpv6: [6] };

const OPENING_NAMES = OPENING_ICMP.map((t) => t.name).join(', ');

/**
 * The messages of an ICMP rule (`allow icmp echo-request from …`), each limited to the families
 * its protocol word covers; no type means every message a rule decides (OPENING_ICMP). Every
 * problem is MSGR049: ports on an ICMP rule, a name no ICMP message has (with the nearest one), a
 * message no rule can decide (a reply, an error, discovery: src/icmp/messages.ts says why), or
 * one the rule's family lacks. Undefined when one of them is reported.
 */
export function resolveIcmpTypes(s: PlainRuleStmt, diags: Diagnostics): IcmpType[] | undefined {
  const protocol = s.protocol.text;
  const families = ICMP_FAMILIES[protocol]!;
  let ok = true;
  if (s.ports.length > 0) {
    diags.report('MSGR049', s.ports[0]!.at, `an ${protocol} rule has no ports: ICMP messages are named by their type`, `write e.g. \`${s.action.text} ${protocol} echo-request from …\` (types: ${OPENING_NAMES}), or leave the types out for all of them`);
    ok = false;
  }
  if (s.types.length === 0) return ok ? OPENING_ICMP.flatMap((t) => inFamilies(t, families) ?? []) : undefined;
  const out: IcmpType[] = [];
  for (const name of s.types) {
    const m = icmpMessage(name.text);
    if (!m) {
      diags.reportMisspelt('MSGR049', name, `unknown ICMP type '${name.text}'`, nearest(name.text, ICMP_MESSAGES.map((x) => x.name)), `a rule names ${OPENING_NAMES}, or no type for all of them`);
      ok = false;
    } else if (m.rule !== 'opens') {
      diags.report('MSGR049', name.at, `a rule cannot allow or deny ${m.name}: ${m.rule.why}`, m.rule.instead);
      ok = false;
    } else {
      const t = inFamilies(m, families);
      if (!t) {
        const other = m.v4 === undefined ? 'icmpv6' : 'icmpv4';
        diags.report('MSGR049', name.at, `${m.name} has no ${protocol === 'icmpv4' ? 'ICMPv4' : 'ICMPv6'} type`, `write \`${s.action.text} ${other} ${m.name}\`, or icmp for both families`);
        ok = false;
      } else if (!out.some((x) => x.name === t.name)) out.push(t);
    }
  }
  return ok ? out : undefined;
}

/** Names after a tcp or udp rule's protocol: ports are numbers there (MSGR049). */
export function reportTypesOnPortRule(s: PlainRuleStmt, diags: Diagnostics): void {
  const first = s.types[0]!;
  diags.report(
    'MSGR049',
    first.at,
    `'${first.text}' after ${s.protocol.text}: a ${s.protocol.text} rule takes port numbers, and names are ICMP types`,
    `write the port numbers (\`${s.action.text} ${s.protocol.text} 22 from …\`), or \`${s.action.text} icmp TYPE from …\` for ICMP`,
  );
}
