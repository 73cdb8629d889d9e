/**
 * An IR that breaks what the IR builder guarantees (a rule naming a set the firewall does not
 * define, a gateway without zone sets, a view built for a firewall its capability check
 * refused): a bug in msgrfw, never a policy the target cannot express. Those are findings
 * (targets/judge.ts), decided before anything renders.
 */
export function brokenIr(target: string, message: string): Error {
  return new Error(`${target}: the IR breaks an invariant: ${message}`);
}
