import { causeText, classText } from '../diff/render.js';
import { lineText } from '../explain/render.js';
import type { Difference, LiveCause, PolicyCause, VerifyClass, VerifyReport } from './compare.js';

/** The report as text, laid out as `diff` lays out a change (`-` the policy, `+` the live firewall). */
export function renderVerify(r: VerifyReport): string {
  const out = [`--- ${r.policy}: firewall ${r.firewall} (${r.placement}), ${r.target}`, `+++ live: ${r.live}`, ''];
  out.push(`firewall ${r.firewall} (${r.placement}): ${HEADLINE[r.status]}`);
  for (const f of r.findings) out.push(`  ${f.kind === 'pre-empted' || f.kind === 'pending' ? 'note' : f.kind}: ${f.message}`);
  for (const d of r.allowedOnlyLive) out.push(...difference(d, '+ allowed live, not by the policy'));
  for (const d of r.allowedOnlyByPolicy) out.push(...difference(d, '- allowed by the policy, not live'));
  for (const d of r.repliesDropped) out.push(...difference(d, '- replies the policy lets back, dropped live'));
  out.push('', SUMMARY[r.status]);
  return `${out.join('\n')}\n`;
}

const HEADLINE: Record<VerifyReport['status'], string> = {
  identical: 'the live firewall does what the policy says',
  drift: 'the live firewall differs from the policy',
  'not-applied': 'not applied',
};

const SUMMARY: Record<VerifyReport['status'], string> = {
  identical: 'no drift: the live firewall allows exactly what the policy allows',
  drift: 'drift: the live firewall is not what the policy says (apply the policy again, or change the policy)',
  'not-applied': 'drift: the firewall is not applied (msgrfw apply puts it in place)',
};

function difference(d: Difference, heading: string): string[] {
  return [
    `  ${heading}:`,
    ...d.classes.map((c) => `      ${verifyClassText(c)}`),
    `    live: ${liveText(d.live)}`,
    `    policy: ${policyText(d.policy)}`,
    ...d.policy.lines.map((l) => `      ${lineText(l)}`),
  ];
}

export const verifyClassText = (c: VerifyClass) => `${classText(c)}${c.interfaces ? `  ${c.interfaces}` : ''}`;

function liveText(c: LiveCause): string {
  const verb = c.verdict === 'accept' ? 'accepted' : 'dropped';
  if (c.kind === 'rule') return `${verb} by ${c.rules.map((r) => `${r.where}: ${r.text}`).join('; ')}`;
  if (c.kind === 'policy') return c.text!;
  return c.text ?? 'not filtered';
}

function policyText(c: PolicyCause): string {
  if (c.kind === 'preamble') return c.what === 'loopback' ? 'accepted: a host firewall lets loopback traffic through' : 'accepted: every firewall lets the replies of accepted connections back';
  if (c.kind === 'unjudged') return 'not judged by this firewall (passes it)';
  return causeText(c);
}
