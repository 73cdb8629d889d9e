import { Option, type Command } from 'commander';
import { compilePolicy } from '../../compile.js';
import { Work } from '../../addresses/boxes.js';
import { DIFF_WORK_LIMIT, DiffTooComplex, diffPolicies, type PolicyVersion } from '../../diff/diff.js';
import { renderDiffMarkdown } from '../../diff/markdown.js';
import { renderDiff } from '../../diff/render.js';
import { targetNotes } from '../../../targets/judge.js';
import { readPolicy } from '../input.js';
import { Exit, type Io } from '../io.js';
import { formatReport, type DiagnosticFormat } from '../render.js';

const DIFF_FORMATS = ['text', 'json', 'markdown'] as const;
type DiffFormat = (typeof DIFF_FORMATS)[number];

/** diff(1)'s exit statuses: 0 no change in allowed traffic, 1 changes, 2 trouble. */
const DIFF_EXIT = { same: 0, different: 1, trouble: 2 } as const;

export function registerDiff(program: Command, io: Io): void {
  program
    .command('diff')
    .description('what each firewall newly allows and denies between two versions of a policy')
    .argument('<old>', 'the old policy file, or - for stdin')
    .argument('<new>', 'the new policy file, or - for stdin')
    .option('-f, --firewall <name>', 'only this firewall')
    .addOption(new Option('--format <format>', 'the difference as text, json, or markdown (a pull request comment)').choices([...DIFF_FORMATS]).default('text'))
    .option('--label <name>', 'name a version in the report instead of its file: give it once for OLD, twice for OLD and NEW (git show main:site.msgr | msgrfw diff - site.msgr --label main:site.msgr)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--max-steps <n>', `give up after this many steps of box arithmetic (default ${DIFF_WORK_LIMIT})`)
    .action((oldPath: string, newPath: string, opts: { firewall?: string; format: DiffFormat; label: string[]; maxSteps?: string }) => {
      if (oldPath === '-' && newPath === '-') trouble(io, 'only one of OLD and NEW can be - (stdin)');
      if (opts.label.length > 2) trouble(io, `--label names OLD and NEW: give it at most twice, not ${opts.label.length} times`);
      if (opts.maxSteps !== undefined && !/^[1-9][0-9]{0,14}$/.test(opts.maxSteps)) trouble(io, `--max-steps takes a whole number of steps, not '${opts.maxSteps}'`);
      const limit = opts.maxSteps === undefined ? DIFF_WORK_LIMIT : Number(opts.maxSteps);
      // A version with errors is reported as check reports it: in JSON for json, else as text.
      const report = opts.format === 'json' ? 'json' : 'text';
      const oldP = load(oldPath, io, report, opts.label[0]);
      const newP = load(newPath, io, report, opts.label[1]);
      if (opts.firewall !== undefined && ![...oldP.ir.firewalls, ...newP.ir.firewalls].some((f) => f.name === opts.firewall)) {
        trouble(io, `no firewall named '${opts.firewall}' in either version`);
      }
      const diff = diffOrTrouble(io, () => diffPolicies(oldP, newP, opts.firewall, new Work(limit)));
      io.stdout(opts.format === 'json' ? `${JSON.stringify(diff, null, 2)}\n` : opts.format === 'markdown' ? renderDiffMarkdown(diff) : renderDiff(diff));
      throw new Exit(diff.changed ? DIFF_EXIT.different : DIFF_EXIT.same);
    });
}

const NO_POLICY: PolicyVersion = {
  ir: { irVersion: 1, deployment: 'none', source: '/dev/null', firewalls: [], groupPolicy: [], servers: [], clients: [] },
  source: { file: '/dev/null', text: '' },
};

/** The diff, or trouble when it runs past its work limit (nothing is printed on stdout then). */
function diffOrTrouble<T>(io: Io, diff: () => T): T {
  try {
    return diff();
  } catch (e) {
    if (!(e instanceof DiffTooComplex)) throw e;
    return trouble(
      io,
      `comparing firewall ${e.firewall} takes more than ${e.limit.toLocaleString('en')} steps of box arithmetic (the diff's limit): its rules cut each other into too many pieces. ` +
        'Compare a smaller change (an intermediate version), the other firewalls with -f, or allow more steps with --max-steps N (10,000,000 take about a second)',
    );
  }
}

function trouble(io: Io, message: string): never {
  io.stderr(`msgrfw: ${message}\n`);
  throw new Exit(DIFF_EXIT.trouble);
}

/**
 * Reads and compiles one version; anything wrong with it is trouble (exit 2), never a
 * difference. `/dev/null` is no policy at all: git passes it for an added or deleted file.
 */
function load(path: string, io: Io, format: DiagnosticFormat, label?: string): PolicyVersion {
  if (path === '/dev/null') return label === undefined ? NO_POLICY : { ...NO_POLICY, source: { ...NO_POLICY.source, file: label } };
  const read = readPolicy(path);
  // A label names the version everywhere its file name would stand: the report and its diagnostics.
  const input = label === undefined ? read : read.kind === 'invalid' ? { ...read, file: label, diagnostic: { ...read.diagnostic, file: label } } : { ...read, file: label };
  if (input.kind === 'unreadable') trouble(io, input.message);
  const text = input.kind === 'text' ? input.text.replace(/^\uFEFF/, '') : '';
  const { ir, diagnostics } = input.kind === 'text' ? compilePolicy(text, input.file) : { ir: undefined, diagnostics: [input.diagnostic] };
  if (!ir) {
    io.stderr(formatReport([{ file: input.file, diagnostics, ...(input.kind === 'text' ? { source: text } : {}) }], format, { color: io.color }));
    trouble(io, `${input.file} has errors: no difference computed`);
  }
  return { ir, source: { file: input.file, text }, targetNotes: targetNotes(ir) };
}
