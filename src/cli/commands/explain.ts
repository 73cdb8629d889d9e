import { Option, type Command } from 'commander';
import { parsePacket } from '../../evaluate/packet.js';
import { firewallViews } from '../../evaluate/view.js';
import { explainPacket } from '../../explain/explain.js';
import { renderExplanation } from '../../explain/render.js';
import { compiledOrExit, requireFirewall, usage, type Io } from '../io.js';
import type { DiagnosticFormat } from '../render.js';

export function registerExplain(program: Command, io: Io): void {
  program
    .command('explain')
    .description('say what each firewall does with a packet, and which policy line decides it')
    .argument('<file>', 'policy file, or - for stdin')
    .argument('<packet...>', 'the packet, quoted: "tcp 10.20.0.5:51000 -> 198.51.100.7:1503" or "udp [2001:db8:20::5]:50000 -> [2001:db8:1::10]:5061"')
    .option('-f, --firewall <name>', 'only this firewall (explained even when it does not see the packet)')
    .addOption(new Option('--format <format>', 'the explanation as text or json').choices(['text', 'json']).default('text'))
    .action((file: string, packetWords: string[], opts: { firewall?: string; format: DiagnosticFormat }) => {
      const parsed = parsePacket(packetWords.join(' '));
      if (!parsed.ok) usage(io, parsed.problem);
      const { ir, text } = compiledOrExit(file, io, opts.format);
      requireFirewall(ir, opts.firewall, io);
      const source = { file: file === '-' ? '<stdin>' : file, text };
      const explanation = explainPacket({ views: firewallViews(ir), source }, parsed.packet, opts.firewall);
      io.stdout(opts.format === 'json' ? `${JSON.stringify(explanation, null, 2)}\n` : renderExplanation(explanation));
    });
}
