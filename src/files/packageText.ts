import { readFileSync } from 'node:fs';
import { packageFile } from './packageFile.js';

/**
 * The text of a file shipped with the package (a template, the IR schema), by its path in the
 * package. The one place the compiler reads its own files: the playground's build
 * (scripts/build-web.mjs) puts a module with the same function, serving the same files'
 * texts embedded at build time, in its place, so the browser runs the same compiler.
 */
export function packageText(...parts: string[]): string {
  return readFileSync(packageFile(...parts), 'utf8');
}
