import { describe, expect, it } from 'vitest';
import { artefactForOutput, collidingArtefact, type NamedArtefact } from '../../src/cli/artefactNames.js';

const a = (name: string, firewall = name.split('.')[0]!, policy = 'site.msgr'): NamedArtefact => ({ name, firewall, policy });
const chosen = (artefacts: NamedArtefact[], output: string) => {
  const r = artefactForOutput(artefacts, output);
  return r.ok ? r.artefact.name : r.problem;
};

describe('artefactForOutput: which artefact -o writes', () => {
  const iptables = [a('wan.rules.v4'), a('wan.rules.v6'), a('wan.ipset')];

  it('the only artefact, whatever the name (stdout too)', () => {
    for (const out of ['-', 'x', '/etc/nftables.d/edge.conf']) expect(chosen([a('edge.nft')], out)).toBe('edge.nft');
  });

  it('of several, the one the file name says: whole, or by its kind at the end, in any directory', () => {
    expect(chosen(iptables, 'wan.rules.v6')).toBe('wan.rules.v6');
    expect(chosen(iptables, '/etc/iptables/rules.v6')).toBe('wan.rules.v6');
    expect(chosen(iptables, 'staging/wan-new.rules.v4')).toBe('wan.rules.v4');
    expect(chosen(iptables, 'wan.ipset')).toBe('wan.ipset');
    expect(chosen([a('desk.cmd'), a('desk.reg')], 'ports.reg')).toBe('desk.reg');
    expect(chosen([a('my-fw.pf.conf', 'my-fw'), a('my-fw.nft', 'my-fw')], 'x.pf.conf')).toBe('my-fw.pf.conf');
    // A firewall whose name looks like a kind: the kind is what follows the firewall's name.
    expect(chosen([a('rules.v4.rules.v4', 'rules.v4'), a('rules.v4.rules.v6', 'rules.v4')], 'rules.v6')).toBe('rules.v4.rules.v6');
  });

  it('the whole name also picks the firewall among several', () => {
    const two = [...iptables, a('lan.rules.v4'), a('lan.rules.v6')];
    expect(chosen(two, 'lan.rules.v4')).toBe('lan.rules.v4');
    expect(chosen(two, 'rules.v4')).toMatch(/the name rules\.v4 fits wan\.rules\.v4 and lan\.rules\.v4/);
  });

  it('refuses stdout, a name that names none, and an empty selection, listing the choice', () => {
    expect(chosen(iptables, '-')).toBe('-o needs exactly one artefact, but this selection has 3: wan.rules.v4, wan.rules.v6, wan.ipset (stdout takes one); narrow it with -t and -f, name the file after the one you want (-o wan.ipset), or use --out-dir');
    expect(chosen(iptables, 'wan.rules')).toMatch(/\(the name wan\.rules names none of them\)/);
    expect(chosen(iptables, 'rules.v6.bak')).toMatch(/names none of them/);
    expect(chosen([], 'x')).toBe('-o needs exactly one artefact, but this selection has none');
  });
});

describe('collidingArtefact: two policies into one directory', () => {
  it('none when every name is written once', () => {
    expect(collidingArtefact([a('edge.nft', 'edge', 'a.msgr'), a('edge-b.nft', 'edge-b', 'b.msgr')])).toBeUndefined();
  });

  it('names the file and both policies, or the policy given twice', () => {
    expect(collidingArtefact([a('edge.nft', 'edge', 'a.msgr'), a('x.nft', 'x', 'b.msgr'), a('edge.nft', 'edge', 'b.msgr')])).toBe(
      'a.msgr and b.msgr would both write edge.nft (both have a firewall named edge); compile them into separate --out-dir directories, or rename one firewall',
    );
    expect(collidingArtefact([a('edge.nft', 'edge', 'a.msgr'), a('edge.nft', 'edge', 'a.msgr')])).toBe('a.msgr is given twice: it would write edge.nft twice');
  });
});
