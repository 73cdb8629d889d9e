import moo from 'moo';
import type { SourcePosition } from '../diagnostics/diagnostic.js';
import { rules } from '../parse/lexer.js';
import { FEATURES } from '../resolve/model.js';
import type { PolicyDocument } from './document.js';
import { KEYWORDS, STATEMENTS, VALUES, type BlockKind } from './keywords.js';

export type CompletionKind = 'keyword' | 'value' | 'feature' | 'network' | 'server';

export interface Completion {
  label: string;
  kind: CompletionKind;
  doc?: string;
}

export interface Completions {
  items: Completion[];
  /** Where the word being typed starts: a chosen item replaces it up to the cursor. */
  from: SourcePosition;
}

const lexer = moo.compile(rules);

/** Where the cursor stands: in which block, after which words of its statement, in the middle of which word. */
interface Context {
  block: BlockKind;
  words: string[];
  /** The word being typed (empty between words). */
  partial: string;
  /** In a comment or a string: nothing to complete. */
  inText: boolean;
}

/**
 * What may be written at the cursor: a statement's first words where a statement starts (those
 * of the block it stands in), a value after its keyword (transports, targets, verdicts,
 * protocols, client software, the features not yet listed), or the names the policy declares
 * where a network or a server is named. Read from the text before the cursor alone, so it works
 * while the statement being typed does not parse yet.
 */
export function completionsAt(doc: PolicyDocument, at: SourcePosition): Completions {
  const offset = offsetOf(doc.text, at);
  const ctx = contextAt(doc.text.slice(0, offset));
  const from = { line: at.line, column: at.column - ctx.partial.length };
  if (ctx.inText) return { items: [], from };
  const names = declared(doc.text);
  const items = candidates(ctx, names).filter((c) => c.label.startsWith(ctx.partial) || ctx.partial === '');
  return { items, from };
}

function contextAt(before: string): Context {
  const stack: BlockKind[] = [];
  let statement: moo.Token[] = [];
  let last: moo.Token | undefined;
  lexer.reset(before);
  for (let t = lexer.next(); t; t = lexer.next()) {
    last = t;
    if (t.type === 'ws' || t.type === 'comment') continue;
    if (t.type === 'nl' || t.type === 'semi') {
      const previous = statement[statement.length - 1]?.type;
      // A line ending in `,` or `=` continues the statement.
      if (t.type === 'semi' || (previous !== 'comma' && previous !== 'equals')) statement = [];
    } else if (t.type === 'lbrace') {
      stack.push(blockOf(statement[0]?.text, stack[stack.length - 1] ?? 'top'));
      statement = [];
    } else if (t.type === 'rbrace') {
      stack.pop();
      statement = [];
    } else statement.push(t);
  }
  const block = stack[stack.length - 1] ?? 'top';
  const inText = last !== undefined && (last.type === 'comment' || last.type === 'badstring');
  // A word that reaches the cursor is being typed.
  const typing = last !== undefined && last === statement[statement.length - 1] && last.type === 'word';
  const partial = typing ? last!.text : '';
  const words = (typing ? statement.slice(0, -1) : statement).map((t) => t.text);
  return { block, words, partial, inText };
}

function blockOf(word: string | undefined, outer: BlockKind): BlockKind {
  if (outer === 'top') return 'deployment';
  if (outer === 'deployment' && (word === 'server' || word === 'clients' || word === 'firewall')) return word;
  return outer;
}

function candidates(ctx: Context, names: { networks: string[]; servers: string[] }): Completion[] {
  const { block, words } = ctx;
  const lastWord = words[words.length - 1];
  const first = words[0];
  const keyword = (label: string): Completion => ({ label, kind: 'keyword', ...(KEYWORDS[label] ? { doc: KEYWORDS[label] } : {}) });
  const values = (list: readonly string[], kind: CompletionKind = 'value'): Completion[] => list.filter((v) => !words.includes(v)).map((label) => ({ label, kind, ...(KEYWORDS[label] ? { doc: KEYWORDS[label] } : {}) }));
  const networks = (except: readonly string[] = []): Completion[] => [...names.networks.filter((n) => !except.includes(n)), 'any'].map((label) => ({ label, kind: 'network' }));
  const listing = lastWord === first || lastWord === ',';

  if (words.length === 0) return STATEMENTS[block].map((s) => ({ label: s.label, kind: 'keyword', doc: s.doc }));
  switch (block) {
    case 'deployment':
      if (first === 'network' && (lastWord === '=' || lastWord === ',')) return networks([words[1]!]);
      if ((first === 'server' || first === 'clients') && words.length === 1) return networks().filter((n) => n.label !== 'any');
      return [];
    case 'server':
      if (first === 'sip' && words.length === 1) return values(VALUES.transport);
      if (first === 'sip' && words.length === 2) return [keyword('port')];
      return [];
    case 'clients':
      if (first === 'server' && words.length === 1) return names.servers.map((label) => ({ label, kind: 'server' }));
      if (first === 'server' && words.length === 2) return [keyword('via')];
      if (first === 'server' && lastWord === 'via') return values(VALUES.transport);
      if (first === 'features' && listing) return values(FEATURES, 'feature');
      if (first === 'sip' && words.length === 1) return [keyword('dynamic')];
      if ((first === 'sip' && words.length === 2) || (first === 'media' && words.length === 1)) return [keyword('ports')];
      if (first === 'peers' && listing) return networks(words);
      if (first === 'client' && words.length === 1) return values(VALUES.client);
      return [];
    case 'firewall':
      if ((first === 'on' || first === 'between') && words.length === 1) return networks();
      if (first === 'between' && words.length === 2) return [keyword('and')];
      if (first === 'between' && lastWord === 'and') return networks([words[1]!]);
      if (first === 'targets' && listing) return values(VALUES.target);
      if ((first === 'default' || first === 'outbound') && words.length === 1) return values(VALUES.verdict);
      if (first === 'log' && words.length === 1) return [keyword('denied')];
      if ((first === 'allow' || first === 'deny') && words.length === 1) return values(VALUES.protocol);
      if (first === 'allow' || first === 'deny') {
        if (lastWord === 'from' || lastWord === 'to') return networks();
        if (lastWord === '-' || lastWord === ',') return [];
        return (words.includes('from') ? ['to'] : ['from', 'to']).filter((w) => !words.includes(w)).map(keyword);
      }
      return [];
    case 'top':
      return [];
  }
}

/** The names the text declares, read line by line (the statement being typed may not parse). */
function declared(text: string): { networks: string[]; servers: string[] } {
  const networks = [...text.matchAll(/^[ \t]*network[ \t]+([A-Za-z_][A-Za-z0-9_-]*)/gm)].map((m) => m[1]!);
  const servers = [...text.matchAll(/^[ \t]*server[ \t]+([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\{/gm)].map((m) => m[1]!);
  return { networks: [...new Set(networks)], servers: [...new Set(servers)] };
}

/** The offset in the text of a 1-based line and column. */
export function offsetOf(text: string, at: SourcePosition): number {
  let offset = 0;
  for (let line = 1; line < at.line; line++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return Math.min(text.length, offset + at.column - 1);
}
