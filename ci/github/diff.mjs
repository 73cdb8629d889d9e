// Step "diff": what the change does to the firewalls, as a Markdown report for the pull request:
// for every policy that differs from the base, `msgrfw diff --format markdown` of the base's
// version against the checked-out one. The report goes to a file (BODY) for the comment step, to
// the job summary, and to the log.
//
// Environment: POLICIES (as for check), BASE (a commit or ref; empty: nothing to compare),
// BASE_LABEL (how the report names the base, e.g. main; default BASE), BODY (the report's path),
// GITHUB_OUTPUT, GITHUB_STEP_SUMMARY.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { addSummary, fenced, MARKER, pathspecsOf, run, setOutput } from './lib.mjs';

/** GitHub refuses a comment over 65,536 characters: the report stops short of that. */
const MAX_BODY = 60_000;

const base = (process.env.BASE ?? '').trim();
const bodyPath = process.env.BODY || join(process.env.RUNNER_TEMP || tmpdir(), 'msgrfw-diff.md');
if (!base) {
  console.log('no base to compare the policies with (not a pull request, and no base given): no diff');
  setOutput('changed', false);
  setOutput('body', '');
  process.exit(0);
}
const label = (process.env.BASE_LABEL ?? '').trim() || base;

// The base commit must be here; a shallow checkout (actions/checkout's default) may lack it.
if (run('git', ['cat-file', '-e', `${base}^{commit}`]).status !== 0) {
  const fetched = run('git', ['fetch', '--no-tags', '--depth=1', 'origin', base]);
  if (fetched.status !== 0 || run('git', ['cat-file', '-e', `${base}^{commit}`]).status !== 0) {
    console.log(`::error::cannot find the base commit ${base}: ${fetched.stderr.trim()}`);
    process.exit(1);
  }
}

// Every policy that differs between the base and the checkout (renames followed).
const listed = run('git', ['diff', '--name-status', '-z', '-M', base, '--', ...pathspecsOf(process.env.POLICIES)]);
if (listed.status !== 0) {
  console.log(`::error::git diff failed: ${listed.stderr.trim()}`);
  process.exit(1);
}
const fields = listed.stdout.split('\0').filter(Boolean);
const changes = [];
for (let i = 0; i < fields.length; ) {
  const status = fields[i++][0];
  if (status === 'R' || status === 'C') changes.push({ status, old: fields[i++], path: fields[i++] });
  else {
    const path = fields[i++];
    changes.push({ status, old: status === 'A' ? undefined : path, path: status === 'D' ? undefined : path });
  }
}

const sections = [];
let changedTraffic = 0;
let trouble = 0;
for (const c of changes) {
  const oldLabel = c.old === undefined ? `${label}: (no policy)` : `${label}:${c.old}`;
  const newLabel = c.path ?? `${c.old} (deleted)`;
  // The base's version on stdin, from git: it is never written into the checkout.
  const input = c.old === undefined ? '' : run('git', ['show', `${base}:${c.old}`]).stdout;
  const args = ['diff', '--format', 'markdown', '--label', oldLabel, '--label', newLabel, c.old === undefined ? '/dev/null' : '-', c.path ?? '/dev/null'];
  const r = run('msgrfw', args, { input });
  if (r.status === 0 || r.status === 1) {
    sections.push(r.stdout.trim());
    if (r.status === 1) changedTraffic++;
  } else {
    trouble++;
    sections.push(`### msgrfw diff: \`${newLabel.replace(/`/g, "'")}\`\n\n**Could not be compared** (exit ${r.status}):\n\n${fenced(r.stderr.trim() || 'no message')}`);
  }
}

const head =
  changes.length === 0
    ? 'No policy file changed.'
    : `${changes.length} policy file(s) changed: ${changedTraffic} change(s) what the firewalls allow${trouble ? `, ${trouble} could not be compared` : ''}.`;
let body = `${MARKER}\n## msgrfw: what this change does to the firewalls\n\nCompared with ${'`'}${label.replace(/`/g, "'")}${'`'}. ${head}\n`;
// What does not fit keeps its heading and verdict; the whole report is in the summary and the log.
const TOO_LONG = '_The whole report of this file is too long for a comment: the job summary and the log of the diff step have it._';
let left = 0;
for (const s of sections) {
  const short = `${s.split('\n#### ')[0].trim()}\n\n${TOO_LONG}`;
  // Files stay in git's order: once one is left out, so are those after it.
  const fits = left ? undefined : [s, short].find((x) => body.length + x.length + 2 <= MAX_BODY - 200);
  if (fits === undefined) left++;
  else body += `\n${fits}\n`;
}
if (left) body += `\n…and ${left} more file(s): too long for a comment; the job summary and the log of the diff step have the whole report.\n`;

writeFileSync(bodyPath, body);
console.log(sections.join('\n\n'));
addSummary(`${sections.length ? sections.join('\n\n') : '### msgrfw diff\n\nNo policy file changed.'}\n`);
setOutput('changed', changedTraffic > 0);
setOutput('files', changes.length);
setOutput('trouble', trouble > 0);
setOutput('body', bodyPath);
