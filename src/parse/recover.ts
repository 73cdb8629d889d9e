/**
 * Error recovery by blanking: replace the statement that failed with spaces (newlines kept, so
 * every later position is unchanged) and let the parser run again.
 *
 * A failing line that opens a block takes its whole block with it (otherwise every statement
 * inside would be reported again out of context); a line with a surplus `}` keeps it, so the
 * enclosing block still closes.
 */
export function blankFailedStatement(text: string, offset: number): string {
  if (offset >= text.length) return text;
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const nl = text.indexOf('\n', offset);
  const lineEnd = nl === -1 ? text.length : nl;
  const line = text.slice(lineStart, lineEnd);
  const depth = braceBalance(line);
  if (depth > 0) {
    const blockEnd = matchingClose(text, lineEnd, depth);
    return blank(text, lineStart, blockEnd);
  }
  const kept = depth < 0 ? line.replace(/[^}\r]/g, ' ') : line.replace(/[^\r]/g, ' ');
  const next = text.slice(0, lineStart) + kept + text.slice(lineEnd);
  // Already blank but for braces: drop those too, or we would loop.
  return next === text ? blank(text, lineStart, lineEnd) : next;
}

function braceBalance(line: string): number {
  const code = line.replace(/"(?:[^"\\]|\\.)*"?/g, '').replace(/#.*/, '');
  let depth = 0;
  for (const ch of code) depth += ch === '{' ? 1 : ch === '}' ? -1 : 0;
  return depth;
}

function matchingClose(text: string, from: number, depth: number): number {
  let d = depth;
  let i = from;
  while (i < text.length && d > 0) {
    const nl = text.indexOf('\n', i + 1);
    const end = nl === -1 ? text.length : nl;
    d += braceBalance(text.slice(i, end));
    i = end;
  }
  return i;
}

function blank(text: string, start: number, end: number): string {
  return text.slice(0, start) + text.slice(start, end).replace(/[^\n\r]/g, ' ') + text.slice(end);
}
