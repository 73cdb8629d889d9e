import type { Command } from 'commander';
import { compiledOrExit, writeOrFail, type Io } from '../io.js';
import { formatReport } from '../render.js';

export function registerIr(program: Command, io: Io): void {
  program
    .command('ir')
    .description('print the intermediate representation (JSON) the targets are built from')
    .argument('<file>', 'policy file, or - for stdin')
    .option('-o, --output <file>', 'write it here instead of stdout')
    .action(async (file: string, opts: { output?: string }) => {
      const compiled = compiledOrExit(file, io, 'text');
      io.stderr(formatReport([compiled], 'text', { color: io.color }));
      const json = `${JSON.stringify(compiled.ir, null, 2)}\n`;
      if (opts.output === undefined || opts.output === '-') io.stdout(json);
      else await writeOrFail(io, [{ path: opts.output, content: json }]);
    });
}
