import type { ClientsItem, Deployment, FirewallItem, NetworkItem, ServerItem } from '../parse/ast.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { Diagnostics } from './context.js';
import { resolveNetworks } from './networks.js';
import { resolveServers } from './servers.js';
import { resolveClients } from './clients.js';
import { resolveFirewalls } from './firewalls.js';
import { checkGroupPolicyOverlaps } from './groupPolicy.js';
import type { Model } from './model.js';

export interface ResolveResult {
  model: Model;
  diagnostics: Diagnostic[];
}

/** AST → resolved model. Reports every problem it finds; the model is usable only without errors. */
export function resolvePolicy(ast: Deployment, file: string, syntaxErrorLines: ReadonlySet<number> = new Set()): ResolveResult {
  const diags = new Diagnostics(file, syntaxErrorLines);
  const of = <K extends string>(kind: K) => ast.items.filter((i) => i.kind === kind);

  const descriptions = of('description');
  for (const extra of descriptions.slice(1)) {
    diags.report('MSGR034', extra.at, `'description' given twice (first at line ${descriptions[0]!.at.line})`, 'keep one of them');
  }
  const networks = resolveNetworks(of('network') as NetworkItem[], diags);
  const servers = resolveServers(of('server') as ServerItem[], networks, diags);
  const clients = resolveClients(of('clients') as ClientsItem[], networks, servers, diags);
  checkGroupPolicyOverlaps(clients, diags);
  const firewalls = resolveFirewalls(of('firewall') as FirewallItem[], networks, diags);

  // Least privilege: a listener no clients use opens nothing, and the user should know.
  for (const server of servers) {
    for (const l of server.listeners) {
      const used = clients.some((c) => c.server.name === server.name && c.server.transport === l.transport);
      if (!used) {
        diags.report('MSGR031', l.origin, `server ${server.name} offers sip ${l.transport} on ${l.port}/tcp but no clients use it: no rule opens it`, `remove it, or have clients connect \`via ${l.transport}\``);
      }
    }
  }

  const description = descriptions[0];
  const model: Model = { file, deployment: ast.name.text, networks, servers, clients, firewalls };
  if (description && description.kind === 'description') model.description = description.text;
  return { model, diagnostics: diags.list };
}
