import { describe, expect, it } from 'vitest';
import { EXAMPLES, firewallOf, irOf, policy } from '../helpers.js';
import { emitTargets } from '../../targets/emit.js';

const CONTOSO = EXAMPLES.find((e) => e.name === 'contoso.msgr')!.text;
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('the IR says where every verdict comes from', () => {
  it('traces each direction\'s default to its statement, or to the firewall\'s line when the policy leaves it out', () => {
    const desktop = firewallOf(CONTOSO, 'desktop');
    expect(desktop.policyOrigins).toEqual({
      input: { origin: { line: lineOf(CONTOSO, 'firewall desktop') + 3, column: 5, text: 'firewall desktop: default deny' }, written: true },
      output: { origin: { line: lineOf(CONTOSO, 'firewall desktop'), column: 3, text: 'firewall desktop' }, written: false },
    });
    const edge = firewallOf(CONTOSO, 'edge');
    expect(edge.policyOrigins).toEqual({ forward: { origin: { line: lineOf(CONTOSO, 'firewall edge') + 3, column: 5, text: 'firewall edge: default deny' }, written: true } });
    // Every direction with a verdict has an origin, and no other.
    for (const fw of irOf(CONTOSO).firewalls) expect(Object.keys(fw.policyOrigins).sort()).toEqual(Object.keys(fw.policy).sort());
  });

  it('traces an outbound statement and the placement statement', () => {
    const p = policy({ firewalls: 'firewall fw {\n    on srv\n    targets nftables\n    outbound deny\n  }' });
    const fw = firewallOf(p, 'fw');
    expect(fw.policyOrigins.input).toEqual({ origin: { line: 12, column: 3, text: 'firewall fw' }, written: false });
    expect(fw.policyOrigins.output).toEqual({ origin: { line: 15, column: 5, text: 'firewall fw: outbound deny' }, written: true });
    expect(fw.placement.origin).toEqual({ line: 13, column: 5, text: 'firewall fw: on srv' });
    expect(firewallOf(CONTOSO, 'edge').placement.origin).toMatchObject({ line: lineOf(CONTOSO, 'between clients and partners'), text: 'firewall edge: between clients and partners' });
  });

  it('lists the catalog entries of a merged rule', () => {
    const rules = firewallOf(CONTOSO, 'edge').rules;
    expect(rules.map((r) => r.catalog)).toEqual([['t120', 'file-transfer'], ['t120', 'file-transfer'], ['rtp'], ['rtp']]);
    expect(firewallOf(CONTOSO, 'desktop').rules[0]).not.toHaveProperty('catalog');
  });
});

describe('rule comments', () => {
  it('name every feature behind a merged rule, and its catalog entries', () => {
    expect(firewallOf(CONTOSO, 'edge').rules.map((r) => r.comment)).toEqual([
      'line 18,21: features whiteboard, application-sharing, file-transfer (t120, file-transfer)',
      'line 18,21: features whiteboard, application-sharing, file-transfer (t120, file-transfer)',
      'line 18,20,21: features audio, video (rtp)',
      'line 18,20,21: features audio, video (rtp)',
    ]);
  });

  it('name the statement of a SIP or plain rule, block included', () => {
    expect(firewallOf(CONTOSO, 'lcs-host').rules[0]!.comment).toBe('line 17: clients clients: server lcs via tls (sip-tls)');
    expect(firewallOf(CONTOSO, 'desktop').rules[0]!.comment).toBe('line 35: firewall desktop: allow tcp 22 from admins');
  });

  it('cut a long list of lines with "+N more", within 120 characters, the same way every time', () => {
    // 60 clients blocks whose rules merge into one per direction on the gateway.
    const blocks = Array.from({ length: 60 }, (_, i) => i);
    const text = `deployment t {
  network srv = 10.1.1.10
  network pt = 198.51.100.0/24
  ${blocks.map((i) => `network c${i} = 10.${i}.0.0/16`).join('\n  ')}
  network all = ${blocks.map((i) => `c${i}`).join(', ')}
  server srv {
    sip tls
  }
  ${blocks.map((i) => `clients c${i} {\n    server srv via tls\n    features im, presence, whiteboard, application-sharing, file-transfer, audio, video\n    media ports 50000-50039\n    peers pt\n  }`).join('\n  ')}
  firewall gw {
    between all and pt
    targets nftables
  }
}
`;
    const comments = firewallOf(text, 'gw').rules.map((r) => r.comment);
    expect(comments[0]).toMatch(/^line (\d+,)+\+\d+ more: features whiteboard, application-sharing, file-transfer \(t120, file-transfer\)$/);
    for (const c of comments) expect(c.length).toBeLessThanOrEqual(120);
    expect(firewallOf(text, 'gw').rules.map((r) => r.comment)).toEqual(comments);
    // The count is right: the lines shown plus the ones left out are every line behind the rule.
    const m = /^line ([\d,]+),\+(\d+) more:/.exec(comments[0]!)!;
    expect(m[1]!.split(',').length + Number(m[2])).toBe(new Set(firewallOf(text, 'gw').rules[0]!.origins.map((o) => o.line)).size);
  });
});

describe('the IR is built once and only read', () => {
  /** Freezes every object of the document: a change anywhere then throws (modules are strict). */
  const deepFreeze = <T>(x: T): T => {
    if (x && typeof x === 'object' && !Object.isFrozen(x)) {
      Object.freeze(x);
      for (const v of Object.values(x)) deepFreeze(v);
    }
    return x;
  };

  it('gives an origin one object, shared by every rule that carries it, and no target changes any IR object', () => {
    const ir = irOf(CONTOSO);
    const origins = ir.firewalls.flatMap((fw) => fw.rules.flatMap((r) => r.origins));
    const byText = new Map<string, object>();
    let shared = 0;
    for (const o of origins) {
      const key = `${o.line}:${o.column}:${o.text}`;
      const first = byText.get(key);
      if (first) {
        expect(o).toBe(first);
        shared++;
      } else byText.set(key, o);
    }
    expect(shared).toBeGreaterThan(0);
    const files = (doc: typeof ir) => emitTargets(doc, {}).files.map((f) => [f.artefact.name, f.artefact.content]);
    expect(files(ir).length).toBeGreaterThan(3);
    expect(files(deepFreeze(irOf(CONTOSO)))).toEqual(files(ir));
  });
});
