/**
 * A unified-diff-like hint of what `fmt` would change. Formatting never moves a line, so line N
 * of the old text faces line N of the new one: each run of changed lines is one hunk.
 */
export function formatDiff(file: string, before: string, after: string, maxHunks = 20): string {
  const notes: string[] = [];
  let old = before;
  if (old.startsWith('\uFEFF')) {
    notes.push('the byte order mark is removed');
    old = old.slice(1);
  }
  if (old.includes('\r\n')) notes.push('CRLF line ends become LF');
  if (old.length > 0 && !old.endsWith('\n')) notes.push('a newline is added at the end of the file');
  const a = splitLines(old.replace(/\r\n/g, '\n'));
  const b = splitLines(after);
  const hunks: string[] = [];
  let extra = 0;
  let i = 0;
  const n = Math.max(a.length, b.length);
  while (i < n) {
    if (a[i] === b[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && a[j] !== b[j]) j++;
    const minus = a.slice(i, Math.min(j, a.length));
    const plus = b.slice(i, Math.min(j, b.length));
    if (hunks.length < maxHunks) {
      hunks.push(
        [`@@ -${i + 1},${minus.length} +${i + 1},${plus.length} @@`, ...minus.map((l) => `-${printable(l)}`), ...plus.map((l) => `+${printable(l)}`)].join('\n'),
      );
    } else extra += j - i;
    i = j;
  }
  const out = [`--- ${file}`, `+++ ${file} (formatted)`, ...notes.map((x) => `# ${x}`), ...hunks];
  if (extra > 0) out.push(`# … and ${extra} more changed line(s)`);
  return `${out.join('\n')}\n`;
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Control characters must not drive the user's terminal. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '?');
}
