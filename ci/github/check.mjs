// Step "check": `msgrfw check` over the policies, as text in the log, as SARIF for code scanning,
// and as annotations on the pull request's lines. It never fails itself: the action's last step
// does, with `status`, so that the SARIF is uploaded and the diff posted first.
//
// Environment: POLICIES (git pathspec globs, one per line; default **/*.msgr), WARNINGS_AS_ERRORS
// ('true'/'false'), SARIF (where to write the log), GITHUB_OUTPUT, GITHUB_STEP_SUMMARY.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { addSummary, annotation, isTrue, policyFiles, run, setOutput } from './lib.mjs';

const sarifPath = process.env.SARIF || join(process.env.RUNNER_TEMP || tmpdir(), 'msgrfw.sarif');
const strict = isTrue(process.env.WARNINGS_AS_ERRORS) ? ['--warnings-as-errors'] : [];
const files = policyFiles(process.env.POLICIES);
setOutput('files', files.length);
setOutput('sarif', sarifPath);

if (files.length === 0) {
  console.log(`::notice::no policy file matches ${JSON.stringify(process.env.POLICIES || '**/*.msgr')}: nothing to check`);
  setOutput('status', 0);
  process.exit(0);
}

// The report a person reads, in the log.
const text = run('msgrfw', ['check', ...strict, '--', ...files]);
process.stdout.write(text.stdout);
process.stderr.write(text.stderr);

// The same findings as SARIF (and as annotations, which need no code scanning).
const sarif = run('msgrfw', ['check', '--format', 'sarif', ...strict, '--', ...files]);
let log;
try {
  log = JSON.parse(sarif.stdout);
} catch {
  console.log(`::error::msgrfw check --format sarif printed no SARIF (status ${sarif.status}): ${sarif.stderr.trim()}`);
  setOutput('status', 2);
  process.exit(0);
}
writeFileSync(sarifPath, sarif.stdout);

const counts = { error: 0, warning: 0, acknowledged: 0 };
for (const result of log.runs[0].results) {
  if (result.suppressions?.length) {
    counts.acknowledged++;
    continue;
  }
  counts[result.level]++;
  const location = result.locations[0].physicalLocation;
  const region = location.region;
  const [message] = result.message.text.split('\nhint: ');
  const hint = result.properties?.hint;
  console.log(
    annotation(
      result.level,
      { file: decodeURIComponent(location.artifactLocation.uri), line: region.startLine, column: region.startColumn, title: `msgrfw ${result.ruleId}` },
      hint ? `${message}\nhint: ${hint}` : message,
    ),
  );
}
for (const n of log.runs[0].invocations[0].toolExecutionNotifications ?? []) console.log(`::error::${n.message.text}`);

setOutput('status', sarif.status);
addSummary(
  `### msgrfw check\n\n${files.length} policy file(s): ${counts.error} error(s), ${counts.warning} warning(s)` +
    `${counts.acknowledged ? `, ${counts.acknowledged} acknowledged` : ''}${strict.length ? ' (warnings count as errors)' : ''}: ${sarif.status === 0 ? 'passed' : 'failed'}.\n`,
);
