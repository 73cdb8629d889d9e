// Step "install msgrfw": puts `msgrfw` on the PATH of the job's later steps.
//
// msgrfw is not published on npm, so by default the action installs the msgrfw it is part of:
// GitHub checks the action's repository out at the ref the workflow names (`uses:
// owner/msgrfw@v1`, or `uses: ./` in msgrfw's own repository) into GITHUB_ACTION_PATH, and that
// checkout is packed and installed exactly as a user installs it (README, "Installing msgrfw on
// the PATH"). MSGRFW_PACKAGE instead names any npm package spec: a version once published, a
// tarball path or URL, a git URL.
//
// Environment: MSGRFW_PACKAGE (optional), GITHUB_ACTION_PATH, RUNNER_TEMP, GITHUB_PATH, GITHUB_OUTPUT.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { addPath, fail, run, runOrFail, setOutput } from './lib.mjs';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const quiet = ['--no-audit', '--no-fund', '--loglevel=error'];
const work = mkdtempSync(join(process.env.RUNNER_TEMP || tmpdir(), 'msgrfw-install-'));
const prefix = join(work, 'prefix');

let spec = (process.env.MSGRFW_PACKAGE ?? '').trim();
if (!spec) {
  const source = resolve(process.env.GITHUB_ACTION_PATH || join(import.meta.dirname, '..', '..'));
  if (!existsSync(join(source, 'package.json'))) fail(`no msgrfw source at ${source} (and no msgrfw-package given)`);
  console.log(`Installing msgrfw from its source at ${source}`);
  // Dependencies as locked; a checkout that already has them (msgrfw's own CI) keeps them.
  if (!existsSync(join(source, 'node_modules'))) runOrFail(npm, ['ci', ...quiet], { cwd: source });
  // `npm pack` builds (prepack) and makes the tarball a user would install. Its stdout is the
  // tarball's name alone (the repository's .npmrc pipes the build's output), as pre-commit,
  // which installs the hooks the same way, requires.
  const packed = run(npm, ['pack', '--pack-destination', work], { cwd: source });
  const name = packed.stdout.trim();
  if (packed.status !== 0 || !/^[\w.@-]+\.tgz$/.test(name)) {
    process.stderr.write(packed.stdout + packed.stderr);
    fail(`npm pack failed, or printed more than the tarball's name (status ${packed.status})`);
  }
  spec = join(work, name);
} else {
  console.log(`Installing msgrfw from ${spec}`);
}
runOrFail(npm, ['install', '--global', '--prefix', prefix, ...quiet, spec]);

const bin = process.platform === 'win32' ? prefix : join(prefix, 'bin');
const version = run(join(bin, 'msgrfw'), ['--version']);
if (version.status !== 0) fail(`the installed msgrfw does not run: ${version.stderr.trim()}`);
console.log(version.stdout.trim());
addPath(bin);
setOutput('bin', bin);
setOutput('version', version.stdout.trim().replace(/^msgrfw /, ''));
