// Safe re-apply: every artefact touches only what it owns, whatever the policy holds, so applying
// it again (also after the policy changed) replaces exactly its own rules.
// - nftables: its own `table inet msgr_<fw>`, nothing else (in the kernel:
//   test/kernel/nftables-reapply.test.ts, and twice-equals-once for the hostile policies in
//   test/hardening/injection-kernel.test.ts);
// - iptables: its own MSGR-<id>-* chains and one jump per built-in chain, never a policy, flush or
//   delete (in the kernel with the documented apply command: test/targets/iptables/namespace.test.ts
//   and test/hardening/injection-kernel.test.ts);
// - netsh: its own rule name (run through the netsh reader here, next to other tools' rules);
// - pf: its own anchor: only tables and filter rules, nothing global (`set`, `anchor`, `load`,
//   translation rules), so `pfctl -a msgr/<fw> -f` cannot reach past the anchor.
import { describe, expect, it } from 'vitest';
import { EXAMPLES } from '../helpers.js';
import { irToTuples } from '../readers/ir.js';
import { initialNetshState, netshTuples, readNetshScript } from '../../targets/netsh/reader.js';
import { parsePf } from '../../targets/pf/reader.js';
import { tupleText } from '../../targets/readers/tuple.js';
import { compiled, escapeMsgr, HOSTILE_TEXT, LEGAL_HOSTILE_TEXT, LONG_TEXT, withComments, withDescription, type Output } from './support.js';

const hostile = (text: string) => withComments(withDescription(text, escapeMsgr(LONG_TEXT)), LEGAL_HOSTILE_TEXT.join(' '));
const CASES = EXAMPLES.flatMap((e) => [
  { label: e.name, ...compiled(e.text, e.name) },
  { label: `${e.name} with hostile text`, ...compiled(hostile(e.text), `x/${HOSTILE_TEXT[3]}.msgr`) },
]);
const outputs = (suffix: string) => CASES.flatMap((c) => c.outputs.filter((o) => o.name.endsWith(suffix)).map((o) => ({ label: `${c.label}: ${o.name}`, o, ir: c.ir })));
const code = (o: Output, comment: RegExp) => o.content.split(/\r?\n/).filter((l) => l.trim() !== '' && !comment.test(l));

describe('nftables: only its own table', () => {
  it.each(outputs('.nft'))('$label', ({ o }) => {
    const table = `msgr_${o.firewall.name}`;
    const top = code(o, /^\s*#/).filter((l) => !/^\s/.test(l) && l !== '}');
    expect(top).toEqual([`table inet ${table}`, `delete table inet ${table}`, `table inet ${table} {`]);
    expect(o.content).not.toMatch(/^\s*(flush|delete|add|create|insert|replace|reset|destroy|list|include|define|redefine|undefine)\b(?! table inet msgr_)/m);
  });
});

describe('iptables: only its own chains and one jump per built-in chain', () => {
  it.each([...outputs('.rules.v4'), ...outputs('.rules.v6')])('$label', ({ o }) => {
    for (const l of code(o, /^#/)) {
      expect(l, o.name).toMatch(/^(\*filter|COMMIT|:MSGR-[A-Za-z0-9_.-]+ - \[0:0\]|-A MSGR-[A-Za-z0-9_.-]+ .*|-I (INPUT|OUTPUT|FORWARD) .*-j MSGR-[A-Za-z0-9_.-]+)$/);
    }
    const chains = code(o, /^#/).filter((l) => l.startsWith(':')).map((l) => l.split(' ')[0]!.slice(1));
    for (const l of code(o, /^#/).filter((x) => x.startsWith('-'))) {
      const own = l.split(' ')[1]!;
      const jump = / -j (\S+)/.exec(l)?.[1];
      if (l.startsWith('-A ')) expect(chains, l).toContain(own);
      if (jump?.startsWith('MSGR-')) expect(chains, l).toContain(jump);
    }
  });

  it.each(outputs('.ipset'))('$label: only its own sets', ({ o }) => {
    for (const l of code(o, /^#/)) expect(l).toMatch(/^(create|add|swap|destroy) msgr-\S+( .*)?$/);
  });
});

describe('netsh: only rules of its own name', () => {
  const OTHERS = [
    'netsh advfirewall firewall add rule name="Core Networking - DHCP" dir=in action=allow protocol=UDP localport=68',
    'netsh advfirewall firewall add rule name="msgrfw contoso" dir=in action=allow protocol=TCP localport=1',
    'netsh advfirewall firewall add rule name="msgrfw contoso desktop2" dir=in action=block protocol=TCP localport=2',
    'netsh advfirewall firewall add rule name="xmsgrfw contoso desktop" dir=out action=allow protocol=UDP localport=3',
    '',
  ].join('\r\n');

  it.each(outputs('.cmd'))('$label: run twice next to other rules equals run once, and keeps theirs', ({ o, ir }) => {
    const start = readNetshScript(OTHERS);
    const once = readNetshScript(o.content, start);
    const twice = readNetshScript(o.content, once);
    expect(once.exitCode).toBe(0);
    expect(twice.rules).toEqual(once.rules);
    expect(twice.profiles).toEqual(once.profiles);
    const ours = `msgrfw ${ir.deployment} ${o.firewall.name}`;
    expect(once.rules.filter((r) => r.name !== ours)).toEqual(start.rules.filter((r) => r.name !== ours));
    expect(once.rules.filter((r) => r.name !== ours)).toHaveLength(4);
    expect(netshTuples({ rules: once.rules.filter((r) => r.name === ours) }).map(tupleText)).toEqual(irToTuples(o.firewall).map(tupleText));
  });

  it('a shrunk policy run over the old one leaves only the new rules', () => {
    const text = EXAMPLES.find((e) => e.name === 'contoso.msgr')!.text;
    const big = compiled(text, 'contoso.msgr').outputs.find((o) => o.name === 'desktop.cmd')!;
    const small = compiled(text.replace(/ *allow tcp 22 from admins.*\n/, '').replace('features im, presence, whiteboard, application-sharing, file-transfer, audio, video', 'features im'), 'contoso.msgr').outputs.find((o) => o.name === 'desktop.cmd')!;
    const after = readNetshScript(small.content, readNetshScript(big.content, initialNetshState()));
    expect(after.rules).toEqual(readNetshScript(small.content).rules);
    expect(after.rules.length).toBeLessThan(readNetshScript(big.content).rules.length);
  });
});

describe('pf: nothing outside its anchor', () => {
  it.each(outputs('.pf.conf'))('$label', ({ o }) => {
    // A gateway's tables end in `!self` (the gateway's own addresses, read when pfctl loads them).
    const self = o.firewall.placement.kind === 'gateway' ? ', !self' : '';
    for (const l of code(o, /^#/)) expect(l).toMatch(new RegExp(`^(table <[a-z][a-z0-9_]*> \\{ [0-9A-Fa-f:./, ]*${self} \\}|pass .*|block .*)$`));
    const rs = parsePf(o.content);
    expect(rs.macros.size).toBe(0);
    // Every rule is quick but a default accept: the last rules, passes that keep state.
    const loose = rs.rules.filter((r) => !r.quick);
    expect(rs.rules.slice(rs.rules.length - loose.length)).toEqual(loose);
    for (const r of loose) expect(r).toMatchObject({ action: 'pass', state: 'keep', flags: 'S/SA' });
  });
});
