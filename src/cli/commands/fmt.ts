import { closeSync, openSync, readSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { renderText } from '../../diagnostics/render.js';
import { formatDiff } from '../../fmt/diff.js';
import { formatPolicy } from '../../fmt/format.js';
import { readPolicy } from '../input.js';
import { Exit, EXIT, usage, writeOrFail, type Io } from '../io.js';

export function registerFmt(program: Command, io: Io): void {
  program
    .command('fmt')
    .description('lay a policy out the one canonical way, keeping every comment and every line where it is')
    .argument('<files...>', 'policy files, or - for stdin')
    .addOption(new Option('--check', 'change nothing: name each file that is not formatted and exit 1').conflicts('write'))
    .addOption(new Option('--write', 'rewrite each file in place (whole or not at all)').conflicts('check'))
    .action(async (files: string[], opts: { check?: boolean; write?: boolean }) => {
      if (!opts.check && !opts.write && files.length > 1) usage(io, 'give one file to print, or --check / --write for several');
      if (opts.write && files.includes('-')) usage(io, '--write cannot rewrite stdin: drop --write to print the result');

      const results: { path: string; file: string; before: string; after: string }[] = [];
      let failed = false;
      for (const path of files) {
        const input = readPolicy(path);
        if (input.kind === 'unreadable') usage(io, input.message);
        if (input.kind === 'invalid') {
          io.stderr(renderText([input.diagnostic], { color: io.color }));
          failed = true;
          continue;
        }
        const formatted = formatPolicy(input.text, input.file);
        if (!formatted.ok) {
          io.stderr(renderText(formatted.diagnostics, { color: io.color, source: input.text }));
          io.stderr(`msgrfw: ${input.file} does not parse, so it was not formatted\n`);
          failed = true;
          continue;
        }
        // The reader drops a byte order mark; the canonical layout has none, so a file with one is not formatted.
        const before = path !== '-' && startsWithBom(path) ? `\uFEFF${input.text}` : input.text;
        results.push({ path, file: input.file, before, after: formatted.text });
      }

      if (opts.check) {
        for (const r of results) {
          if (r.before === r.after) continue;
          io.stdout(`${r.file}\n`);
          io.stderr(formatDiff(r.file, r.before, r.after));
          failed = true;
        }
      } else if (opts.write) {
        // Like compile: a run that fails changes no file.
        if (failed) throw new Exit(EXIT.policy);
        // In place: through a symbolic link to the file it points to, keeping its mode and owner.
        const changed = results.filter((r) => r.before !== r.after);
        await writeOrFail(io, changed.map((r) => ({ path: r.path, content: r.after })), { inPlace: true, listAs: 'formatted' });
      } else if (results[0]) {
        io.stdout(results[0].after);
      }
      if (failed) throw new Exit(EXIT.policy);
    });
}

function startsWithBom(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(3);
    return readSync(fd, head, 0, 3, 0) === 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
  } finally {
    closeSync(fd);
  }
}
