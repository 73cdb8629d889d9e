import { describe, expect, it } from 'vitest';
import { flattenRules } from '../../targets/readers/chains.js';
import { iptablesProgram, readIptables } from '../../targets/iptables/reader.js';
import { tupleText } from '../../targets/readers/tuple.js';
import { parseBatch, runBatch, splitArgs } from '../../targets/netsh/readerCmd.js';
import { irToTuples } from './ir.js';
import { netshTuples, readNetshScript, windowsEvaluationOrder } from '../../targets/netsh/reader.js';
import { addressIn, addressValue, normalizeAddresses, normalizePorts } from '../../targets/readers/normalize.js';
import { readPf, tokenizePf } from '../../targets/pf/reader.js';
import { PfFilter, pfPath, type PfPacket } from '../../targets/pf/readerFilter.js';
import { EXAMPLES, irOf } from '../helpers.js';
import { replyOf } from '../../targets/readers/evaluate.js';

describe('address and port normal form', () => {
  it('merges, splits into minimal blocks, canonicalises IPv6, and knows the whole family', () => {
    expect(normalizeAddresses(['10.0.0.0/25', '10.0.0.128/25', '10.1.1.10'], 4)).toEqual(['10.0.0.0/24', '10.1.1.10/32']);
    expect(normalizeAddresses(['10.0.0.1-10.0.0.6'], 4)).toEqual(['10.0.0.1/32', '10.0.0.2/31', '10.0.0.4/31', '10.0.0.6/32']);
    expect(normalizeAddresses(['10.20.0.0/255.255.0.0'], 4)).toEqual(['10.20.0.0/16']);
    expect(normalizeAddresses(['2001:DB8:0:0::/48', '10.0.0.0/8'], 6)).toEqual(['2001:db8::/48']);
    expect(normalizeAddresses(['0.0.0.0-255.255.255.255'], 4)).toBe('any');
    expect(normalizeAddresses(['::/0'], 6)).toBe('any');
    expect(normalizeAddresses(['10.0.0.0/8'], 6)).toEqual([]);
    expect(() => normalizeAddresses(['localsubnet'], 4)).toThrow();
    expect(normalizePorts([{ from: 7, to: 9 }, { from: 1, to: 6 }])).toEqual([{ from: 1, to: 9 }]);
    expect(normalizePorts([{ from: 0, to: 65535 }])).toBe('any');
  });
});

describe('batch reader', () => {
  it('follows cmd.exe: carets, quotes, operators, redirections, labels, REM', () => {
    const st = parseBatch('@echo off\r\nrem a & b | c\r\n:: comment & x\r\nnetsh a "b & c" ^& d > nul 2>&1 & echo x\r\nnet^\r\nsh z\r\n');
    expect(st.map((s) => s.kind)).toEqual(['commands', 'rem', 'label', 'commands', 'commands']);
    const line = st[3]!;
    if (line.kind !== 'commands') throw new Error();
    expect(line.commands.map((c) => c.text)).toEqual(['netsh a "b & c" & d', 'echo x']);
    expect(line.commands[0]!.redirections).toEqual(['>nul', '2>&1']);
    expect(line.operators).toEqual(['&']);
    const joined = st[4]!;
    expect(joined.kind === 'commands' && joined.commands[0]!.text).toBe('netsh z');
  });

  it('percent expansion is refused where it cannot be known, and %% is %', () => {
    expect(() => parseBatch('netsh %PATH%\r\n')).toThrow(/environment variable/);
    expect(() => parseBatch('rem %~dp0\r\n')).toThrow(/batch argument/);
    const st = parseBatch('netsh 100%% x\r\n')[0]!;
    expect(st.kind === 'commands' && st.commands[0]!.text).toBe('netsh 100% x');
  });

  it('runs goto, exit, if errorlevel, && and ||', () => {
    const ran: string[] = [];
    const r = runBatch('netsh a\r\nif errorlevel 1 goto bad\r\nnetsh fail || netsh recover\r\nnetsh ok && netsh then\r\nexit /b 0\r\n:bad\r\nnetsh never\r\n', (c) => {
      ran.push(c.tail);
      return c.tail === 'fail' ? 1 : 0;
    });
    expect(ran).toEqual(['a', 'fail', 'recover', 'ok', 'then']);
    expect(r.exitCode).toBe(0);
  });

  it('splits arguments as CommandLineToArgvW does', () => {
    expect(splitArgs('name="a b" x=\\"q\\" "c"d e')).toEqual(['name=a b', 'x="q"', 'cd', 'e']);
  });
});

describe('netsh reader', () => {
  it('accepts unique abbreviations and any case, refuses unknown parameters', () => {
    const s = readNetshScript('netsh adv fire add rule NAME="x" Dir=IN action=Allow protocol=tcp localport=80,81-82 remoteip=10.0.0.0/8,2001:db8::/32\r\n');
    expect(netshTuples(s)).toHaveLength(2);
    expect(s.rules[0]!.localport).toEqual([{ from: 80, to: 82 }]);
    expect(() => readNetshScript('netsh advfirewall firewall add rule name=x dir=in action=allow color=red\r\n')).toThrow(/unknown parameter color/);
    expect(() => readNetshScript('netsh advfirewall firewall add rule name=x dir=in action=allow localport=80\r\n')).toThrow(/ports need protocol/);
  });

  it('delete rule removes every rule of the name (and only those), case-insensitively', () => {
    const s = readNetshScript(
      [
        'netsh advfirewall firewall add rule name="A" dir=in action=allow',
        'netsh advfirewall firewall add rule name="a" dir=out action=allow',
        'netsh advfirewall firewall add rule name="A b" dir=in action=allow',
        'netsh advfirewall firewall delete rule name="A"',
        '',
      ].join('\r\n'),
    );
    expect(s.rules.map((r) => r.name)).toEqual(['A b']);
  });

  it('orders block before allow, as Windows evaluates', () => {
    const s = readNetshScript('netsh advfirewall firewall add rule name=x dir=in action=allow\r\nnetsh advfirewall firewall add rule name=y dir=in action=block protocol=udp\r\n');
    expect(windowsEvaluationOrder(netshTuples(s)).map((t) => t.action)).toEqual(['drop', 'drop', 'accept', 'accept']);
  });
});

describe('pf reader', () => {
  it('lexes as pfctl: continuation (also in comments), quotes, operators, words', () => {
    expect(tokenizePf('pass # c \\\nin\n').map((t) => t.text)).toEqual(['pass', '\n']);
    expect(tokenizePf('label "a \\" b" port 1:2 10.0.0.0/8 != <>').map((t) => t.text)).toEqual(['label', 'a " b', 'port', '1:2', '10.0.0.0', '/', '8', '!=', '<>']);
    expect(() => tokenizePf('pass \\ \n')).toThrow(/whitespace after/);
  });

  it('expands macros, reads port operators and lists over several lines', () => {
    const { tuples } = readPf('ports = "{ 80, 443 }"\ntable <t> { 10.0.0.0/8,\n 10.1.0.0/16 }\npass in quick inet proto tcp from <t> to any port $ports\npass in quick inet proto udp from any port 1000 >< 1005 to any port >= 65000\n');
    expect(tuples[0]).toMatchObject({ src: ['10.0.0.0/8'], dstPorts: [{ from: 80, to: 80 }, { from: 443, to: 443 }] });
    expect(tuples[1]).toMatchObject({ srcPorts: [{ from: 1001, to: 1004 }], dstPorts: [{ from: 65000, to: 65535 }] });
  });

  it('turns last-match into first-match: quick rules in order, then the others from the last', () => {
    const { tuples } = readPf('block in all\npass in proto tcp from any to any port 22\npass in quick proto udp all\n');
    expect(tuples.map((t) => `${t.action} ${t.protocol}`)).toEqual(['accept udp', 'accept udp', 'accept tcp', 'accept tcp', 'drop any', 'drop any']);
  });

  it('refuses what it cannot evaluate', () => {
    expect(() => readPf('pass in from self to any\n')).toThrow(/self: give the machine's own addresses/);
    expect(() => readPf('pass in from ! any to any\n')).toThrow(/! any is not pf syntax/);
    expect(() => readPf('pass in from (em0) to any\n')).toThrow(/interface addresses/);
    expect(() => readPf('pass in from host.example to any\n')).toThrow(/not an address/);
    expect(() => readPf('set skip on lo\n')).toThrow(/only tables/);
    expect(() => readPf('pass in from <nope> to any\n')).toThrow(/not defined/);
  });
});

describe('pf reader: tables, self and negation', () => {
  /** Which of the addresses the first rule's source matches. */
  const held = (text: string, addresses: string[], self?: string[]) => {
    const tuples = readPf(text, { self }).tuples;
    return addresses.filter((a) => {
      const { family, value } = addressValue(a);
      return tuples.some((t) => t.family === family && addressIn(t.src, family, value));
    });
  };
  const probes = ['10.0.0.1', '10.1.0.1', '10.1.2.1', '10.1.2.3', '10.9.0.1', '11.0.0.1', '2001:db8::1', '2001:db8::2', '2001:db9::1'];

  it('a table holds an address when its most specific entry is not negated; self is the given addresses', () => {
    const conf = 'table <t> { 10.0.0.0/8, !10.1.0.0/16, 10.1.2.0/24, !self, 2001:db8::/32 }\npass in quick from <t> to any\n';
    expect(held(conf, probes, ['10.1.2.3', '2001:db8::1'])).toEqual(['10.0.0.1', '10.1.2.1', '10.9.0.1', '2001:db8::2']);
    // Without the machine's addresses, !self takes nothing out.
    expect(held('table <t> { 10.0.0.0/8, !self }\npass in quick from <t> to any\n', probes)).toEqual(['10.0.0.1', '10.1.0.1', '10.1.2.1', '10.1.2.3', '10.9.0.1']);
    expect(() => readPf('table <t> { 10.0.0.0/8, !10.0.0.0/8 }\npass in quick from <t> to any\n')).toThrow(/both as itself and negated/);
  });

  it("a negated element of a list is a rule of its own: { <t>, !a } and ! self with two addresses match everything (pfctl's expansion)", () => {
    const b = 'table <b> { 10.1.0.0/16 }\n';
    expect(held(`${b}pass in quick from { <b>, !10.1.2.3 } to any\n`, probes)).toEqual(probes.filter((a) => !a.includes(':')));
    expect(held(`${b}pass in quick from { <b>, !self } to any\n`, probes, ['10.1.2.3', '10.9.0.1'])).toEqual(probes.filter((a) => !a.includes(':')));
    // One address of a family: the rest of that family, nothing of the other.
    expect(held('pass in quick from ! self to any\n', probes, ['10.1.2.3'])).toEqual(probes.filter((a) => !a.includes(':') && a !== '10.1.2.3'));
    // A negated table: the rest of each family.
    expect(held(`${b}pass in quick from ! <b> to any\n`, probes)).toEqual(probes.filter((a) => !a.startsWith('10.1.')));
  });
});

describe('pf reader: state (pf-filter)', () => {
  const packet = (dir: 'in' | 'out', src: string, srcPort: number, dst: string, dstPort: number, tcpFlags = 'S'): PfPacket => ({
    dir,
    iface: 'em0',
    family: 4,
    protocol: 'tcp',
    src: addressValue(src).value,
    dst: addressValue(dst).value,
    srcPort,
    dstPort,
    tcpFlags,
  });

  it('a state made by a packet out passes its reply in, before any rule; nothing else', () => {
    const s = PfFilter.read('pass out all\nblock in quick all\n').session();
    expect(s.test(packet('out', '10.0.0.1', 40000, '192.0.2.1', 443))).toMatchObject({ action: 'pass', by: 'rule', stateCreated: true });
    expect(s.test(packet('in', '192.0.2.1', 443, '10.0.0.1', 40000, 'SA'))).toMatchObject({ action: 'pass', by: 'state' });
    expect(s.test(packet('in', '192.0.2.1', 443, '10.0.0.1', 40001, 'SA'))).toMatchObject({ action: 'block', by: 'rule' });
    // The opener's later packets match the same state.
    expect(s.test(packet('out', '10.0.0.1', 40000, '192.0.2.1', 443, 'A'))).toMatchObject({ by: 'state' });
  });

  it('a pass keeps state only from a SYN unless it says otherwise; no state, and pf\'s implicit pass, keep none', () => {
    const s = PfFilter.read('pass out proto tcp all\npass in proto tcp all no state\n').session();
    expect(s.test(packet('out', '10.0.0.1', 40000, '192.0.2.1', 443, 'A'))).toMatchObject({ action: 'pass', by: 'no rule', stateCreated: false });
    expect(s.test(packet('in', '192.0.2.1', 40000, '10.0.0.1', 22))).toMatchObject({ action: 'pass', by: 'rule', stateCreated: false });
    const any = PfFilter.read('pass out proto tcp all flags any keep state\n').session();
    expect(any.test(packet('out', '10.0.0.1', 40000, '192.0.2.1', 443, 'A'))).toMatchObject({ stateCreated: true });
  });

  it('the last matching rule decides, a quick one at once', () => {
    const s = PfFilter.read('block in all\npass in quick proto tcp from any to any port 22\nblock in quick all\npass in all\n').session();
    expect(s.test(packet('in', '192.0.2.1', 40000, '10.0.0.1', 22))).toMatchObject({ action: 'pass', rule: { line: 2 } });
    expect(s.test(packet('in', '192.0.2.1', 40000, '10.0.0.1', 23))).toMatchObject({ action: 'block', rule: { line: 3 } });
    const last = PfFilter.read('block in all\npass in all\n').session();
    expect(last.test(packet('in', '192.0.2.1', 40000, '10.0.0.1', 23))).toMatchObject({ action: 'pass', rule: { line: 2 } });
  });

  it('a forwarded packet passed in and out makes two states with mirrored keys; its reply uses them', () => {
    const s = PfFilter.read('pass quick proto tcp from 10.0.0.0/8 to 192.0.2.0/24\nblock quick all\n').session();
    const open = { direction: 'forward', protocol: 'tcp', family: 4, src: addressValue('10.0.0.1').value, dst: addressValue('192.0.2.1').value, srcPort: 40000, dstPort: 443, iface: 'em0' } as const;
    expect(pfPath(open).map((p) => s.test(p).stateCreated)).toEqual([true, true]);
    expect(pfPath(replyOf(open), 'SA', true).map((p) => s.test(p).by)).toEqual(['state', 'state']);
  });
});

describe('irToTuples', () => {
  it('expands per family with only that family\'s addresses', () => {
    const fw = irOf(EXAMPLES.find((e) => e.name === 'contoso.msgr')!.text).firewalls.find((f) => f.name === 'desktop')!;
    const t = irToTuples(fw);
    expect(t[0]).toEqual({ direction: 'in', action: 'accept', protocol: 'tcp', family: 4, src: ['10.9.0.0/24'], dst: 'any', srcPorts: 'any', dstPorts: [{ from: 22, to: 22 }] });
    expect(t.filter((x) => x.family === 6).every((x) => x.src !== 'any' && x.src.every((c) => c.includes(':')))).toBe(true);
  });
});

describe('kernel readers: interfaces and where each verdict comes from', () => {
  const save = [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD DROP [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':X - [0:0]',
    '-A FORWARD -i eth0 -o eth1 -p tcp -m tcp --dport 443 -j ACCEPT',
    '-A FORWARD -o eth1 -j X',
    '-A X -p udp -j DROP',
    '-A OUTPUT -o lo -j ACCEPT',
    'COMMIT',
  ].join('\n');

  it('keeps the in- and the out-interface apart (a forwarded packet has both)', () => {
    // One family only: its policies become catch-all tuples (mergeFamilies).
    const tuples = readIptables({ v4: save }).tuples;
    expect(tuples.map(tupleText).filter((t) => t.includes(' out '))).toEqual([
      'out accept any/4 out lo any:any -> any:any',
      'forward accept tcp/4 on eth0 out eth1 any:any -> any:443',
      'forward drop udp/4 out eth1 any:any -> any:any',
    ]);
  });

  it('names the rule behind each flattened verdict, and the jumps that lead to it', () => {
    const forward = flattenRules(iptablesProgram(save, 4)).find((h) => h.hook.chain === 'FORWARD');
    expect(forward!.hook).toMatchObject({ direction: 'forward', chain: 'FORWARD', policy: 'drop', family: 4 });
    expect(forward!.rules.map((r) => [r.action, r.rule.where, r.via.map((v) => v.where?.position)])).toEqual([
      ['accept', { chain: 'FORWARD', position: 1 }, []],
      ['drop', { chain: 'X', position: 1 }, [2]],
    ]);
  });
});
