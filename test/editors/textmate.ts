// The TextMate grammar as VS Code runs it: vscode-textmate with the Oniguruma regular
// expressions VS Code uses (vscode-oniguruma, WebAssembly).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import oniguruma from 'vscode-oniguruma';
import textmate from 'vscode-textmate';
import { ROOT } from '../helpers.js';

export const GRAMMAR_PATH = join(ROOT, 'editors', 'vscode', 'syntaxes', 'msgr.tmLanguage.json');

/** One token of a line: its text, where it starts (0-based) and its scopes, outermost first. */
export interface ScopedToken {
  text: string;
  start: number;
  scopes: string[];
}

let grammar: Promise<textmate.IGrammar> | undefined;

function load(): Promise<textmate.IGrammar> {
  return (grammar ??= (async () => {
    const wasm = readFileSync(join(ROOT, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    const registry = new textmate.Registry({
      onigLib: Promise.resolve({ createOnigScanner: (sources: string[]) => new oniguruma.OnigScanner(sources), createOnigString: (s: string) => new oniguruma.OnigString(s) }),
      loadGrammar: async (scope) => (scope === 'source.msgr' ? textmate.parseRawGrammar(readFileSync(GRAMMAR_PATH, 'utf8'), GRAMMAR_PATH) : null),
    });
    const g = await registry.loadGrammar('source.msgr');
    if (!g) throw new Error('the grammar did not load');
    return g;
  })());
}

/** Every line of a text tokenised, as the editor does it: line by line, each from the state the last left. */
export async function tokenise(text: string): Promise<ScopedToken[][]> {
  const g = await load();
  let state = textmate.INITIAL;
  return text.split(/\r?\n/).map((line) => {
    const r = g.tokenizeLine(line, state);
    state = r.ruleStack;
    return r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), start: t.startIndex, scopes: t.scopes }));
  });
}

/** The innermost scope at a 0-based character of a tokenised line. */
export function scopeAt(line: readonly ScopedToken[], character: number): string {
  const t = line.find((x) => character >= x.start && character < x.start + x.text.length);
  return t ? t.scopes[t.scopes.length - 1]! : '';
}
