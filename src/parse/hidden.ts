import { diagnostic } from '../diagnostics/codes.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { blankHiddenCharacters, describeCodePoint, findHiddenCharacters, type HiddenCharacter } from '../text/hidden.js';

/**
 * Hidden characters are reported one by one up to this many; past it, one more diagnostic says
 * how many follow (a file of millions of them must not print millions of lines).
 */
export const MAX_HIDDEN_REPORTED = 100;

/** A command that lists every one of them (grep -P in a UTF-8 locale; a CR at the end of a line is a CRLF line end). */
const FIND_ALL = "grep -nP '[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F\\x{61C}\\x{200E}\\x{200F}\\x{202A}-\\x{202E}\\x{2066}-\\x{2069}\\x{2028}\\x{2029}]|\\r(?!$)' FILE";

function describe(h: HiddenCharacter): { message: string; hint: string } {
  const what = describeCodePoint(h.codePoint);
  switch (h.kind) {
    case 'carriage-return':
      return {
        message: `carriage return (U+000D) not followed by a line feed: a terminal goes back to the start of the line and prints what follows over what precedes it, so the line does not read as it is`,
        hint: 'end lines with LF or CRLF only: delete the CR, or put a line feed after it',
      };
    case 'bidi':
      return {
        message: `bidirectional control ${what}: it changes the order in which the text around it is displayed, so a reviewer does not see what msgrfw reads (Trojan Source, CVE-2021-42574)`,
        hint: 'delete it (most editors do not show it); text in any script needs no control characters in a policy',
      };
    case 'separator':
      return {
        message: `${what}: editors show a line break here, but the policy has none: what follows still belongs to this line`,
        hint: 'replace it with a line feed, or delete it',
      };
    default:
      return {
        message: `control character ${what}: a terminal or viewer acts on it instead of showing it, so the text does not read as it is`,
        hint: 'delete it: a policy holds no control characters but tab and line ends, in comments and strings too',
      };
  }
}

/**
 * MSGR007 for every character of the text that hides what it does (src/text/hidden.ts), and the
 * text both parsers read: each such character blanked to a space, so every position stays and
 * the rest of the file is still checked in the same run.
 */
export function reportHiddenCharacters(text: string, file: string): { readable: string; diagnostics: Diagnostic[] } {
  const found = findHiddenCharacters(text);
  if (found.length === 0) return { readable: text, diagnostics: [] };
  const diagnostics = found.slice(0, MAX_HIDDEN_REPORTED).map((h) => {
    const { message, hint } = describe(h);
    return diagnostic('MSGR007', file, h, message, hint);
  });
  const rest = found.length - MAX_HIDDEN_REPORTED;
  if (rest > 0) {
    const next = found[MAX_HIDDEN_REPORTED]!;
    diagnostics.push(
      diagnostic(
        'MSGR007',
        file,
        next,
        `${rest} more hidden characters from here on (${describeCodePoint(next.codePoint)} first), not listed one by one`,
        `remove them all; to list them: ${FIND_ALL}`,
      ),
    );
  }
  return { readable: blankHiddenCharacters(text), diagnostics };
}
