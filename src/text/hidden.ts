/**
 * Characters that make text display differently from what it says (Trojan Source,
 * CVE-2021-42574): a policy holding one anywhere, comments and strings included, is refused
 * (MSGR007), and no target writes one. The set, exactly (the README's "The language" lists it):
 *
 * - control characters (Unicode category Cc) other than TAB and LF: a terminal, `cat` or
 *   `less -R` acts on them instead of showing them (ESC starts a sequence that can erase or
 *   recolour a line, BS moves back over text, C1's CSI U+009B is ESC [ on some terminals);
 * - CR, except directly before LF (CRLF line ends stay legal): a lone CR sends the cursor back
 *   to the start of the line, so what follows is printed over what precedes it;
 * - the bidirectional controls (Unicode property Bidi_Control): U+061C, U+200E, U+200F,
 *   U+202A–U+202E, U+2066–U+2069; they reorder how the text around them is displayed;
 * - U+2028 and U+2029, the line and paragraph separators: editors and web views break the line
 *   there, but the policy does not (the text after one is still part of the comment or string).
 *
 * Left legal on purpose, because they hide nothing (names are ASCII, so no two names can look
 * alike through them) and real text uses them: zero-width joiners (U+200C, U+200D: Persian,
 * Indic scripts, emoji), U+200B, the byte order mark U+FEFF, and every other non-ASCII letter.
 */
const HIDDEN_CLASS = '\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069\\u2028\\u2029';

/** One hidden character (a CR counts only when no LF follows it). Global: use with matchAll or replace. */
export const HIDDEN_CHARACTER = new RegExp(`[${HIDDEN_CLASS}]|\\r(?!\\n)`, 'g');

/**
 * What one line of text written out (a comment in a target's output, a quoted source line) must
 * not hold: every hidden character, CR whatever follows it, LF and TAB. Global.
 */
export const NOT_ONE_LINE = new RegExp(`[\\t\\n\\r${HIDDEN_CLASS}]`, 'g');

/** Free text as one line of an output comment: each of NOT_ONE_LINE becomes a space. */
export const oneLineText = (s: string) => s.replace(NOT_ONE_LINE, ' ');

export type HiddenKind = 'control' | 'carriage-return' | 'bidi' | 'separator';

export interface HiddenCharacter {
  /** Offset in UTF-16 code units. */
  offset: number;
  /** 1-based line and column (columns in UTF-16 code units, lines split at LF only, as the parser counts them). */
  line: number;
  column: number;
  codePoint: number;
  kind: HiddenKind;
}

/** `U+202E`. */
export const codePointText = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;

const NAMES: Record<number, string> = {
  0x00: 'NULL',
  0x07: 'BELL',
  0x08: 'BACKSPACE',
  0x0b: 'LINE TABULATION',
  0x0c: 'FORM FEED',
  0x0d: 'CARRIAGE RETURN',
  0x1b: 'ESCAPE',
  0x7f: 'DELETE',
  0x85: 'NEXT LINE',
  0x9b: 'CONTROL SEQUENCE INTRODUCER',
  0x061c: 'ARABIC LETTER MARK',
  0x200e: 'LEFT-TO-RIGHT MARK',
  0x200f: 'RIGHT-TO-LEFT MARK',
  0x202a: 'LEFT-TO-RIGHT EMBEDDING',
  0x202b: 'RIGHT-TO-LEFT EMBEDDING',
  0x202c: 'POP DIRECTIONAL FORMATTING',
  0x202d: 'LEFT-TO-RIGHT OVERRIDE',
  0x202e: 'RIGHT-TO-LEFT OVERRIDE',
  0x2066: 'LEFT-TO-RIGHT ISOLATE',
  0x2067: 'RIGHT-TO-LEFT ISOLATE',
  0x2068: 'FIRST STRONG ISOLATE',
  0x2069: 'POP DIRECTIONAL ISOLATE',
  0x2028: 'LINE SEPARATOR',
  0x2029: 'PARAGRAPH SEPARATOR',
};

/** `U+202E RIGHT-TO-LEFT OVERRIDE`, or `U+0013` for a control character without a common name. */
export function describeCodePoint(cp: number): string {
  const name = NAMES[cp];
  return name ? `${codePointText(cp)} ${name}` : codePointText(cp);
}

function kindOf(cp: number): HiddenKind {
  if (cp === 0x0d) return 'carriage-return';
  if (cp === 0x2028 || cp === 0x2029) return 'separator';
  if (cp <= 0x9f) return 'control';
  return 'bidi';
}

/** Every hidden character of a text, in order, with its position. One pass; lines are counted only up to each hit. */
export function findHiddenCharacters(text: string): HiddenCharacter[] {
  const found: HiddenCharacter[] = [];
  let line = 1;
  let lineStart = 0;
  let counted = 0;
  for (const m of text.matchAll(HIDDEN_CHARACTER)) {
    const offset = m.index!;
    for (let nl = text.indexOf('\n', counted); nl >= 0 && nl < offset; nl = text.indexOf('\n', nl + 1)) {
      line++;
      lineStart = nl + 1;
    }
    counted = offset;
    const codePoint = text.charCodeAt(offset);
    found.push({ offset, line, column: offset - lineStart + 1, codePoint, kind: kindOf(codePoint) });
  }
  return found;
}

/** The text with each hidden character replaced by a space: every position stays where it was. */
export const blankHiddenCharacters = (text: string) => text.replace(HIDDEN_CHARACTER, ' ');
