// The TextMate grammar (editors/vscode/syntaxes/msgr.tmLanguage.json) gives every token the
// scope of its class, as the lexer (src/parse/lexer.ts) reads the token: on every example, and
// on random policies laid out every way the formatter's tests lay them out.
import fc from 'fast-check';
import moo from 'moo';
import { describe, expect, it } from 'vitest';
import { rules } from '../../src/parse/lexer.js';
import { parsePolicy } from '../../src/parse/parse.js';
import { occurrences } from '../../src/language/symbols.js';
import { FEATURES } from '../../src/resolve/model.js';
import { VALUES } from '../../src/language/keywords.js';
import nearleyGrammar from '../../src/parse/grammar.generated.js';
import { policyArb, render } from '../fmt/arbitraries.js';
import { EXAMPLES } from '../helpers.js';
import { GRAMMAR_PATH, scopeAt, tokenise } from './textmate.js';
import { readFileSync } from 'node:fs';

const lexer = moo.compile(rules);

/** What scope each class of token must get (a prefix of its innermost scope). */
const CLASS_SCOPES: Record<string, RegExp> = {
  comment: /^(comment\.line|punctuation\.definition\.comment|keyword\.other\.(directive|acknowledgement)|constant\.other\.diagnostic-code|string\.unquoted\.justification)/,
  string: /^(string\.quoted\.double|punctuation\.definition\.string\.(begin|end)|constant\.character\.escape)\.msgr$/,
  ipv4: /^constant\.numeric\.address\.ipv4\.msgr$/,
  ipv6: /^constant\.numeric\.address\.ipv6\.msgr$/,
  number: /^constant\.numeric\.port\.msgr$/,
  word: /^(storage\.type|keyword\.(other|control)|constant\.language|support\.constant|variable\.other|entity\.name)(\.[a-z-]+)*\.msgr$/,
  lbrace: /^punctuation\.section\.block\.begin\.msgr$/,
  rbrace: /^punctuation\.section\.block\.end\.msgr$/,
  comma: /^punctuation\.separator\.comma\.msgr$/,
  equals: /^keyword\.operator\.assignment\.msgr$/,
  semi: /^punctuation\.terminator\.statement\.msgr$/,
  dash: /^punctuation\.separator\.range\.msgr$/,
};

/**
 * Checks the grammar against the lexer on one policy: every token of every line gets its class's
 * scope over all its characters; every name the parser reads as a network or firewall name is
 * scoped a name (even one spelt like a keyword), and every feature in a features list a feature.
 */
async function agreeing(text: string): Promise<string[]> {
  const problems: string[] = [];
  const lines = await tokenise(text);
  const raw = text.split(/\r?\n/);
  raw.forEach((line, i) => {
    lexer.reset(line.replace(/^\uFEFF/, ''));
    const bom = line.startsWith('\uFEFF') ? 1 : 0;
    for (let t = lexer.next(); t; t = lexer.next()) {
      if (t.type === 'ws' || t.type === 'nl') continue;
      const expected = CLASS_SCOPES[t.type!];
      for (let k = 0; k < t.text.length; k++) {
        const scope = scopeAt(lines[i]!, bom + t.offset + k);
        if (!expected?.test(scope)) {
          problems.push(`line ${i + 1} col ${t.offset + k + 1}: ${t.type} '${t.text}' got '${scope}'`);
          break;
        }
      }
    }
  });
  const ast = parsePolicy(text.replace(/^\uFEFF/, ''), 'p.msgr').ast;
  for (const o of ast ? occurrences(ast) : []) {
    const scope = scopeAt(lines[o.at.line - 1]!, o.at.column - 1 + (o.at.line === 1 && text.startsWith('\uFEFF') ? 1 : 0));
    if (!/^(variable\.other|entity\.name)\./.test(scope)) problems.push(`line ${o.at.line}: name '${o.name}' (${o.role}) got '${scope}'`);
  }
  for (const item of ast?.items ?? []) {
    if (item.kind !== 'clients') continue;
    for (const s of item.statements) {
      if (s.kind !== 'features') continue;
      for (const f of s.features) {
        const scope = scopeAt(lines[f.at.line - 1]!, f.at.column - 1);
        if ((FEATURES as readonly string[]).includes(f.text) && scope !== 'support.constant.feature.msgr') problems.push(`line ${f.at.line}: feature '${f.text}' got '${scope}'`);
      }
    }
  }
  return problems;
}

describe('the TextMate grammar', () => {
  it.each(EXAMPLES.map((e) => [e.name, e.text]))('scopes every token of %s by its class, and every name as a name', async (_name, text) => {
    expect(await agreeing(text!)).toEqual([]);
  });

  it('agrees with the lexer on random policies in every layout', async () => {
    await fc.assert(
      fc.asyncProperty(policyArb, fc.integer(), async (policy, seed) => {
        const text = render(policy, seed);
        expect(await agreeing(text), text).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('gives keywords, names, addresses, ports, strings and comments the scopes themes colour', async () => {
    const text = [
      'deployment contoso {',
      '  description "Contoso \\"LCS\\" # not a comment"',
      '  network clients  = 10.20.0.0/16, 2001:db8:20::/48, fe80::1%eth0',
      '  server lcs { sip tls port 5061 }',
      '  clients clients {',
      '    server lcs via tls',
      '    features im, audio',
      '    media ports 50000-50039',
      '  }',
      '  firewall edge {',
      '    between clients and partners',
      '    targets nftables, pf',
      '    allow tcp 22, 3389 from admins to any   # management',
      '  }',
      '}',
    ].join('\n');
    const lines = await tokenise(text);
    const scope = (line: number, needle: string, nth = 0) => {
      let i = -1;
      for (let k = 0; k <= nth; k++) i = text.split('\n')[line - 1]!.indexOf(needle, i + 1);
      return scopeAt(lines[line - 1]!, i);
    };
    expect(scope(1, 'deployment')).toBe('storage.type.deployment.msgr');
    expect(scope(1, 'contoso')).toBe('entity.name.namespace.deployment.msgr');
    expect(scope(2, '\\"')).toBe('constant.character.escape.msgr');
    expect(scope(2, '#')).toBe('string.quoted.double.msgr');
    expect(scope(3, 'clients')).toBe('entity.name.variable.network.msgr');
    expect(scope(3, '10.20.0.0/16')).toBe('constant.numeric.address.ipv4.msgr');
    expect(scope(3, '/48')).toBe('constant.numeric.address.ipv6.msgr');
    expect(scope(3, 'fe80')).toBe('constant.numeric.address.ipv6.msgr');
    expect(scope(4, 'server')).toBe('storage.type.server.msgr');
    expect(scope(4, 'lcs')).toBe('variable.other.network.msgr');
    expect(scope(4, 'tls')).toBe('constant.language.protocol.msgr');
    expect(scope(4, '5061')).toBe('constant.numeric.port.msgr');
    expect(scope(5, 'clients', 0)).toBe('storage.type.clients.msgr');
    expect(scope(5, 'clients', 1)).toBe('variable.other.network.msgr');
    expect(scope(6, 'server')).toBe('keyword.other.msgr');
    expect(scope(6, 'lcs')).toBe('variable.other.network.msgr');
    expect(scope(7, 'audio')).toBe('support.constant.feature.msgr');
    expect(scope(8, '-')).toBe('punctuation.separator.range.msgr');
    expect(scope(8, '50039')).toBe('constant.numeric.port.msgr');
    expect(scope(10, 'edge')).toBe('entity.name.type.firewall.msgr');
    expect(scope(11, 'clients')).toBe('variable.other.network.msgr');
    expect(scope(11, 'and')).toBe('keyword.other.msgr');
    expect(scope(12, 'pf')).toBe('support.constant.target.msgr');
    expect(scope(13, 'allow')).toBe('keyword.control.action.msgr');
    expect(scope(13, 'admins')).toBe('variable.other.network.msgr');
    expect(scope(13, 'any')).toBe('variable.other.network.msgr');
    expect(scope(13, 'management')).toBe('comment.line.number-sign.msgr');
  });

  it('marks acknowledgements: the directive, each code, the reason', async () => {
    const line = '  firewall lcs-host {  # msgrfw: ack MSGR073, MSGR061 -- managed from the console';
    const [tokens] = await tokenise(line);
    const at = (needle: string) => scopeAt(tokens!, line.indexOf(needle));
    expect(at('msgrfw:')).toBe('keyword.other.directive.msgr');
    expect(at('ack ')).toBe('keyword.other.acknowledgement.msgr');
    expect(at('MSGR073')).toBe('constant.other.diagnostic-code.msgr');
    expect(at('MSGR061')).toBe('constant.other.diagnostic-code.msgr');
    expect(at('managed')).toBe('string.unquoted.justification.msgr');
    expect(tokens!.find((t) => t.text.includes('MSGR073'))!.scopes).toContain('comment.line.number-sign.acknowledgement.msgr');
    // A plain comment that mentions msgrfw is a plain comment.
    const [plain] = await tokenise('# see msgrfw: ack MSGR073');
    expect(plain!.every((t) => t.scopes.includes('comment.line.number-sign.msgr'))).toBe(true);
  });

  it('knows exactly the words the parser and the resolver know: keywords, features, values', () => {
    // The parser's keywords are the literals of the nearley grammar (grammar/msgr.ne); the values
    // after them (transports, targets, verdicts, protocols, clients, features, any) are read by name.
    const literals = nearleyGrammar.ParserRules.flatMap((r) => r.symbols).flatMap((s) => (typeof s === 'object' && s !== null && 'literal' in s && /^[a-z]/.test(String(s.literal)) ? [String(s.literal)] : []));
    const language = new Set([...literals, ...Object.values(VALUES).flat(), ...FEATURES, 'any']);
    const json = JSON.parse(readFileSync(GRAMMAR_PATH, 'utf8')) as { repository: { keyword: { patterns: { match: string }[] } } };
    const highlighted = new Set(json.repository.keyword.patterns.flatMap((p) => /\(\?:([a-z|-]+)\)/.exec(p.match)![1]!.split('|')));
    expect([...highlighted].sort()).toEqual([...language].sort());
    expect(literals).toContain('deployment');
  });

  it('is one standalone JSON file other editors can load', () => {
    const json = JSON.parse(readFileSync(GRAMMAR_PATH, 'utf8'));
    expect(json.scopeName).toBe('source.msgr');
    expect(JSON.stringify(json)).not.toMatch(/"include":\s*"(?!#)/); // no other grammar needed
  });
});
