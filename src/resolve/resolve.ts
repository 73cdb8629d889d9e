import type { ClientsItem, Deployment, FirewallItem, NetworkItem, ServerItem } from '../parse/ast.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { FailedStatement } from '../parse/parse.js';
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

/**
 * AST → resolved model. Reports every problem it finds; the model is usable only without errors.
 * `failed` are the statements the parser blanked: nothing is reported about their absence.
 */
export function resolvePolicy(ast: Deployment, file: string, failed: readonly FailedStatement[] = []): ResolveResult {
  const diags = new Diagnostics(file, failed);
  const of = <K extends string>(kind: K) => ast.items.filter((i) => i.kind === kind);
  noteFailedDeclarations(ast, failed, diags);

  const descriptions = of('description');
  for (const extra of descriptions.slice(1)) {
    diags.report('MSGR034', extra.at, `'description' given twice (first at line ${descriptions[0]!.at.line})`, 'keep one of them');
  }
  const networks = resolveNetworks(of('network') as NetworkItem[], diags);
  const servers = resolveServers(of('server') as ServerItem[], networks, diags);
  const clients = resolveClients(of('clients') as ClientsItem[], networks, servers, diags);
  checkGroupPolicyOverlaps(clients, diags);
  const firewalls = resolveFirewalls(of('firewall') as FirewallItem[], networks, diags);

  // Least privilege: a listener no clients use opens nothing, and the user should know (unless a
  // clients block's choice failed: it may have been this one).
  const chosen = diags.unknown.chosen;
  for (const server of servers) {
    for (const l of server.listeners) {
      const used = chosen.has('*') || chosen.has(`${server.name}/*`) || chosen.has(`${server.name}/${l.transport}`);
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

/**
 * Top-level statements that failed to parse (outside every block that was read): a `network NAME`
 * or `server NAME` among them declares NAME, so an unknown NAME is no news.
 */
function noteFailedDeclarations(ast: Deployment, failed: readonly FailedStatement[], diags: Diagnostics): void {
  const blocks = ast.items.flatMap((i) => ('end' in i ? [i] : []));
  for (const f of failed) {
    if (blocks.some((b) => f.line >= b.at.line && f.line <= b.end.line)) continue;
    const [keyword, name] = f.words;
    if (name === undefined) continue;
    if (keyword === 'network') diags.unknown.networks.add(name);
    if (keyword === 'server') diags.unknown.servers.add(name);
  }
}
