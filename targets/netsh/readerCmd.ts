/**
 * A reader for Windows batch files (cmd.exe), as far as firewall scripts need: the phases cmd
 * applies to each line (percent expansion, labels, REM, caret escapes and line continuation,
 * quoting, command separators `& && || |`, redirections), then a small interpreter that runs
 * the commands in order, follows `goto` and `exit`, and hands each external command to a
 * callback. What it cannot evaluate (environment variables, `for`, blocks, batch arguments)
 * it refuses with an error instead of guessing.
 *
 * Also here: `batchSafetyProblems`, the strict cmd-aware check the escaping tests use.
 */

export interface SimpleCommand {
  /** The command as cmd passes it on: carets removed, quotes kept, redirections taken out. */
  text: string;
  /** The first word, lower-case, without `@` and a trailing `.exe`. */
  name: string;
  /** Everything after the first word (quotes kept), as the program's command line tail. */
  tail: string;
  redirections: string[];
}

export type Statement =
  | { kind: 'blank' | 'rem'; line: number }
  | { kind: 'label'; line: number; label: string }
  | { kind: 'commands'; line: number; commands: SimpleCommand[]; operators: ('&' | '&&' | '||' | '|')[] };

export class BatchError extends Error {
  constructor(line: number, message: string) {
    super(`batch line ${line}: ${message}`);
  }
}

/** Physical lines → logical lines (a caret at the end of a line, outside quotes, joins the next). */
function logicalLines(text: string): { line: number; text: string }[] {
  const physical = text.replace(/\r/g, '').split('\n');
  if (physical[physical.length - 1] === '') physical.pop();
  const out: { line: number; text: string }[] = [];
  for (let i = 0; i < physical.length; i++) {
    const start = i + 1;
    let cur = physical[i]!;
    while (endsWithContinuation(cur) && i + 1 < physical.length) {
      cur = cur.slice(0, -1) + physical[++i]!;
    }
    // cmd.exe reads at most 8,191 characters of a command line (KB 830473); a longer one fails
    // with "The input line is too long." and the script goes on (or stops) without it.
    if (cur.length > MAX_CMD_LINE) throw new BatchError(start, `line of ${cur.length} characters: cmd.exe reads at most ${MAX_CMD_LINE} (KB 830473)`);
    out.push({ line: start, text: cur });
  }
  return out;
}

/** cmd.exe's longest command line. */
export const MAX_CMD_LINE = 8191;

function endsWithContinuation(line: string): boolean {
  let quoted = false;
  let escaped = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (escaped) {
      escaped = false;
      if (i === line.length - 1) return false;
      continue;
    }
    if (c === '"') quoted = !quoted;
    else if (c === '^' && !quoted) {
      if (i === line.length - 1) return true;
      escaped = true;
    }
  }
  return false;
}

/** Phase 1 of a batch file: `%%` is `%`, a lone `%` is dropped; variables and arguments are refused. */
function expandPercents(line: string, lineNo: number, env: Record<string, string>): string {
  let out = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    const next = line[i + 1];
    if (next === '%') {
      out += '%';
      i++;
      continue;
    }
    // cmd drops a % that starts no expansion (at the end of the line, or with no closing %).
    if (next === undefined) continue;
    if (/[0-9*~]/.test(next)) throw new BatchError(lineNo, `batch argument %${next} cannot be evaluated`);
    const end = line.indexOf('%', i + 1);
    if (end < 0) continue;
    const name = line.slice(i + 1, end);
    const value = Object.entries(env).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
    if (value === undefined) throw new BatchError(lineNo, `environment variable %${name}% cannot be evaluated`);
    out += value;
    i = end;
  }
  return out;
}

/** Splits one logical line into statements (phase 2: REM, labels, carets, quotes, operators). */
function parseLine(raw: string, lineNo: number, env: Record<string, string>): Statement {
  const line = expandPercents(raw, lineNo, env);
  const trimmed = line.replace(/^[\s@;,=]+/, '');
  if (trimmed === '') return { kind: 'blank', line: lineNo };
  if (trimmed.startsWith(':')) return { kind: 'label', line: lineNo, label: trimmed.slice(1).split(/[\s&|<>+:,;=]/)[0]!.toLowerCase() };
  if (/^rem(?:$|[\s,;=(/])/i.test(trimmed)) return { kind: 'rem', line: lineNo };

  const commands: SimpleCommand[] = [];
  const operators: ('&' | '&&' | '||' | '|')[] = [];
  let text = '';
  let redirections: string[] = [];
  let quoted = false;
  const finish = () => {
    const cmd = text.trim();
    if (cmd === '') throw new BatchError(lineNo, 'empty command next to an operator');
    const m = cmd.match(/^@*([^\s]+)\s*(.*)$/s)!;
    commands.push({ text: cmd, name: m[1]!.toLowerCase().replace(/\.exe$/, ''), tail: m[2]!, redirections });
    text = '';
    redirections = [];
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      text += c;
      if (c === '"') quoted = false;
      continue;
    }
    if (c === '"') {
      quoted = true;
      text += c;
    } else if (c === '^') {
      const next = line[++i];
      if (next !== undefined) text += next;
    } else if (c === '&' || c === '|') {
      const double = line[i + 1] === c;
      operators.push(double ? (c === '&' ? '&&' : '||') : c);
      if (double) i++;
      finish();
    } else if (c === '<' || c === '>') {
      // [n]> target, [n]>> target, n>&m, < source
      let op = c;
      if (c === '>' && line[i + 1] === '>') op += line[++i];
      const handle = /[0-9]$/.test(text) && /(^|\s)[0-9]$/.test(text) ? text.slice(-1) : '';
      if (handle) text = text.slice(0, -1);
      let target = '';
      let j = i + 1;
      if (line[j] === '&') {
        target = '&';
        j++;
      }
      while (line[j] === ' ' || line[j] === '\t') j++;
      while (j < line.length && !/[\s&|<>]/.test(line[j]!)) target += line[j++];
      if (target === '' || target === '&') throw new BatchError(lineNo, `redirection ${op} without a target`);
      redirections.push(`${handle}${op}${target}`);
      i = j - 1;
    } else if ((c === '(' || c === ')') && text.trim() === '') {
      throw new BatchError(lineNo, 'parenthesised blocks are not supported by this reader');
    } else {
      text += c;
    }
  }
  if (quoted) {
    // cmd.exe closes an open quote at the end of the line; a generated script never should.
    throw new BatchError(lineNo, 'unbalanced double quote');
  }
  finish();
  return { kind: 'commands', line: lineNo, commands, operators };
}

export function parseBatch(text: string, env: Record<string, string> = {}): Statement[] {
  return logicalLines(text).map(({ line, text: t }) => parseLine(t, line, env));
}

/**
 * Runs a batch file: `external` gets every command that is not a cmd built-in and returns its
 * exit code. Built-ins understood: echo, setlocal, endlocal, goto, exit, `if [not] errorlevel N
 * …`, cls, title. Anything else is an error.
 */
export function runBatch(text: string, external: (cmd: SimpleCommand, line: number) => number, env: Record<string, string> = {}): { exitCode: number } {
  const statements = parseBatch(text, env);
  const labels = new Map<string, number>();
  statements.forEach((s, i) => {
    if (s.kind === 'label' && !labels.has(s.label)) labels.set(s.label, i);
  });
  let errorlevel = 0;
  let delayed = false;
  let pc = 0;
  let steps = 0;

  const run = (cmd: SimpleCommand, line: number): { jump?: number; exit?: number } => {
    const args = cmd.tail.trim();
    switch (cmd.name) {
      case 'echo':
      case 'cls':
      case 'title':
        return {};
      case 'setlocal':
        if (/enabledelayedexpansion/i.test(args)) delayed = true;
        if (/disabledelayedexpansion/i.test(args)) delayed = false;
        return {};
      case 'endlocal':
        delayed = false;
        return {};
      case 'goto': {
        const label = args.replace(/^:/, '').split(/\s/)[0]!.toLowerCase();
        if (label === 'eof') return { exit: errorlevel };
        const target = labels.get(label);
        if (target === undefined) throw new BatchError(line, `goto to a missing label ${label}`);
        return { jump: target };
      }
      case 'exit': {
        const m = args.match(/^(?:\/b\s*)?([0-9]+)?\s*$/i);
        if (!m) throw new BatchError(line, `exit ${args} is not understood`);
        return { exit: m[1] ? Number(m[1]) : errorlevel };
      }
      case 'if': {
        const m = args.match(/^(not\s+)?errorlevel\s+([0-9]+)\s+(.+)$/is);
        if (!m) throw new BatchError(line, `only "if [not] errorlevel N command" is understood, not: if ${args}`);
        const holds = errorlevel >= Number(m[2]) !== Boolean(m[1]);
        if (!holds) return {};
        const inner = parseLine(m[3]!, line, env);
        if (inner.kind !== 'commands' || inner.commands.length !== 1) throw new BatchError(line, 'if with more than one command');
        return run(inner.commands[0]!, line);
      }
      default:
        if (delayed && cmd.text.includes('!')) throw new BatchError(line, '! under delayed expansion cannot be evaluated');
        errorlevel = external(cmd, line);
        return {};
    }
  };

  while (pc < statements.length) {
    if (++steps > 100_000) throw new Error('batch file loops');
    const s = statements[pc]!;
    pc++;
    if (s.kind !== 'commands') continue;
    for (let i = 0; i < s.commands.length; i++) {
      if (i > 0) {
        const op = s.operators[i - 1]!;
        if (op === '|') throw new BatchError(s.line, 'pipes are not supported by this reader');
        if (op === '&&' && errorlevel !== 0) continue;
        if (op === '||' && errorlevel === 0) continue;
      }
      const r = run(s.commands[i]!, s.line);
      if (r.exit !== undefined) return { exitCode: r.exit };
      if (r.jump !== undefined) {
        pc = r.jump;
        break;
      }
    }
  }
  return { exitCode: errorlevel };
}

/**
 * Splits a program's command line the way the Microsoft C runtime (CommandLineToArgvW) does:
 * white space separates arguments outside quotes, `"` toggles quoting and is dropped,
 * backslashes are literal unless they precede a quote.
 */
export function splitArgs(tail: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inArg = false;
  let quoted = false;
  for (let i = 0; i < tail.length; i++) {
    const c = tail[i]!;
    if (c === '\\') {
      let n = 0;
      while (tail[i] === '\\') {
        n++;
        i++;
      }
      if (tail[i] === '"') {
        cur += '\\'.repeat(Math.floor(n / 2));
        if (n % 2 === 1) cur += '"';
        else quoted = !quoted;
      } else {
        cur += '\\'.repeat(n);
        i--;
      }
      inArg = true;
    } else if (c === '"') {
      quoted = !quoted;
      inArg = true;
    } else if (!quoted && (c === ' ' || c === '\t')) {
      if (inArg) out.push(cur);
      cur = '';
      inArg = false;
    } else {
      cur += c;
      inArg = true;
    }
  }
  if (inArg) out.push(cur);
  return out;
}

/**
 * The strict check the escaping tests run over a generated .cmd: every line must be something
 * cmd.exe cannot misread, whatever the policy text held.
 * - printable ASCII only, CRLF line ends (no lone CR or LF);
 * - no `%` (expanded even in REM and inside quotes) and no `!` (delayed expansion) anywhere;
 * - no `^` anywhere (escapes, and line continuation that would swallow the next line into a REM);
 * - REM lines: none of `& | < >` either and balanced quotes, so the text reads the same to a human;
 * - labels: `:name` only;
 * - every other line is exactly one command (no `& && || |`, no redirection, no block) whose name
 *   is in `allowed`, with balanced quotes and `( ) < > & |` only inside quotes.
 */
export function batchSafetyProblems(text: string, allowed: readonly string[]): string[] {
  const problems: string[] = [];
  if (/[^\x20-\x7e\r\n]/.test(text)) problems.push('a character outside printable ASCII');
  if (/\r(?!\n)|(?<!\r)\n/.test(text)) problems.push('a line end that is not CRLF');
  const lines = text.split('\r\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((line, i) => {
    const at = `line ${i + 1} (${JSON.stringify(line.slice(0, 60))})`;
    if (line.includes('%')) problems.push(`${at}: %`);
    if (line.includes('!')) problems.push(`${at}: !`);
    if (line.includes('^')) problems.push(`${at}: ^`);
    const body = line.replace(/^[\s@]+/, '');
    if (body === '') return;
    if ((line.match(/"/g) ?? []).length % 2 !== 0) problems.push(`${at}: unbalanced quotes`);
    if (/^rem(\s|$)/i.test(body)) {
      if (/[&|<>]/.test(body)) problems.push(`${at}: & | < > in a REM line`);
      return;
    }
    if (body.startsWith(':')) {
      if (!/^:[A-Za-z_][A-Za-z0-9_]*$/.test(body)) problems.push(`${at}: not a plain label`);
      return;
    }
    const outside = body.replace(/"[^"]*"/g, '""');
    if (/[&|<>()]/.test(outside)) problems.push(`${at}: a metacharacter outside quotes`);
    let stmt: Statement;
    try {
      stmt = parseLine(body, i + 1, {});
    } catch (e) {
      problems.push(`${at}: ${(e as Error).message}`);
      return;
    }
    if (stmt.kind !== 'commands' || stmt.commands.length !== 1) {
      problems.push(`${at}: not exactly one command`);
      return;
    }
    const cmd = stmt.commands[0]!;
    if (cmd.redirections.length) problems.push(`${at}: a redirection`);
    if (!allowed.includes(cmd.name)) problems.push(`${at}: unexpected command ${cmd.name}`);
  });
  return problems;
}
