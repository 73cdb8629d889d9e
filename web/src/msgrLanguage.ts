import { HighlightStyle, StreamLanguage, syntaxHighlighting, type StringStream } from '@codemirror/language';
import { Tag, tags } from '@lezer/highlight';

/**
 * Highlighting for .msgr in the editor: the token classes of the TextMate grammar
 * (editors/vscode): keywords, names, addresses, ports, strings and comments. A statement's first
 * word is a keyword when the language has it (`clients clients`: the second is a name); later
 * words only when they are one of the words statements take after their first.
 */
const STATEMENTS = new Set(['deployment', 'description', 'network', 'server', 'clients', 'firewall', 'sip', 'features', 'media', 'peers', 'client', 'on', 'between', 'targets', 'default', 'outbound', 'others', 'log', 'allow', 'deny']);
const INNER = new Set([
  'via', 'port', 'ports', 'dynamic', 'and', 'from', 'to', 'tls', 'tcp', 'udp', 'deny', 'accept', 'denied', 'any',
  'im', 'presence', 'whiteboard', 'application-sharing', 'file-transfer', 'audio', 'video', 'messenger', 'communicator',
  'nftables', 'iptables', 'netsh', 'pf',
]);

export const addressTag = Tag.define(tags.literal);

interface State {
  /** The next word begins a statement. */
  start: boolean;
  /** The line so far ended in `,`, `=` or `{`: the statement goes on (`{` starts one inside). */
  lastSign: string;
}

function token(stream: StringStream, state: State): string | null {
  if (stream.sol() && state.lastSign !== ',' && state.lastSign !== '=') state.start = true;
  if (stream.eatSpace()) return null;
  if (stream.match(/^#.*/)) return 'comment';
  if (stream.match(/^"(?:[^"\\]|\\.)*"?/)) return sign(state, 'string', '"');
  if (stream.match(/^(?:[0-9A-Fa-f]{0,4}:){2,8}[0-9A-Fa-f.]*(?:%[A-Za-z0-9_.]*)?(?:\/[0-9]+)?/) || stream.match(/^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+(?:\/[0-9]+)?/)) {
    return sign(state, 'address', 'a');
  }
  if (stream.match(/^[0-9]+(?:\s*-\s*[0-9]+)?/)) return sign(state, 'number', '0');
  const word = stream.match(/^[A-Za-z_][A-Za-z0-9_-]*/) as RegExpMatchArray | null;
  if (word) {
    const w = word[0];
    const keyword = state.start ? STATEMENTS.has(w) : INNER.has(w);
    return sign(state, keyword ? 'keyword' : 'variableName', 'w');
  }
  const c = stream.next() ?? '';
  state.lastSign = c;
  state.start = c === '{' || c === ';' || c === '}';
  return c === '{' || c === '}' ? 'brace' : c === '=' ? 'operator' : 'punctuation';
}

function sign(state: State, style: string, kind: string): string {
  state.lastSign = kind;
  state.start = false;
  return style;
}

export const msgrLanguage = StreamLanguage.define<State>({
  name: 'msgr',
  startState: () => ({ start: true, lastSign: '' }),
  copyState: (s) => ({ ...s }),
  token,
  tokenTable: { address: addressTag },
  languageData: { commentTokens: { line: '#' } },
});

/** A class per token class (`cm-msgr-keyword`, …): web/style.css colours them. */
export const msgrHighlighting = syntaxHighlighting(
  HighlightStyle.define([
    { tag: tags.keyword, class: 'cm-msgr-keyword' },
    { tag: tags.variableName, class: 'cm-msgr-name' },
    { tag: addressTag, class: 'cm-msgr-address' },
    { tag: tags.number, class: 'cm-msgr-port' },
    { tag: tags.string, class: 'cm-msgr-string' },
    { tag: tags.comment, class: 'cm-msgr-comment' },
  ]),
);
