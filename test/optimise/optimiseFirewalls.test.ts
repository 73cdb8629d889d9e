import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { optimiseFirewall, optimiseFirewalls } from '../../src/optimise/optimise.js';
import type { PlacedFirewall, PlacedRule } from '../../src/place/placed.js';
import type { Firewall, Origin } from '../../src/resolve/model.js';
import { FIREWALL, net, ports } from './fixtures.js';

const NETS = [net('a', '10.1.0.0/16'), net('b', '10.2.0.0/16'), net('c', '10.1.5.0/24', '2001:db8::/48'), net('d', '10.3.0.0/24')];
const PORTS = [ports('sip', [5061, 5061]), ports('t120', [1503, 1503]), ports('media', [50000, 50039])];
const ORIGINS: Origin[] = Array.from({ length: 6 }, (_, i) => ({ line: i + 1, column: 3, text: `statement ${i + 1}` }));

const arbRule = fc
  .record({
    action: fc.constantFrom<PlacedRule['action']>('accept', 'accept', 'drop'),
    protocol: fc.constantFrom<PlacedRule['protocol']>('tcp', 'udp'),
    src: fc.option(fc.constantFrom(...NETS), { nil: undefined }),
    dstPorts: fc.constantFrom(...PORTS),
    origins: fc.subarray(ORIGINS, { minLength: 1, maxLength: 3 }),
    catalog: fc.option(fc.constantFrom(['t120'], ['sip-tls']), { nil: undefined }),
  })
  .map(({ src, catalog, ...r }): PlacedRule => ({ direction: 'input', ...r, ...(src ? { src } : {}), ...(catalog ? { catalog } : {}) }));

const firewall = (name: string, rules: PlacedRule[]): PlacedFirewall => ({ firewall: { ...FIREWALL, name } as Firewall, rules });

/** Each firewall's rules as `optimiseFirewall` gives them alone. */
const alone = (fws: readonly PlacedFirewall[]) => fws.map((fw) => optimiseFirewall(fw).rules);

/** Whether two results share a rule or an origin list (which a firewall's optimised rules never share with another's). */
const sharesRules = (a: readonly PlacedRule[], b: readonly PlacedRule[]) => a.some((x) => b.some((y) => x === y || x.origins === y.origins));

describe('optimising the firewalls of a run', () => {
  it('gives each firewall what optimising it alone gives, whether its rules are another firewall\'s, copies of them, or differ in one part', () => {
    fc.assert(
      fc.property(fc.array(arbRule, { minLength: 1, maxLength: 12 }), fc.array(fc.nat(3), { minLength: 2, maxLength: 6 }), fc.nat(11), (rules, kinds, changed) => {
        const at = changed % rules.length;
        const fws = kinds.map((kind, i) => {
          // 0: the same rule objects; 1: copies of them; 2: one rule whose source has the same
          // name and other addresses; 3: one rule with one more origin.
          const own = kind === 0 ? rules : rules.map((r) => ({ ...r }));
          if (kind === 2) own[at] = { ...own[at]!, src: net(own[at]!.src?.name ?? 'a', '10.7.0.0/16') };
          if (kind === 3) own[at] = { ...own[at]!, origins: [...own[at]!.origins, { line: 99, column: 1, text: 'other' }] };
          return firewall(`fw${i}`, own);
        });
        const out = optimiseFirewalls(fws);
        expect(out.map((fw) => fw.rules)).toEqual(alone(fws));
        expect(out.map((fw) => fw.firewall)).toEqual(fws.map((fw) => fw.firewall));
        for (let i = 0; i < out.length; i++) for (let j = i + 1; j < out.length; j++) expect(sharesRules(out[i]!.rules, out[j]!.rules)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('gives a firewall placed the same rules as an earlier one its own copy: changing one leaves the other as it was', () => {
    const rules = [
      { direction: 'input', action: 'accept', protocol: 'tcp', src: NETS[0], dstPorts: PORTS[0], origins: [ORIGINS[0]], catalog: ['sip-tls'] },
      { direction: 'input', action: 'accept', protocol: 'tcp', src: NETS[1], dstPorts: PORTS[0], origins: [ORIGINS[1]], catalog: ['sip-tls'] },
    ] as PlacedRule[];
    const [first, second] = optimiseFirewalls([firewall('one', rules), firewall('two', rules.map((r) => ({ ...r })))]);
    expect(first!.rules).toHaveLength(1);
    expect(second!.rules).toEqual(first!.rules);
    first!.rules[0]!.origins.push(ORIGINS[5]!);
    first!.rules[0]!.catalog!.push('t120');
    expect(second!.rules[0]!.origins.map((o) => o.line)).toEqual([1, 2]);
    expect(second!.rules[0]!.catalog).toEqual(['sip-tls']);
  });
});
