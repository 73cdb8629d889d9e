// Injection: hostile text in every place a policy can hold free text (its description, its
// comments, its file name) either is rejected with a diagnostic or reaches the outputs only as
// inert comment text, so that every output means exactly what the same policy without the text
// means. Names cannot carry it at all: they are identifiers. Handlebars' HTML escaping is off
// everywhere, so it is never what protects an output. The kernel half (the nftables and
// iptables outputs loaded in a network namespace) is injection-kernel.test.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../src/compile.js';
import type { IrFirewall } from '../../src/ir/types.js';
import { buildIpsetView } from '../../targets/iptables/ipset.js';
import { buildIptablesView } from '../../targets/iptables/view.js';
import { buildNetshCmdView, cmdText } from '../../targets/netsh/view.js';
import { buildGroupPolicyView } from '../../targets/gpo/view.js';
import { buildNftView } from '../../targets/nftables/view.js';
import { buildPfView } from '../../targets/pf/view.js';
import { loadTemplate } from '../../targets/target.js';
import { EXAMPLES, ROOT } from '../helpers.js';
import { findHiddenCharacters } from '../../src/text/hidden.js';
import { compiled, escapeMsgr, expectSameMeaning, HOSTILE_TEXT, LEGAL_HOSTILE_TEXT, LONG_TEXT, withComments, withDescription } from './support.js';

describe('names are identifiers: hostile text cannot be a name', () => {
  const contoso = EXAMPLES.find((e) => e.name === 'contoso.msgr')!.text;
  const NAMES = ['a;b', 'a$b', '$(id)', 'a`id`', 'a"b', "a'b", 'a b', 'a&b', 'a|b', 'a%b%', 'a*/b', 'a\\b', 'a.b', 'a/b', 'Zürich', 'a\nb', 'a--b', 'a-', 'x'.repeat(64), ...HOSTILE_TEXT];
  const PLACES: [string, (n: string) => string][] = [
    ['deployment', (n) => contoso.replace('deployment contoso {', `deployment ${n} {`)],
    ['network', (n) => contoso.replace('network admins   =', `network ${n} =`)],
    ['firewall', (n) => contoso.replace('firewall edge {', `firewall ${n} {`)],
    ['reference', (n) => contoso.replace('allow tcp 22 from admins', `allow tcp 22 from ${n}`)],
  ];

  it.each(PLACES)('as a %s name, every one is an error and nothing compiles', (_place, make) => {
    for (const n of NAMES) {
      const r = compilePolicy(make(n), 'contoso.msgr');
      expect(r.ir, JSON.stringify(n)).toBeUndefined();
      expect(r.diagnostics.some((d) => d.severity === 'error'), JSON.stringify(n)).toBe(true);
    }
  });

  it('says why: `network a;b` ends at the `;`, `$` cannot start a token, a 64-character name is too long', () => {
    const codes = (n: string) => compilePolicy(`deployment d {\n  network ${n} = 10.0.0.0/8\n}\n`, 't.msgr').diagnostics.map((d) => `${d.code}@${d.line}:${d.column}`);
    expect(codes('a;b')).toEqual(['MSGR001@2:12']);
    expect(codes('a$b')).toEqual(['MSGR003@2:12']);
    expect(codes('a--b')).toEqual(['MSGR001@2:12']);
    expect(codes('x'.repeat(64))).toEqual(['MSGR017@2:11']);
    expect(codes('x'.repeat(63))).toEqual([]);
  });
});

describe('free text reaches the outputs only as inert comments', () => {
  const cases = EXAMPLES.map((e) => [e.name, e.text] as const);

  it.each(cases)('%s: every hostile description, escaped, compiles to outputs that mean the same', (file, text) => {
    const clean = compiled(text, file);
    for (const s of [...LEGAL_HOSTILE_TEXT, LONG_TEXT]) expectSameMeaning(clean, compiled(withDescription(text, escapeMsgr(s)), file));
  });

  it.each(cases)('%s: hostile text that hides what it says is refused (MSGR007) in the description and in comments, nothing compiles', (file, text) => {
    const hiding = HOSTILE_TEXT.filter((s) => findHiddenCharacters(s).length > 0);
    expect(hiding.length).toBeGreaterThanOrEqual(3);
    for (const s of hiding) {
      for (const policy of [withDescription(text, escapeMsgr(s)), withComments(text, s.replace(/\n/g, ' '))]) {
        const r = compilePolicy(policy, file);
        expect(r.ir).toBeUndefined();
        expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual(expect.arrayContaining(['MSGR007']));
        expect(r.diagnostics.filter((d) => d.severity === 'error').every((d) => d.code === 'MSGR007')).toBe(true);
      }
    }
  });

  it.each(cases)('%s: written raw (unescaped) into the string, each is rejected or means the same', (file, text) => {
    const clean = compiled(text, file);
    let rejected = 0;
    for (const s of [...LEGAL_HOSTILE_TEXT, 'a\nb', 'a\rb', 'unterminated \\']) {
      const r = compilePolicy(withDescription(text, `"${s}"`), file);
      if (!r.ir) {
        expect(r.diagnostics.some((d) => d.severity === 'error')).toBe(true);
        rejected++;
      } else {
        expectSameMeaning(clean, compiled(withDescription(text, `"${s}"`), file));
      }
    }
    expect(rejected).toBeGreaterThan(0);
  });

  it.each(cases)('%s: hostile comments change no byte of any output', (file, text) => {
    const clean = compiled(text, file);
    for (const s of [...LEGAL_HOSTILE_TEXT, LONG_TEXT]) {
      const hostile = compiled(withComments(text, s.replace(/\n/g, ' ')), file);
      expect(hostile.outputs.map((o) => o.content)).toEqual(clean.outputs.map((o) => o.content));
    }
  });

  it.each(cases)('%s: a hostile file name means the same', (file, text) => {
    const clean = compiled(text, file);
    for (const s of [...HOSTILE_TEXT, 'new\nline', 'a\r\nnetsh advfirewall reset']) {
      const hostile = compiled(text, `dir/${s}.msgr`);
      expectSameMeaning(clean, hostile);
      // Not even a file name brings a hidden character into an output's comments.
      for (const o of hostile.outputs) expect(findHiddenCharacters(o.content), `${o.name} for ${JSON.stringify(s)}`).toEqual([]);
    }
  });

  it('HTML-ish text in the description comes out byte-exact in the comments of nftables, iptables and pf', () => {
    const d = `Tom &amp; Jerry <b>"x"</b> 'y' &lt;&gt; &#39; = \`z\``;
    expect(d.length).toBeLessThan(76); // iptables wraps its comment lines at 76
    const { outputs } = compiled(withDescription(EXAMPLES[0]!.text, escapeMsgr(d)), EXAMPLES[0]!.name);
    for (const o of outputs) {
      const lines = o.content.split(/\r?\n/);
      if (o.name.endsWith('.nft') || o.name.endsWith('.rules.v4') || o.name.endsWith('.rules.v6') || o.name.endsWith('.pf.conf')) {
        expect(lines, o.name).toContain(`# ${d}`);
      } else if (o.name.endsWith('.cmd')) {
        // cmd.exe gives & < > " meaning even in a rem line: there the text is neutralised instead.
        expect(lines).toContain(`rem Policy description: ${cmdText(d)}`);
        expect(cmdText(d)).toBe("Tom +amp_ Jerry _b__x__/b_ 'y' +lt_+gt_ +#39_ = _z_");
      }
      expect(o.content).not.toMatch(/&amp;amp;|&lt;b&gt;|&quot;|&#x27;|&#x60;|&#x3D;/);
    }
  });
});

describe('handlebars never HTML-escapes', () => {
  const MARK = `&<>"'\`=`;
  /** Appends MARK to every string in a view. */
  const marked = <T>(view: T): T =>
    JSON.parse(JSON.stringify(view), (_k, v: unknown) => (typeof v === 'string' ? `${v}${MARK}` : v)) as T;

  const text = EXAMPLES.find((e) => e.name === 'contoso.msgr')!.text.replace(
    'network admins   = 10.9.0.0/24',
    `network admins   = ${Array.from({ length: 12 }, (_, i) => `10.9.${2 * i}.0/24`).join(', ')}`,
  );
  const ir = compilePolicy(text, 'contoso.msgr').ir!;
  const fw = (name: string): IrFirewall => ir.firewalls.find((f) => f.name === name)!;
  const desktop = fw('desktop');
  const v4 = buildIptablesView(ir, desktop, 4, 'desktop.rules.v4');
  const v6 = buildIptablesView(ir, desktop, 6, 'desktop.rules.v6');
  const views: [string, string, unknown][] = [
    ['nftables', 'nftables.hbs', buildNftView(ir, fw('edge'), 'edge.nft')],
    ['iptables', 'rules.hbs', v4],
    ['iptables', 'ipset.hbs', buildIpsetView(ir, desktop, [...v4.ipsets, ...v6.ipsets], 'desktop.ipset', ['desktop.rules.v4', 'desktop.rules.v6'])],
    ['netsh', 'netsh.cmd.hbs', buildNetshCmdView(ir, desktop, 'desktop.cmd')],
    ['gpo', 'portrange.reg.hbs', buildGroupPolicyView(ir, ir.groupPolicy[0]!)],
    ['pf', 'pf.hbs', buildPfView(ir, fw('edge'), 'edge.pf.conf')],
  ];

  it('every template of every target is covered', () => {
    const templates = readdirSync(join(ROOT, 'targets'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) => readdirSync(join(ROOT, 'targets', d.name)).filter((f) => f.endsWith('.hbs')).map((f) => `${d.name}/${f}`));
    expect(views.map(([t, f]) => `${t}/${f}`).sort()).toEqual(templates.sort());
    expect(v4.ipsets.length).toBeGreaterThan(0);
  });

  it.each(views)('%s %s prints & < > " \' ` = verbatim', (target, file, view) => {
    expect(view).toBeDefined();
    const out = loadTemplate<unknown>(target as never, file)(marked(view));
    expect(out).toContain(MARK);
    expect(out).not.toMatch(/&amp;|&lt;|&gt;|&quot;|&#x27;|&#39;|&#x60;|&#x3D;/);
  });

  it('no target compiles a template any other way than loadTemplate, and loadTemplate sets noEscape', () => {
    const sources = readdirSync(join(ROOT, 'targets'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    for (const f of sources) {
      const src = readFileSync(join(ROOT, 'targets', f), 'utf8');
      if (f === 'target.ts') {
        const compiles = [...src.matchAll(/\.compile(?:<[^>]*>)?\(([^)]*)\)/g)].map((m) => m[1]!);
        expect(compiles.length).toBeGreaterThan(0);
        for (const args of compiles) expect(args).toMatch(/noEscape: true/);
      } else if (f === 'precompiled.ts') {
        // The build's precompiled templates (dist/ only): made by scripts/precompile-templates.mjs, with noEscape.
        expect(src, f).not.toMatch(/from 'handlebars'|\.compile\(/);
        const script = readFileSync(join(ROOT, 'scripts', 'precompile-templates.mjs'), 'utf8');
        const options = /const OPTIONS = (\{[^}]*\})/.exec(script)?.[1];
        expect(options).toMatch(/noEscape: true/);
        expect([...script.matchAll(/\.precompile\(([^)]*)\)/g)].map((m) => m[1])).toEqual(['source, OPTIONS']);
      } else {
        expect(src, f).not.toMatch(/from 'handlebars'|\.compile\(|precompile/);
      }
    }
  });
});
