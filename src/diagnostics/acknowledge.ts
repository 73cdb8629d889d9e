import { commentStart, scanAcknowledgements, type Acknowledgement, type AcknowledgementScan } from '../parse/acknowledgements.js';
import { CODES, diagnostic, endOf, replacing, type Code } from './codes.js';
import { sortDiagnostics, type Diagnostic, type Fix, type TextEdit } from './diagnostic.js';

/** The acknowledgements' own warnings: accepting one of them would make an acknowledgement accept itself. */
const OWN_CODES = new Set<string>(['MSGR074', 'MSGR075', 'MSGR076', 'MSGR077']);

export interface AcknowledgeOptions {
  /**
   * Every diagnostic the policy can have was computed: it compiled without errors and every
   * firewall was judged on every target. Only then does an acknowledgement that accepts nothing
   * say so (MSGR076): after an error the later stages did not run, and a run narrowed to one
   * firewall or target did not look for the others' findings.
   */
  judgedAll: boolean;
}

/**
 * A policy's diagnostics with its acknowledgements applied: each warning an acknowledgement on
 * its line names is marked `suppressed` with the acknowledgement's reason, and what is wrong with
 * an acknowledgement is a warning of its own (MSGR074-MSGR077), never suppressed.
 */
export function acknowledge(diagnostics: readonly Diagnostic[], text: string, file: string, options: AcknowledgeOptions, scan: AcknowledgementScan = scanAcknowledgements(text)): Diagnostic[] {
  if (scan.acknowledgements.length === 0 && scan.malformed.length === 0) return [...diagnostics];
  const out = [...diagnostics];
  const own: Diagnostic[] = [];
  for (const ack of scan.acknowledgements) {
    ack.codes.forEach(({ code, column }, index) => {
      const at = { line: ack.line, column };
      const known = CODES[code as Code] as { severity: string } | undefined;
      // What the acknowledgement may have meant: the warnings its statement has.
      const there = [...new Set(diagnostics.filter((d) => d.line === ack.target && d.severity === 'warning' && !OWN_CODES.has(d.code)).map((d) => d.code))];
      if (known === undefined) {
        const meant = code.toUpperCase() in CODES ? code.toUpperCase() : there.length === 1 ? there[0] : undefined;
        const message = `'${code}' is not a msgrfw diagnostic code`;
        if (meant) own.push(diagnostic('MSGR075', file, at, message, `did you mean '${meant}'?`, replacing(at, code, meant)));
        else own.push(diagnostic('MSGR075', file, at, message, there.length ? `the warnings on its statement: ${there.join(', ')}` : "the README's Diagnostics table lists every code", { end: endOf(at, code) }));
        return;
      }
      if (known.severity === 'error' || OWN_CODES.has(code)) {
        const why = known.severity === 'error' ? `${code} is an error: errors cannot be acknowledged, only fixed` : `${code} is a warning about an acknowledgement: fix the acknowledgement instead`;
        own.push(diagnostic('MSGR074', file, at, why, 'remove it from the acknowledgement', { end: endOf(at, code), fix: withoutCode(ack, index) }));
        return;
      }
      let accepted = false;
      out.forEach((d, i) => {
        if (ack.target === undefined || d.line !== ack.target || d.code !== code || d.severity !== 'warning') return;
        out[i] = { ...d, suppressed: { justification: ack.justification } };
        accepted = true;
      });
      if (!accepted && options.judgedAll) {
        const where = ack.target === undefined ? 'it stands above no statement (a blank line or the end of the file comes first)' : ack.target === ack.line ? 'this line has no such warning' : `line ${ack.target}, the statement below it, has no such warning`;
        const hint = there.length ? `its statement's warnings are ${there.join(', ')}; or remove it` : 'remove it, or put it on the line the warning points at (or on a comment line just above it)';
        own.push(diagnostic('MSGR076', file, at, `the acknowledgement of ${code} accepts nothing: ${where}`, hint, { end: endOf(at, code), fix: withoutCode(ack, index) }));
      }
    });
  }
  for (const m of scan.malformed) own.push(diagnostic('MSGR077', file, { line: m.line, column: m.column }, m.problem, m.hint, { end: { line: m.line, column: m.endColumn } }));
  return sortDiagnostics([...out, ...own]);
}

/**
 * The fix that takes code number `index` out of an acknowledgement: the code and the comma next
 * to it; the last code takes the whole comment (a comment line, the whole line).
 */
function withoutCode(ack: Acknowledgement, index: number): Fix {
  const code = ack.codes[index]!;
  const title = `remove ${code.code} from the acknowledgement`;
  const line = ack.line;
  if (ack.codes.length === 1) {
    const edit: TextEdit = ack.comment.trailing
      ? { line, column: ack.comment.codeEnd, endLine: line, endColumn: ack.comment.endColumn, text: '' }
      : { line, column: 1, endLine: line + 1, endColumn: 1, text: '' };
    return { title: 'remove the acknowledgement', edits: [edit] };
  }
  const next = ack.codes[index + 1];
  const previous = ack.codes[index - 1]!;
  const edit: TextEdit = next
    ? { line, column: code.column, endLine: line, endColumn: next.column, text: '' }
    : { line, column: previous.column + previous.code.length, endLine: line, endColumn: code.column + code.code.length, text: '' };
  return { title, edits: [edit] };
}

/**
 * The edit that acknowledges a warning where it points, with an empty reason for the author to
 * write (until then MSGR077 asks for one, and the warning stands): the code added to the
 * acknowledgement already on that line, else `# msgrfw: ack CODE -- ` at the end of the line, or
 * — when the line has another comment — on a comment line of its own above, indented alike.
 */
export function acknowledgementFix(text: string, d: Diagnostic): Fix | undefined {
  if (d.severity !== 'warning' || OWN_CODES.has(d.code) || d.suppressed) return undefined;
  const lines = text.split('\n');
  const raw = lines[d.line - 1];
  if (raw === undefined) return undefined;
  const title = `acknowledge ${d.code} here (# msgrfw: ack ${d.code} -- why)`;
  const existing = scanAcknowledgements(text).acknowledgements.find((a) => a.target === d.line);
  if (existing) {
    const last = existing.codes[existing.codes.length - 1]!;
    const column = last.column + last.code.length;
    return { title, edits: [{ line: existing.line, column, endLine: existing.line, endColumn: column, text: `, ${d.code}` }] };
  }
  const line = raw.replace(/\r$/, '');
  const comment = `# msgrfw: ack ${d.code} -- `;
  if (commentStart(line) < 0) {
    const end = line.trimEnd().length + 1;
    return { title, edits: [{ line: d.line, column: end, endLine: d.line, endColumn: line.length + 1, text: `  ${comment}` }] };
  }
  const indent = /^[ \t]*/.exec(line)![0];
  return { title, edits: [{ line: d.line, column: 1, endLine: d.line, endColumn: 1, text: `${indent}${comment}\n` }] };
}
