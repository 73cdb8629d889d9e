import { Option, type Command } from 'commander';
import { parsePacket } from '../../evaluate/packet.js';
import { firewallViews } from '../../evaluate/view.js';
import { explainPacket, isDropped } from '../../explain/explain.js';
import { renderExplanation } from '../../explain/render.js';
import { targetNotes } from '../../../targets/judge.js';
import { compiledOrExit, Exit, EXIT, requireFirewall, usage, type Io } from '../io.js';
import type { DiagnosticFormat } from '../render.js';

/** `--exit-code`, for scripts: 0 the packet passes, 1 a firewall drops it, 2 trouble (policy errors too). */
const PASSES = 0;
const DROPPED = 1;

export function registerExplain(program: Command, io: Io): void {
  program
    .command('explain')
    .description('say what each firewall does with a packet, and which policy line decides it')
    .argument('<file>', 'policy file, or - for stdin')
    .argument('<packet...>', 'the packet, quoted: "tcp 10.20.0.5:51000 -> 198.51.100.7:1503" or "udp [2001:db8:20::5]:50000 -> [2001:db8:1::10]:5061"')
    .option('-f, --firewall <name>', 'only this firewall (explained even when it does not see the packet)')
    .addOption(new Option('--format <format>', 'the explanation as text or json').choices(['text', 'json']).default('text'))
    .option('--exit-code', 'exit 1 when a firewall drops the packet, 0 when it passes; policy errors are then 2')
    .action((file: string, packetWords: string[], opts: { firewall?: string; format: DiagnosticFormat; exitCode?: boolean }) => {
      const parsed = parsePacket(packetWords.join(' '));
      if (!parsed.ok) usage(io, parsed.problem);
      const { ir, source: text, file: name } = compiledOrExit(file, io, opts.format, opts.exitCode ? EXIT.usage : EXIT.policy);
      requireFirewall([ir], opts.firewall, io);
      const source = { file: name, text };
      const explanation = explainPacket({ views: firewallViews(ir), source, targetNotes: targetNotes(ir) }, parsed.packet, opts.firewall);
      io.stdout(opts.format === 'json' ? `${JSON.stringify(explanation, null, 2)}\n` : renderExplanation(explanation));
      if (opts.exitCode) throw new Exit(explanation.evaluations.some(isDropped) ? DROPPED : PASSES);
    });
}
