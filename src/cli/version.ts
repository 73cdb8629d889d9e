import { readFileSync } from 'node:fs';
import { packageFile } from '../files/packageFile.js';

let version: string | undefined;

/** msgrfw's version, from the package.json it ships with ('' when that cannot be read). */
export function toolVersion(): string {
  try {
    version ??= String((JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version?: unknown }).version ?? '');
  } catch {
    version = '';
  }
  return version;
}
