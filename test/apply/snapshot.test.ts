// What a rollback writes back (the kernel tests in apply.kernel.test.ts restore real rulesets
// and compare them with what was there before; these pin the restore input itself).
import { describe, expect, it } from 'vitest';
import { artefactSets, iptablesRestoreText, nftRestoreFile, type IptablesSnapshot } from '../../src/apply/snapshot.js';

const CHAINS = ['MSGR-x-IN', 'MSGR-x-OUT', 'MSGR-x-FWD', 'MSGR-x-CROSS'];
const family = (chains: IptablesSnapshot['families'][4]['chains'], jumps: IptablesSnapshot['families'][4]['jumps']) => ({ save: '', chains, jumps });

describe('the snapshot put back', () => {
  it('nftables: the table deleted and defined again in one transaction, or just deleted when there was none', () => {
    expect(nftRestoreFile({ target: 'nftables', table: 'msgr_x' })).toBe('# msgrfw: table inet msgr_x as it was before msgrfw apply (there was none)\ntable inet msgr_x\ndelete table inet msgr_x\n');
    expect(nftRestoreFile({ target: 'nftables', table: 'msgr_x', text: 'table inet msgr_x {\n}\n' })).toMatch(/\ndelete table inet msgr_x\ntable inet msgr_x \{\n\}\n$/);
  });

  it('iptables: current jumps out (highest first), chains refilled or removed, the old jumps back at their positions', () => {
    const snapshot: IptablesSnapshot = {
      target: 'iptables',
      chains: CHAINS,
      sets: [],
      families: {
        4: family({ 'MSGR-x-IN': ['-A MSGR-x-IN -j DROP'], 'MSGR-x-OUT': undefined, 'MSGR-x-FWD': undefined, 'MSGR-x-CROSS': undefined }, [{ chain: 'INPUT', position: 2, line: '-A INPUT -j MSGR-x-IN' }]),
        6: family({}, []),
      },
    };
    const now = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':MSGR-x-IN - [0:0]', ':MSGR-x-FWD - [0:0]', ':MSGR-x-CROSS - [0:0]',
      '-A INPUT -j MSGR-x-IN', '-A INPUT -p tcp -j ACCEPT', '-A FORWARD -j MSGR-x-FWD', '-A MSGR-x-IN -p udp -j ACCEPT', '-A MSGR-x-FWD -j MSGR-x-CROSS', 'COMMIT'].join('\n');
    expect(iptablesRestoreText(snapshot, 4, now).split('\n')).toEqual([
      '*filter',
      ':MSGR-x-IN - [0:0]',
      ':MSGR-x-FWD - [0:0]',
      ':MSGR-x-CROSS - [0:0]',
      '-D INPUT 1',
      '-D FORWARD 1',
      '-X MSGR-x-FWD',
      '-X MSGR-x-CROSS',
      '-A MSGR-x-IN -j DROP',
      '-I INPUT 2 -j MSGR-x-IN',
      'COMMIT',
      '',
    ]);
  });

  it('iptables: a jump position past the end of a chain that shrank meanwhile goes at its end', () => {
    const snapshot: IptablesSnapshot = { target: 'iptables', chains: CHAINS, sets: [], families: { 4: family({ 'MSGR-x-IN': [] }, [{ chain: 'INPUT', position: 5, line: '-A INPUT -j MSGR-x-IN' }]), 6: family({}, []) } };
    expect(iptablesRestoreText(snapshot, 4, '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\nCOMMIT\n')).toContain('\n-I INPUT 2 -j MSGR-x-IN\n');
  });

  it('the sets an .ipset artefact fills are those it swaps into place', () => {
    expect(artefactSets('create msgr-a-v4 hash:net -exist\ncreate msgr-a-t4 hash:net -exist\nswap msgr-a-t4 msgr-a-v4\ndestroy msgr-a-t4\n')).toEqual(['msgr-a-v4']);
    expect(artefactSets(undefined)).toEqual([]);
  });
});
