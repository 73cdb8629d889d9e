import { scanAcknowledgements, type AcknowledgementScan } from '../parse/acknowledgements.js';
import { CODES, diagnostic, type Code } from './codes.js';
import { sortDiagnostics, type Diagnostic } from './diagnostic.js';

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
    for (const { code, column } of ack.codes) {
      const at = { line: ack.line, column };
      const known = CODES[code as Code] as { severity: string } | undefined;
      // What the acknowledgement may have meant: the warnings its statement has.
      const there = [...new Set(diagnostics.filter((d) => d.line === ack.target && d.severity === 'warning' && !OWN_CODES.has(d.code)).map((d) => d.code))];
      if (known === undefined) {
        const meant = code.toUpperCase() in CODES ? code.toUpperCase() : there.length === 1 ? there[0] : undefined;
        const hint = meant ? `did you mean '${meant}'?` : there.length ? `the warnings on its statement: ${there.join(', ')}` : "the README's Diagnostics table lists every code";
        own.push(diagnostic('MSGR075', file, at, `'${code}' is not a msgrfw diagnostic code`, hint));
        continue;
      }
      if (known.severity === 'error' || OWN_CODES.has(code)) {
        const why = known.severity === 'error' ? `${code} is an error: errors cannot be acknowledged, only fixed` : `${code} is a warning about an acknowledgement: fix the acknowledgement instead`;
        own.push(diagnostic('MSGR074', file, at, why, 'remove it from the acknowledgement'));
        continue;
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
        own.push(diagnostic('MSGR076', file, at, `the acknowledgement of ${code} accepts nothing: ${where}`, hint));
      }
    }
  }
  for (const m of scan.malformed) own.push(diagnostic('MSGR077', file, { line: m.line, column: m.column }, m.problem, m.hint));
  return sortDiagnostics([...out, ...own]);
}
