import { Option, type Command } from 'commander';
import { buildGraph } from '../../graph/model.js';
import { renderDot } from '../../graph/dot.js';
import { renderMermaid } from '../../graph/mermaid.js';
import { compiledOrExit, requireFirewall, writeOrFail, type Io } from '../io.js';
import { formatReport } from '../render.js';

export function registerGraph(program: Command, io: Io): void {
  program
    .command('graph')
    .description('draw the networks, servers, clients and firewalls, and every rule as an edge through the firewall that judges it')
    .argument('<file>', 'policy file, or - for stdin')
    .option('-f, --firewall <name>', 'only this firewall and the networks its rules name')
    .addOption(new Option('--format <format>', 'Mermaid (GitHub and GitLab draw it) or Graphviz DOT (dot -Tsvg)').choices(['mermaid', 'dot']).default('mermaid'))
    .option('-o, --output <file>', 'write it here instead of stdout')
    .action(async (file: string, opts: { firewall?: string; format: 'mermaid' | 'dot'; output?: string }) => {
      const compiled = compiledOrExit(file, io, 'text');
      io.stderr(formatReport([compiled], 'text', { color: io.color }));
      requireFirewall([compiled.ir], opts.firewall, io);
      const graph = buildGraph(compiled.ir, opts.firewall);
      const text = opts.format === 'dot' ? renderDot(graph) : renderMermaid(graph);
      if (opts.output === undefined || opts.output === '-') io.stdout(text);
      else await writeOrFail(io, [{ path: opts.output, content: text }]);
    });
}
