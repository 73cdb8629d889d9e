import { isAbsolute, join } from 'node:path';

/**
 * How the extension starts the language server: the msgrfw package bundled inside the
 * extension, run as a Node module by VS Code's own runtime (no Node install needed), or the
 * msgrfw command the user configured (`msgrfw.server.path`), for a version pinned elsewhere.
 * The client adds `--stdio` to the arguments, as it does for every stdio server.
 */
export type ServerLaunch = { kind: 'module'; module: string; args: string[] } | { kind: 'command'; command: string; args: string[] };

/** Where the build puts the msgrfw package inside the extension (scripts/package-vscode-extension.mjs). */
export const BUNDLED_SERVER = ['server', 'msgrfw', 'bin', 'msgrfw.js'] as const;

export function serverLaunch(extensionPath: string, configuredPath: string | undefined, workspaceFolder?: string): ServerLaunch {
  const args = ['lsp'];
  const path = configuredPath?.trim();
  if (!path) return { kind: 'module', module: join(extensionPath, ...BUNDLED_SERVER), args };
  // A relative path with a separator (node_modules/.bin/msgrfw) is the workspace's; a bare name is looked up on PATH.
  const command = !isAbsolute(path) && /[\\/]/.test(path) && workspaceFolder ? join(workspaceFolder, path) : path;
  return { kind: 'command', command, args };
}
