// ipset sets for long address lists: threshold, naming, families, /0, the .ipset file and
// the rules files' headers. Pure text tests; the tool and kernel tests are restore-test,
// namespace and test/kernel/ipset.test.ts.
import { describe, expect, it } from 'vitest';
import type { IrAddressSet, IrFamily, IrFirewall } from '../../../src/ir/types.js';
import { emitTargets } from '../../../targets/emit.js';
import { iptables } from '../../../targets/iptables/index.js';
import { IPSET_DEFAULT_MAXELEM, IPSET_THRESHOLD, MAX_IPSET_NAME, firewallId, ipsetName } from '../../../targets/iptables/view.js';
import { doc, gatewayFirewall, hostFirewall, ports, rule } from './fixtures.js';
import { ipsetFileResult } from './ipsetFile.js';
import { clientV4, clientV6, compileLarge, kernelRuleCount, largeArtefacts } from './large.js';

const v4s = (n: number, from = 0) => Array.from({ length: n }, (_, i) => clientV4(from + i));
const v6s = (n: number, from = 0) => Array.from({ length: n }, (_, i) => clientV6(from + i));
const set = (name: string, ipv4: string[], ipv6: string[] = []): IrAddressSet => ({ name, stands: name, ipv4, ipv6 });

const files = (fw: IrFirewall) => new Map(iptables.render(doc([fw]), fw).map((a) => [a.name, a.content]));
const ruleLinesOf = (content: string) => content.split('\n').filter((l) => l.startsWith('-A '));
const ruleLine = (content: string, id: string) => ruleLinesOf(content).filter((l) => l.includes(`rule ${id}"`));
const creates = (content: string) => content.split('\n').filter((l) => l.startsWith('create '));
/** What an ipset file does to one set: create it and a temporary twin, fill the twin, swap, destroy the twin. */
const refill = (name: string, family: 4 | 6, members: string[]) => {
  const temp = name.replace(/-v([46])$/, '-t$1');
  const def = `hash:net family ${family === 4 ? 'inet' : 'inet6'}`;
  return [`create ${name} ${def} -exist`, `create ${temp} ${def} -exist`, `flush ${temp}`, ...members.map((c) => `add ${temp} ${c}`), `swap ${temp} ${name}`, `destroy ${temp}`];
};

/** A desktop whose r1 takes tcp 22 from `many` and whose r2 sends tcp 25 to `many`. */
function withMany(ipv4: string[], ipv6: string[] = [], over: Partial<IrFirewall> = {}): IrFirewall {
  return hostFirewall({
    policy: { input: 'drop', output: 'drop' },
    addressSets: [set('many', ipv4, ipv6)],
    rules: [
      rule('r1', { src: 'many', families: [4, 6].filter((f) => (f === 4 ? ipv4 : ipv6).length) as IrFamily[], dstPorts: { ranges: ports(22) } }),
      rule('r2', { direction: 'output', dst: 'many', families: [4, 6].filter((f) => (f === 4 ? ipv4 : ipv6).length) as IrFamily[], dstPorts: { ranges: ports(25) } }),
    ],
    ...over,
  });
}

describe('ipset threshold', () => {
  it(`writes out lists of up to ${IPSET_THRESHOLD} blocks and uses a set from ${IPSET_THRESHOLD + 1} on`, () => {
    expect(IPSET_THRESHOLD).toBe(8);
    const at = files(withMany(v4s(IPSET_THRESHOLD)));
    expect([...at.keys()]).toEqual(['desktop.rules.v4', 'desktop.rules.v6']);
    expect(ruleLine(at.get('desktop.rules.v4')!, 'r1')).toEqual([
      `-A MSGR-desktop-IN -s ${v4s(IPSET_THRESHOLD).join(',')} -p tcp -m tcp --dport 22 -m comment --comment "line 10: rule r1" -j ACCEPT`,
    ]);
    expect(at.get('desktop.rules.v4')).not.toContain('ipset');

    const above = files(withMany(v4s(IPSET_THRESHOLD + 1)));
    expect([...above.keys()]).toEqual(['desktop.ipset', 'desktop.rules.v4', 'desktop.rules.v6']);
    const v4 = above.get('desktop.rules.v4')!;
    expect(ruleLine(v4, 'r1')).toEqual([
      '-A MSGR-desktop-IN -p tcp -m tcp --dport 22 -m set --match-set msgr-desktop-many-v4 src -m comment --comment "line 10: rule r1" -j ACCEPT',
    ]);
    expect(ruleLine(v4, 'r2')).toEqual([
      '-A MSGR-desktop-OUT -p tcp -m tcp --dport 25 -m set --match-set msgr-desktop-many-v4 dst -m comment --comment "line 10: rule r2" -j ACCEPT',
    ]);
    expect(v4).not.toContain(' -s 10.');
    expect(v4).not.toContain(' -d 10.');
    const sets = above.get('desktop.ipset')!;
    expect(sets.split('\n').filter((l) => l && !l.startsWith('#'))).toEqual(refill('msgr-desktop-many-v4', 4, v4s(IPSET_THRESHOLD + 1)));
  });

  it('counts per family: a set can be a list in one file and an ipset set in the other', () => {
    const mixed = files(withMany(v4s(IPSET_THRESHOLD + 1), v6s(2)));
    expect(ruleLine(mixed.get('desktop.rules.v4')!, 'r1')[0]).toContain('--match-set msgr-desktop-many-v4 src');
    const v6 = mixed.get('desktop.rules.v6')!;
    expect(ruleLine(v6, 'r1')[0]).toContain(` -s ${v6s(2).join(',')} `);
    expect(v6).not.toContain('--match-set');
    expect(v6).not.toContain('ipset');
    const sets = mixed.get('desktop.ipset')!;
    expect(sets).toContain('create msgr-desktop-many-v4 hash:net family inet -exist');
    expect(sets).not.toContain('msgr-desktop-many-v6');

    const other = files(withMany(v4s(2), v6s(IPSET_THRESHOLD + 1)));
    expect(other.get('desktop.rules.v4')).not.toContain('--match-set');
    expect(ruleLine(other.get('desktop.rules.v6')!, 'r2')[0]).toContain('-m set --match-set msgr-desktop-many-v6 dst');
    const sets6 = other.get('desktop.ipset')!;
    expect(creates(sets6)).toEqual(['create msgr-desktop-many-v6 hash:net family inet6 -exist', 'create msgr-desktop-many-t6 hash:net family inet6 -exist']);
    expect(ipsetFileResult(sets6).get('msgr-desktop-many-v6')).toContain(clientV6(IPSET_THRESHOLD));
  });

  it('one line for a rule with sets on both sides, instead of source × destination lines', () => {
    const fw = gatewayFirewall({
      placement: { kind: 'gateway', between: ['a', 'b'], zones: ['a', 'b'], others: 'accept', othersOrigin: { origin: { line: 24, column: 1, text: 'firewall edge' }, written: false }, origin: { line: 25, column: 5, text: 'firewall edge: between a and b' } },
      addressSets: [set('a', v4s(20), v6s(20)), set('b', v4s(30, 100), v6s(30, 100))],
      rules: [rule('r1', { direction: 'forward', src: 'a', dst: 'b', dstPorts: { ranges: ports(1503, [6891, 6900]) } })],
    });
    for (const family of [4, 6] as const) {
      const lines = ruleLine(files(fw).get(`edge.rules.v${family}`)!, 'r1');
      expect(lines).toEqual([
        `-A MSGR-edge-CROSS -p tcp -m multiport --dports 1503,6891:6900 -m set --match-set msgr-edge-a-v${family} src -m set --match-set msgr-edge-b-v${family} dst -m comment --comment "line 10: rule r1" -j ACCEPT`,
      ]);
    }
    const sets = files(fw).get('edge.ipset')!;
    expect(creates(sets).filter((l) => /-v[46] /.test(l))).toEqual([
      'create msgr-edge-a-v4 hash:net family inet -exist',
      'create msgr-edge-b-v4 hash:net family inet -exist',
      'create msgr-edge-a-v6 hash:net family inet6 -exist',
      'create msgr-edge-b-v6 hash:net family inet6 -exist',
    ]);
    expect(ipsetFileResult(sets).get('msgr-edge-b-v6')).toHaveLength(30);
    // The zones are the same sets: the jumps to the crossing chain match them too.
    expect(ruleLinesOf(files(fw).get('edge.rules.v4')!).filter((l) => l.startsWith('-A MSGR-edge-FWD '))).toEqual([
      '-A MSGR-edge-FWD -m set --match-set msgr-edge-a-v4 src -m set --match-set msgr-edge-b-v4 dst -m comment --comment "between the zones a and b" -j MSGR-edge-CROSS',
      '-A MSGR-edge-FWD -m set --match-set msgr-edge-b-v4 src -m set --match-set msgr-edge-a-v4 dst -m comment --comment "between the zones a and b" -j MSGR-edge-CROSS',
    ]);
  });

  it('defines only the sets the rules use (not those of left-out rules or unused sets)', () => {
    const fw = hostFirewall({
      addressSets: [set('used', v4s(10)), set('unused', v4s(10, 50)), set('forwarded', v4s(10, 80))],
      rules: [rule('r1', { src: 'used', families: [4] }), rule('r2', { direction: 'forward', src: 'forwarded', families: [4] })],
    });
    const out = files(fw);
    expect([...ipsetFileResult(out.get('desktop.ipset')!).keys()]).toEqual(['msgr-desktop-used-v4']);
    expect(out.get('desktop.rules.v4')).toContain('# r2 left out: direction forward does not exist on a host firewall');
  });
});

describe('ipset names', () => {
  it('msgr-<id>-<set>-v4/-v6 when it fits', () => {
    expect(ipsetName({ name: 'desktop' }, 'peers', 4)).toBe('msgr-desktop-peers-v4');
    expect(ipsetName({ name: 'lcs-host' }, 'clients', 6)).toBe('msgr-lcs-host-clients-v6');
    expect(ipsetName({ name: 'a23456789012345' }, 'abcdefg', 4)).toBe('msgr-a23456789012345-abcdefg-v4');
    expect(ipsetName({ name: 'a23456789012345' }, 'abcdefg', 4)).toHaveLength(MAX_IPSET_NAME);
  });

  it(`stays within ${MAX_IPSET_NAME} characters for any firewall and set name, keeping msgr-<id>- and the family`, () => {
    for (const fwLen of [1, 7, 14, 15, 16, 28, 200]) {
      for (const setLen of [1, 7, 8, 9, 16, 24]) {
        const fw = { name: 'f'.repeat(fwLen) };
        for (const family of [4, 6] as const) {
          const name = ipsetName(fw, 's'.repeat(setLen), family);
          expect(name.length, name).toBeLessThanOrEqual(MAX_IPSET_NAME);
          expect(name.startsWith(`msgr-${firewallId(fw.name)}-`), name).toBe(true);
          expect(name.endsWith(`-v${family}`), name).toBe(true);
          expect(name).toMatch(/^[A-Za-z0-9_.-]+$/);
        }
      }
    }
  });

  it('shortens the middle like the firewall id: first 16 characters, ".", 6 hex digits of its SHA-256, deterministically', () => {
    const fw = { name: 'branch-office-gateway-number-one' };
    const name = ipsetName(fw, 'staff_and_vendors', 4);
    // A 15-character id leaves no room for the set name: the 16 characters are `<id>-`.
    expect(name).toMatch(/^msgr-branch-o\.[0-9a-f]{6}-\.[0-9a-f]{6}-v4$/);
    expect(ipsetName({ name: 'lcs-host' }, 'staff_and_vendors', 4)).toMatch(/^msgr-lcs-host-staff_a\.[0-9a-f]{6}-v4$/);
    expect(ipsetName(fw, 'staff_and_vendors', 4)).toBe(name);
    expect(ipsetName({ name: 'branch-office-gateway-number-one' }, 'staff_and_vendors', 6)).toBe(name.replace(/-v4$/, '-v6'));
  });

  it('gives every set of a firewall its own name, per family', () => {
    const names = (fw: string) =>
      Array.from({ length: 500 }, (_, i) => `set_with_a_long_name_${i}`).flatMap((s) => [ipsetName({ name: fw }, s, 4), ipsetName({ name: fw }, s, 6)]);
    for (const fw of ['desktop', 'a23456789012345', 'a-very-long-firewall-name-indeed']) {
      const all = names(fw);
      expect(new Set(all).size).toBe(all.length);
    }
  });

  it('refuses (MSGR060, from the IR alone) to give two sets of one firewall the same name, should the 6 hex digits ever collide', () => {
    // Birthday search for two set names whose shortened names collide (deterministic: same pair every run).
    const fwName = 'a23456789012345';
    const seen = new Map<string, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; !pair && i < 200_000; i++) {
      const s = `set_${i.toString().padStart(6, '0')}`;
      const n = ipsetName({ name: fwName }, s, 4);
      const other = seen.get(n);
      if (other) pair = [other, s];
      else seen.set(n, s);
    }
    expect(pair).toBeDefined();
    const [a, b] = pair!;
    const fw = hostFirewall({
      name: fwName,
      addressSets: [set(a, v4s(9)), set(b, v4s(9, 20))],
      rules: [rule('r1', { src: a, families: [4] }), rule('r2', { src: b, families: [4] })],
    });
    const { files, problems } = emitTargets(doc([fw]), { target: 'iptables' });
    expect(problems.map((p) => p.message)).toEqual([`address sets ${a} and ${b} would share the ipset name ${ipsetName({ name: fwName }, a, 4)}`]);
    expect(files).toEqual([]);
    // Rendered anyway, the view stops rather than write two sets under one name.
    expect(() => iptables.render(doc([fw]), fw)).toThrow(/^iptables: the IR breaks an invariant: .*would share the ipset name/);
    // Without the clash (one of the two sets short enough to be written out) nothing is refused.
    const fine = hostFirewall({ ...fw, addressSets: [set(a, v4s(9)), set(b, v4s(3, 20))] });
    expect(emitTargets(doc([fine]), { target: 'iptables' }).problems).toEqual([]);
  });
});

describe('sets can never hold a /0', () => {
  it('a list with 0.0.0.0/0 or ::/0 matches every address of the family: no address match, no set', () => {
    const fw = withMany(['0.0.0.0/0', ...v4s(IPSET_THRESHOLD + 2)], ['::/0', ...v6s(IPSET_THRESHOLD + 2)]);
    const out = files(fw);
    expect([...out.keys()]).toEqual(['desktop.rules.v4', 'desktop.rules.v6']);
    for (const family of [4, 6] as const) {
      const content = out.get(`desktop.rules.v${family}`)!;
      expect(ruleLine(content, 'r1')).toEqual(['-A MSGR-desktop-IN -p tcp -m tcp --dport 22 -m comment --comment "line 10: rule r1" -j ACCEPT']);
      expect(ruleLine(content, 'r2')).toEqual(['-A MSGR-desktop-OUT -p tcp -m tcp --dport 25 -m comment --comment "line 10: rule r2" -j ACCEPT']);
      expect(content).toContain(`# r1: many holds every IPv${family} address, so no source address match`);
      expect(content).toContain(`# r2: many holds every IPv${family} address, so no destination address match`);
      expect(content).not.toMatch(/\/0\b/);
    }
  });

  it('the /0 of one family does not affect the other', () => {
    const out = files(withMany(['0.0.0.0/0'], v6s(IPSET_THRESHOLD + 1)));
    expect(ruleLine(out.get('desktop.rules.v4')!, 'r1')[0]).not.toContain(' -s ');
    expect(ruleLine(out.get('desktop.rules.v6')!, 'r1')[0]).toContain('--match-set msgr-desktop-many-v6 src');
    expect(out.get('desktop.ipset')).not.toMatch(/\/0$/m);
  });

  it('no generated set ever has a /0 member', () => {
    for (const arts of largeArtefacts({ networks: 50 }).values()) {
      for (const a of arts.filter((x) => x.name.endsWith('.ipset'))) {
        for (const l of a.content.split('\n').filter((x) => x.startsWith('add '))) expect(l).not.toMatch(/\/0+$/);
      }
    }
  });
});

describe('the .ipset file and the rules headers', () => {
  const fw = withMany(v4s(12), v6s(10));
  const out = files(fw);
  const sets = out.get('desktop.ipset')!;

  it('is an ipset restore file: # lines, blank lines, then per set create -exist, and a refill through a temporary set and swap', () => {
    const body = sets.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(body).toEqual([...refill('msgr-desktop-many-v4', 4, v4s(12)), ...refill('msgr-desktop-many-v6', 6, v6s(10))]);
    expect(ipsetFileResult(sets)).toEqual(
      new Map([
        ['msgr-desktop-many-v4', v4s(12)],
        ['msgr-desktop-many-v6', v6s(10)],
      ]),
    );
    expect(sets).toMatch(/swapped with the set in one step/);
    for (const l of sets.split('\n')) expect(Buffer.byteLength(l)).toBeLessThan(1024);
    expect(sets).toContain('#   ipset restore -exist < desktop.ipset\n');
    expect(sets).toContain('#   ipset destroy msgr-desktop-many-v4\n#   ipset destroy msgr-desktop-many-v6\n');
  });

  it('the rules headers say to restore the sets first, and destroy them only after the chains', () => {
    for (const family of [4, 6] as const) {
      const content = out.get(`desktop.rules.v${family}`)!;
      const lines = content.split('\n');
      const restore = lines.indexOf('#   ipset restore -exist < desktop.ipset');
      expect(restore).toBeGreaterThan(0);
      expect(restore).toBeLessThan(lines.findIndex((l) => l.startsWith('# Apply, keeping every other rule')));
      expect(content).toContain(`matched with ipset sets (-m set\n# --match-set): msgr-desktop-many-v${family}.`);
      expect(content).toMatch(/must be restored FIRST/);
      const remove = lines.filter((l) => /^# {3}(ip6?tables|ipset) /.test(l)).map((l) => l.slice(4));
      const tool = family === 4 ? 'iptables' : 'ip6tables';
      expect(remove.slice(-2)).toEqual([`${tool} -X MSGR-desktop-CROSS`, `ipset destroy msgr-desktop-many-v${family}`]);
      expect(remove.filter((l) => l.startsWith('ipset destroy'))).toEqual([`ipset destroy msgr-desktop-many-v${family}`]);
    }
  });

  it('a firewall without long lists keeps its two files and says nothing about ipset', () => {
    const plain = files(hostFirewall());
    expect([...plain.keys()]).toEqual(['desktop.rules.v4', 'desktop.rules.v6']);
    for (const c of plain.values()) expect(c).not.toMatch(/ipset|--match-set/);
  });

  it(`writes maxelem only for a set of more than ${IPSET_DEFAULT_MAXELEM} blocks`, () => {
    const n = IPSET_DEFAULT_MAXELEM + 10;
    const many = Array.from({ length: n }, (_, i) => `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
    const big = files(withMany(many));
    expect(big.get('desktop.ipset')).toContain(`create msgr-desktop-many-v4 hash:net family inet maxelem ${2 * IPSET_DEFAULT_MAXELEM} -exist\n`);
    expect(big.get('desktop.ipset')).toContain(`create msgr-desktop-many-t4 hash:net family inet maxelem ${2 * IPSET_DEFAULT_MAXELEM} -exist\n`);
    expect(ruleLine(big.get('desktop.rules.v4')!, 'r1')).toHaveLength(1);
  });
});

describe('a generated policy with 1,000 client networks', () => {
  const arts = largeArtefacts({ networks: 1000 });

  it('is deterministic', () => {
    const again = largeArtefacts({ networks: 1000 });
    expect([...again]).toEqual([...arts]);
    const ir = compileLarge({ networks: 1000 });
    for (const fw of ir.firewalls) expect(iptables.render(structuredClone(ir), structuredClone(fw))).toEqual(arts.get(fw.name));
  });

  it('matches the client networks with one set per family, each holding exactly the IR set, v4 in .v4 and v6 in .v6', () => {
    const ir = compileLarge({ networks: 1000 });
    for (const fw of ir.firewalls) {
      const byName = new Map(arts.get(fw.name)!.map((a) => [a.name, a.content]));
      const sets = byName.get(`${fw.name}.ipset`)!;
      expect(sets, fw.name).toBeDefined();
      const members = ipsetFileResult(sets);
      for (const [name, list] of members) {
        const family = name.endsWith('-v4') ? 4 : 6;
        const irSet = fw.addressSets.find((s) => ipsetName(fw, s.name, family) === name)!;
        expect(list).toEqual(family === 4 ? irSet.ipv4 : irSet.ipv6);
        expect(list.length).toBeGreaterThanOrEqual(1000);
        expect(byName.get(`${fw.name}.rules.v${family}`)).toContain(`--match-set ${name} `);
        expect(byName.get(`${fw.name}.rules.v${family === 4 ? 6 : 4}`)).not.toContain(`--match-set ${name} `);
      }
    }
  });

  it('needs a few dozen rules where written-out lists needed thousands', () => {
    const rows: string[] = [];
    let before = 0;
    let after = 0;
    for (const [fw, list] of arts) {
      const sizes = new Map<string, number>();
      for (const a of list.filter((x) => x.name.endsWith('.ipset'))) {
        for (const [name, members] of ipsetFileResult(a.content)) sizes.set(name, members.length);
      }
      for (const a of list.filter((x) => !x.name.endsWith('.ipset'))) {
        const now = kernelRuleCount(a.content);
        // The same file with every set written out as -s/-d lists: each side multiplies.
        let expanded = 0;
        for (const l of ruleLinesOf(a.content)) {
          const side = (flag: 'src' | 'dst', opt: string) =>
            sizes.get(new RegExp(`--match-set (\\S+) ${flag} `).exec(l)?.[1] ?? '') ?? new RegExp(` ${opt} (\\S+)`).exec(l)?.[1]?.split(',').length ?? 1;
          expanded += side('src', '-s') * side('dst', '-d');
        }
        rows.push(`${a.name}: ${expanded} -> ${now} kernel rules`);
        before += expanded;
        after += now;
      }
    }
    console.info(`[msgrfw] 1,000 client networks, iptables kernel rules without → with ipset sets:\n  ${rows.join('\n  ')}\n  total: ${before} -> ${after}`);
    expect(after).toBeLessThan(100);
    expect(before).toBeGreaterThan(10_000);
  });
});
