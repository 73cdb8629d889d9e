// Types of bench/generate-rules.mjs, for the tests that import it.
export interface PlainRule {
  action: 'allow' | 'deny';
  proto: 'tcp' | 'udp';
  ports: string[];
  from: string;
  to: string;
}
export interface PlainRulesPlan {
  count: number;
  offices: number;
  tiers: number;
  regions: number;
  quarantined: number;
  adminNets: number[];
  rules: PlainRule[];
  shadowed: { sameVerdict: number; otherVerdict: number };
}
export const MAX_RULES: number;
export function plainRulesPlan(count: number): PlainRulesPlan;
export function plainRulesMsgrPolicy(p: PlainRulesPlan, targets: readonly string[]): string;
export function plainRulesCapircaDefinitions(p: PlainRulesPlan): { 'NETWORK.net': string; 'SERVICES.svc': string };
export function plainRulesCapircaPolicies(p: PlainRulesPlan, targets: readonly string[]): { name: string; text: string }[];
