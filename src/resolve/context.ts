import type { Code, DiagnosticDetail } from '../diagnostics/codes.js';
import { diagnostic, endOf, replacing } from '../diagnostics/codes.js';
import { nearest } from '../diagnostics/suggest.js';
import type { Diagnostic, SourcePosition } from '../diagnostics/diagnostic.js';
import type { Block, Name } from '../parse/ast.js';
import type { FailedStatement } from '../parse/parse.js';
import type { Origin } from './model.js';

/**
 * What statements that failed (to parse, or to resolve) leave unknown. A policy with such a
 * statement already has an error that says what is wrong; nothing may be reported about the
 * absence of what the statement would have said, or the author chases a cascade of messages
 * about a typo (`sip dynamc ports` followed by "set no SIP dynamic range").
 */
export interface Unknowns {
  /** Networks declared by a top-level statement that failed to parse. */
  networks: Set<string>;
  /** Servers whose block failed to parse as a whole. */
  servers: Set<string>;
  /** Servers with a `sip` statement that failed (to parse, or to resolve): their listeners are unknown. */
  listenersOf: Set<string>;
  /**
   * The SIP listeners clients blocks chose: `SERVER/TRANSPORT`, `SERVER/*` when the transport
   * failed, `*` when the server did (the choice may have named any of them).
   */
  chosen: Set<string>;
}

/** What every resolver step shares: the file name and the list of problems found so far. */
export class Diagnostics {
  readonly list: Diagnostic[] = [];
  readonly unknown: Unknowns = { networks: new Set(), servers: new Set(), listenersOf: new Set(), chosen: new Set() };
  private readonly failedLines: readonly number[];

  /** `failed`: the statements the parser could not read and blanked. */
  constructor(
    readonly file: string,
    failed: readonly FailedStatement[] = [],
  ) {
    this.failedLines = failed.map((f) => f.line);
  }

  /** Whether a statement inside the block failed to parse (it may have said anything). */
  failedIn(block: Block): boolean {
    return this.failedLines.some((line) => line >= block.at.line && line <= block.end.line);
  }

  /**
   * Reports that a block lacks a statement, unless a syntax error inside the block already
   * explains it (the statement was there but could not be read).
   */
  reportMissing(block: Block, code: Code, message: string, hint: string): void {
    if (!this.failedIn(block)) this.report(code, block.at, message, hint);
  }

  /**
   * Name comparisons left for "did you mean" hints over the policy's own names. Each suggestion
   * compares the word with every candidate: with many unknown names and many declared ones that
   * is quadratic, so once this is spent, hints go without a suggestion.
   */
  private suggestionBudget = 200_000;

  /** The nearest of the policy's names (`count` of them) to a misspelt one, within the budget. */
  nearestName(word: string, count: number, candidates: () => Iterable<string>): string | undefined {
    if (count > this.suggestionBudget) return undefined;
    this.suggestionBudget -= count;
    return nearest(word, candidates());
  }

  /**
   * Reports a word that is none of the words it may be (a value, a feature, a name): when one is
   * near enough to be what was meant, the hint asks and the fix writes it; otherwise `otherwise`.
   */
  reportMisspelt(code: Code, word: Name, message: string, meant: string | undefined, otherwise: string): void {
    if (meant === undefined) this.report(code, word.at, message, otherwise, { end: endOf(word.at, word.text) });
    else this.report(code, word.at, message, `did you mean '${meant}'?`, replacing(word.at, word.text, meant));
  }

  report(code: Code, at: SourcePosition, message: string, hint?: string, detail?: DiagnosticDetail): void {
    this.list.push(diagnostic(code, this.file, at, message, hint, detail));
  }
}

export const origin = (at: SourcePosition, text: string): Origin => ({ line: at.line, column: at.column, text });

/** Reports every statement kind that appears more than once in a block, and returns the first of each. */
export function firstOfEach<T extends { kind: string; at: SourcePosition }>(
  statements: readonly T[],
  block: string,
  diags: Diagnostics,
  repeatable: readonly string[] = [],
): Map<string, T> {
  const first = new Map<string, T>();
  for (const s of statements) {
    const seen = first.get(s.kind);
    if (seen && !repeatable.includes(s.kind)) {
      diags.report('MSGR034', s.at, `'${s.kind}' given twice in ${block} (first at line ${seen.at.line})`, 'keep one of them');
    } else if (!seen) {
      first.set(s.kind, s);
    }
  }
  return first;
}

export const names = (list: readonly Name[]) => list.map((n) => n.text).join(', ');
