/**
 * A strict reader for the registry files regedit imports (`reg import FILE`), for the subset a
 * Group Policy PortRange file uses: the version line, blank lines, `;` comments, `[KEY]` (and
 * `[-KEY]`, which deletes a key), and `"Name"=dword:XXXXXXXX` (and `"Name"=-`, which deletes a
 * value). Anything else — a string or binary value, a value before any key, a key outside
 * HKEY_LOCAL_MACHINE, a bare LF, a byte regedit would read differently — is an error, not a
 * guess: the reader says what the file sets or refuses it.
 *
 * Semantics, as regedit applies a file: keys are created as they are named, a later value of
 * the same name replaces an earlier one, and names compare without case (as the registry does).
 */
export interface RegFile {
  version: 'Windows Registry Editor Version 5.00' | 'REGEDIT4';
  /** Per key path (as written), its dword values by name. */
  keys: Map<string, Map<string, number>>;
  /** Keys and values the file deletes. */
  deleted: string[];
}

const HEADERS = ['Windows Registry Editor Version 5.00', 'REGEDIT4'] as const;

export function readReg(text: string): RegFile {
  if (/\r(?!\n)|(?<!\r)\n/.test(text)) throw new Error('a line end that is not CRLF');
  if (/[^\x20-\x7e\r\n\t]/.test(text)) throw new Error('a character outside printable ASCII');
  const lines = text.split('\r\n');
  if (lines.at(-1) === '') lines.pop();
  const version = HEADERS.find((h) => h === lines[0]);
  if (!version) throw new Error(`line 1: not a registry file header: ${JSON.stringify(lines[0] ?? '')}`);
  const keys = new Map<string, Map<string, number>>();
  const deleted: string[] = [];
  let current: Map<string, number> | undefined;
  let currentPath = '';
  lines.slice(1).forEach((line, i) => {
    const at = `line ${i + 2}`;
    if (line === '' || line.startsWith(';')) return;
    const key = /^\[(-?)(HKEY_LOCAL_MACHINE(?:\\[^\\\][]+)+)\]$/.exec(line);
    if (key) {
      if (key[1]) {
        deleted.push(key[2]!);
        current = undefined;
        return;
      }
      currentPath = key[2]!;
      current = [...keys].find(([p]) => p.toLowerCase() === currentPath.toLowerCase())?.[1];
      if (!current) keys.set(currentPath, (current = new Map()));
      return;
    }
    const value = /^"([A-Za-z0-9_]+)"=(?:dword:([0-9A-Fa-f]{8})|(-))$/.exec(line);
    if (!value) throw new Error(`${at}: not a key, a dword value or a comment: ${JSON.stringify(line)}`);
    if (!current) throw new Error(`${at}: a value outside any key`);
    const name = [...current.keys()].find((n) => n.toLowerCase() === value[1]!.toLowerCase()) ?? value[1]!;
    if (value[3]) {
      current.delete(name);
      deleted.push(`${currentPath}\\${name}`);
    } else {
      current.set(name, Number.parseInt(value[2]!, 16));
    }
  });
  return { version, keys, deleted };
}
