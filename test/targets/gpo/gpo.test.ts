import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IrDocument, IrPortRange } from '../../../src/ir/types.js';
import { emitTargets } from '../../../targets/emit.js';
import { groupPolicyArtefacts, groupPolicyFileName, groupPolicyReg } from '../../../targets/gpo/index.js';
import { COMMUNICATOR_KEY, RTC_KEY } from '../../../targets/gpo/view.js';
import { netsh } from '../../../targets/netsh/index.js';
import { msgrfw } from '../../cli/run.js';
import { artefactsIn, EXAMPLES, irOf } from '../../helpers.js';
import { readReg, type RegFile } from '../../../targets/gpo/reader.js';

/**
 * Clients behind gateways only, with no host firewall: before `gpo`, nothing wrote their
 * Group Policy file although the gateways open exactly its ranges. Four blocks: TLS with
 * audio (media range), TCP mode (SIP range and media range), TLS without media (nothing to
 * set), and TCP with audio but no ranges given (falls back, nothing to set: MSGR028).
 */
const BEHIND_GATEWAYS = `deployment wide {
  network hq     = 10.10.0.0/16, 2001:db8:10::/48
  network lab    = 10.11.0.0/16
  network kiosk  = 10.12.0.0/16
  network legacy = 10.13.0.0/16
  network srv    = 10.1.1.10, 2001:db8:1::10
  network pt     = 198.51.100.0/24, 2001:db8:99::/48

  server srv {
    sip tls
    sip tcp
  }
  clients hq {
    server srv via tls
    features im, presence, audio, video
    media ports 50000-50039
    peers pt
  }
  clients lab {
    server srv via tcp
    features im, audio
    sip dynamic ports 7000-7049
    media ports 52000-52099
    peers pt
  }
  clients kiosk {
    server srv via tls
    features im, presence
  }
  clients legacy {
    server srv via tcp
    features im, audio
    peers pt
  }
  firewall edge {
    between hq and pt
    targets nftables, pf
  }
  firewall lab-edge {
    between lab and pt
    targets iptables
  }
  firewall srv-edge {
    between lab and srv
    targets nftables
  }
}
`;

const POLICIES = [...EXAMPLES.map((e) => ({ name: e.name, text: e.text })), { name: 'behind-gateways.msgr', text: BEHIND_GATEWAYS }];

const values = (reg: RegFile, key: string) => Object.fromEntries(reg.keys.get(key) ?? []);

/** The port ranges every firewall opens for a block's statement (`media ports`, `sip dynamic ports`) in rules of a catalog entry. */
function opened(doc: IrDocument, clients: string, statement: string, catalog: string, sides: ('srcPorts' | 'dstPorts')[]): IrPortRange[] {
  const ranges = doc.firewalls.flatMap((fw) =>
    fw.rules
      .filter((r) => (r.catalog ?? []).includes(catalog) && r.origins.some((o) => o.text.startsWith(`clients ${clients}: ${statement}`)))
      .flatMap((r) => sides.flatMap((s) => r[s]?.ranges ?? [])),
  );
  return [...new Map(ranges.map((r) => [`${r.from}-${r.to}`, r])).values()];
}

describe('gpo: one Group Policy file per clients block that sets a range', () => {
  it('writes <clients>.gpo.reg exactly for the blocks with a range to set', () => {
    const doc = irOf(BEHIND_GATEWAYS, 'wide.msgr');
    expect(groupPolicyArtefacts(doc).map((a) => a.name)).toEqual(['hq.gpo.reg', 'lab.gpo.reg']);
    expect(groupPolicyFileName('hq')).toBe('hq.gpo.reg');
    for (const e of EXAMPLES) {
      const names = groupPolicyArtefacts(irOf(e.text, e.name)).map((a) => a.name);
      expect(names).toEqual(e.name === 'contoso.msgr' ? ['clients.gpo.reg'] : ['staff.gpo.reg']);
    }
  });

  it.each(POLICIES.map((p) => [p.name, p.text]))('%s: each file reads back (strictly) as exactly the ranges the firewalls open for its block', (name, text) => {
    const doc = irOf(text, name);
    const files = groupPolicyArtefacts(doc);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const g = doc.groupPolicy.find((x) => groupPolicyFileName(x.clients) === file.name)!;
      const reg = readReg(file.content);
      expect(reg.version).toBe('Windows Registry Editor Version 5.00');
      expect(reg.deleted).toEqual([]);
      expect([...reg.keys.keys()]).toEqual([COMMUNICATOR_KEY, RTC_KEY]);
      const set = values(reg, COMMUNICATOR_KEY);
      // Both keys hold the same values: Office Communicator reads one, Windows Messenger 5.x the other.
      expect(values(reg, RTC_KEY)).toEqual(set);
      expect(set.Enabled).toBe(1);

      const media = opened(doc, g.clients, 'media ports', 'rtp', ['srcPorts', 'dstPorts']);
      if (g.mediaNeeded && g.media) {
        expect(media).toEqual([{ from: set.MinMediaPort, to: set.MaxMediaPort }]);
        expect(media).toEqual([g.media]);
      } else {
        expect(set).not.toHaveProperty('MinMediaPort');
      }
      const sip = opened(doc, g.clients, 'sip dynamic ports', 'sip-tcp-notify', ['dstPorts']);
      if (g.sipNeeded && g.sipDynamic) {
        expect(sip).toEqual([{ from: set.MinSipDynamicPort, to: set.MaxSipDynamicPort }]);
        expect(sip).toEqual([g.sipDynamic]);
      } else {
        expect(set).not.toHaveProperty('MinSipDynamicPort');
      }
      expect(Object.keys(set).sort()).toEqual(['Enabled', ...(set.MinMediaPort ? ['MaxMediaPort', 'MinMediaPort'] : []), ...(set.MinSipDynamicPort ? ['MaxSipDynamicPort', 'MinSipDynamicPort'] : [])].sort());
    }
  });

  it('a TCP-mode block behind gateways gets both ranges, as the gateways open them (lab)', () => {
    const doc = irOf(BEHIND_GATEWAYS, 'wide.msgr');
    const lab = readReg(groupPolicyArtefacts(doc).find((a) => a.name === 'lab.gpo.reg')!.content);
    expect(values(lab, COMMUNICATOR_KEY)).toEqual({ Enabled: 1, MinMediaPort: 52000, MaxMediaPort: 52099, MinSipDynamicPort: 7000, MaxSipDynamicPort: 7049 });
  });

  it('the reader is strict: it refuses what regedit would read otherwise, and applies deletions', () => {
    const ok = 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\A]\r\n"X"=dword:0000000a\r\n"x"=dword:0000000b\r\n"Y"=-\r\n';
    expect(Object.fromEntries(readReg(ok).keys.get('HKEY_LOCAL_MACHINE\\A')!)).toEqual({ X: 11 });
    for (const bad of [
      ok.replace(/\r\n/g, '\n'),
      ok.replace('Version 5.00', 'Version 5'),
      ok.replace('dword:0000000a', 'dword:a'),
      ok.replace('dword:0000000a', '"text"'),
      ok.replace('[HKEY_LOCAL_MACHINE\\A]\r\n', ''),
      ok.replace('HKEY_LOCAL_MACHINE', 'HKEY_CURRENT_USER'),
      `${ok}caf\u00e9\r\n`,
      `${ok}[HKEY_LOCAL_MACHINE\\B]\r\n"Z"=dword:00000001 ; trailing\r\n`,
    ]) {
      expect(() => readReg(bad), JSON.stringify(bad)).toThrow();
    }
  });
});

describe('gpo and netsh write the same bytes for the same clients block', () => {
  // Every host firewall on a clients block, of every policy here, rendered by netsh.
  const cases = POLICIES.flatMap(({ name, text }) =>
    irOf(text, name)
      .firewalls.filter((fw) => fw.placement.kind === 'host' && irOf(text, name).groupPolicy.some((g) => fw.placement.kind === 'host' && g.clients === fw.placement.on))
      .map((fw) => [name, fw.name, text] as const),
  );

  it('there are such firewalls to compare', () => {
    expect(cases.map(([file, fw]) => `${file} ${fw}`)).toEqual(['branch.msgr staff-pc', 'contoso.msgr desktop']);
  });

  it.each(cases)('%s %s: netsh <fw>.reg === gpo <clients>.gpo.reg', (file, fwName, text) => {
    const doc = irOf(text, file);
    const fw = doc.firewalls.find((f) => f.name === fwName)!;
    const on = fw.placement.kind === 'host' ? fw.placement.on : '';
    const fromNetsh = netsh.render(doc, fw).find((a) => a.name === `${fwName}.reg`)!.content;
    const fromGpo = groupPolicyArtefacts(doc).find((a) => a.name === groupPolicyFileName(on))!.content;
    expect(fromGpo).toBe(fromNetsh);
    expect(Buffer.from(fromGpo).equals(Buffer.from(fromNetsh))).toBe(true);
  });

  it('a block with nothing to set: netsh still writes its note-only .reg, gpo writes none (no file to deploy)', () => {
    const text = BEHIND_GATEWAYS.replace('firewall srv-edge {', 'firewall kiosk-pc {\n    on kiosk\n    targets netsh\n  }\n  firewall srv-edge {');
    const doc = irOf(text, 'wide.msgr');
    const kiosk = netsh.render(doc, doc.firewalls.find((f) => f.name === 'kiosk-pc')!).find((a) => a.name === 'kiosk-pc.reg')!.content;
    expect(kiosk).toBe(groupPolicyReg(doc, doc.groupPolicy.find((g) => g.clients === 'kiosk')!));
    expect(readReg(kiosk).keys.size).toBe(0);
    expect(kiosk).toMatch(/^; Nothing to set/m);
    expect(groupPolicyArtefacts(doc).map((a) => a.name)).not.toContain('kiosk.gpo.reg');
  });

  it('free text in the file name cannot reach the .reg', () => {
    const doc = irOf(BEHIND_GATEWAYS, 'w\u00e9ird\r\n[HKEY_LOCAL_MACHINE\\Evil]\r\n"X"=dword:00000001 .msgr');
    for (const a of groupPolicyArtefacts(doc)) {
      const reg = readReg(a.content);
      expect([...reg.keys.keys()]).toEqual([COMMUNICATOR_KEY, RTC_KEY]);
    }
  });
});

describe('gpo on the command line', () => {
  const tmp = () => mkdtempSync(join(tmpdir(), 'msgrfw-gpo-'));

  it('compile with no -t writes the Group Policy files beside the firewalls', () => {
    const dir = tmp();
    const r = msgrfw(['compile', '-', '--out-dir', dir], BEHIND_GATEWAYS);
    expect(r.code, r.stderr).toBe(0);
    expect(artefactsIn(dir)).toEqual(['edge.nft', 'edge.pf.conf', 'hq.gpo.reg', 'lab-edge.rules.v4', 'lab-edge.rules.v6', 'lab.gpo.reg', 'srv-edge.nft']);
    expect(r.stdout).toContain(`wrote ${join(dir, 'lab.gpo.reg')}\n`);
    const doc = irOf(BEHIND_GATEWAYS, '<stdin>');
    expect(readFileSync(join(dir, 'lab.gpo.reg'), 'utf8')).toBe(groupPolicyArtefacts(doc).find((a) => a.name === 'lab.gpo.reg')!.content);
  });

  it('-t gpo writes only them; -o - prints the one file', () => {
    const dir = tmp();
    expect(msgrfw(['compile', '-', '-t', 'gpo', '--out-dir', dir], BEHIND_GATEWAYS).code).toBe(0);
    expect(artefactsIn(dir)).toEqual(['hq.gpo.reg', 'lab.gpo.reg']);
    const one = msgrfw(['compile', EXAMPLES.find((e) => e.name === 'contoso.msgr')!.path, '-t', 'gpo', '-o', '-']);
    expect(one.code).toBe(0);
    expect(readReg(one.stdout).keys.size).toBe(2);
  });

  it('-f or another -t selects firewalls: no Group Policy file; -t gpo with -f is a usage error', () => {
    const dir = tmp();
    expect(msgrfw(['compile', '-', '-f', 'edge', '--out-dir', dir], BEHIND_GATEWAYS).code).toBe(0);
    expect(msgrfw(['compile', '-', '-t', 'nftables', '--out-dir', dir], BEHIND_GATEWAYS).code).toBe(0);
    expect(readdirSync(dir).filter((f) => f.endsWith('.reg'))).toEqual([]);
    const r = msgrfw(['compile', '-', '-t', 'gpo', '-f', 'edge', '--out-dir', dir], BEHIND_GATEWAYS);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/-t gpo writes the clients' Group Policy files, which belong to no firewall: leave out -f/);
    const emitted = emitTargets(irOf(BEHIND_GATEWAYS), { target: 'nftables' });
    expect(emitted.groupPolicy).toEqual([]);
  });

  it('keeps the Group Policy files in the manifest: a narrowed run leaves them, a block that no longer sets a range loses its file', () => {
    const dir = tmp();
    expect(msgrfw(['compile', '-', '--out-dir', dir], BEHIND_GATEWAYS).code).toBe(0);
    expect(readFileSync(join(dir, '.msgrfw-manifest.json'), 'utf8')).toContain('{"file":"lab.gpo.reg","deployment":"wide","firewall":"lab","target":"gpo"');
    // -f and -t narrow the run to firewalls: the Group Policy files are out of its scope.
    expect(msgrfw(['compile', '-', '-f', 'edge', '--out-dir', dir], BEHIND_GATEWAYS).stdout).not.toMatch(/removed/);
    expect(msgrfw(['compile', '-', '-t', 'nftables', '--out-dir', dir], BEHIND_GATEWAYS).stdout).not.toMatch(/removed/);
    expect(artefactsIn(dir)).toContain('lab.gpo.reg');
    // lab no longer sets a range its features need: its file is stale.
    const without = BEHIND_GATEWAYS.replace(/clients lab \{[^}]*\}/, 'clients lab {\n    server srv via tls\n    features im\n  }');
    expect(without).not.toBe(BEHIND_GATEWAYS);
    const r = msgrfw(['compile', '-', '--out-dir', dir], without);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`removed ${join(dir, 'lab.gpo.reg')}: clients lab no longer set a Group Policy range\n`);
    expect(artefactsIn(dir)).not.toContain('lab.gpo.reg');
  });
});
