// What the action's steps share: running commands, GitHub's step files (outputs, PATH, job
// summary) and workflow commands (annotations). Node's own modules only: the steps run before
// anything is installed but node.
import { spawnSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

/** Marks the action's pull request comment, so a later run updates it instead of adding another. */
export const MARKER = '<!-- msgrfw-diff -->';

/** Runs a command without a shell (nothing in an argument is ever interpreted); never throws on a status. */
export function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...options });
  if (r.error) throw new Error(`cannot run ${cmd}: ${r.error.message}`);
  return { status: r.status ?? 128, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a command that must succeed, with its output passed through to the log. */
export function runOrFail(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...options });
  if (r.error) throw new Error(`cannot run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with status ${r.status}`);
}

/** A step output (GITHUB_OUTPUT); a value with a line break in a heredoc with a random delimiter. */
export function setOutput(name, value) {
  const file = process.env.GITHUB_OUTPUT;
  const text = String(value);
  if (!file) return void console.log(`output ${name}=${text}`);
  const delimiter = `msgrfw_${randomBytes(8).toString('hex')}`;
  appendFileSync(file, /[\r\n]/.test(text) ? `${name}<<${delimiter}\n${text}\n${delimiter}\n` : `${name}=${text}\n`);
}

/** Puts a directory on the PATH of the job's later steps (GITHUB_PATH). */
export function addPath(dir) {
  if (process.env.GITHUB_PATH) appendFileSync(process.env.GITHUB_PATH, `${dir}\n`);
}

/** Appends Markdown to the job summary (GITHUB_STEP_SUMMARY), when there is one. */
export function addSummary(markdown) {
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, markdown.endsWith('\n') ? markdown : `${markdown}\n`);
}

/** Escapes for a workflow command's message (%, CR, LF) and, with `property`, its properties (also : and ,). */
export function escapeCommand(text, property = false) {
  const s = String(text).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  return property ? s.replace(/:/g, '%3A').replace(/,/g, '%2C') : s;
}

/** An annotation on a line of a file (`::error file=…,line=…::message`), shown in the pull request's diff. */
export function annotation(level, { file, line, column, endLine, endColumn, title }, message) {
  const props = [
    ['file', file],
    ['line', line],
    ['col', column],
    ['endLine', endLine],
    ['endColumn', endColumn],
    ['title', title],
  ]
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${escapeCommand(v, true)}`)
    .join(',');
  return `::${level} ${props}::${escapeCommand(message)}`;
}

/**
 * The tracked files the `policies` input names: git pathspecs with glob magic, one per line;
 * `!pattern` excludes. Sorted, as git lists them.
 */
export function policyFiles(policies, cwd = process.cwd()) {
  const pathspecs = pathspecsOf(policies);
  const r = run('git', ['ls-files', '-z', '--', ...pathspecs], { cwd });
  if (r.status !== 0) throw new Error(`git ls-files failed: ${r.stderr.trim()}`);
  return r.stdout.split('\0').filter(Boolean);
}

/** The `policies` input as git pathspecs. */
export function pathspecsOf(policies) {
  const patterns = String(policies || '**/*.msgr').split(/\r?\n/).map((p) => p.trim()).filter(Boolean);
  const specs = patterns.map((p) => (p.startsWith('!') ? `:(glob,exclude)${p.slice(1)}` : `:(glob)${p}`));
  // A pathspec of exclusions only means "everything but": say what everything is.
  return specs.every((s) => s.startsWith(':(glob,exclude)')) ? [':(glob)**/*.msgr', ...specs] : specs;
}

/** A fenced Markdown block that nothing inside can close. */
export function fenced(text, info = '') {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${text.replace(/\n$/, '')}\n${fence}`;
}

/** Reads a boolean input as GitHub passes it ('true' / 'false'). */
export const isTrue = (value) => String(value ?? '').trim().toLowerCase() === 'true';

/** Ends the step with a failure the log shows as an error. */
export function fail(message) {
  console.log(`::error::${escapeCommand(message)}`);
  process.exit(1);
}
