// The front half's stage functions from a built checkout's dist/ (bench/stages.mjs,
// bench/stage-runs.mjs), so that two builds can be held side by side.
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The checkout to load: CHECKOUT, or the one this script is in. */
export const checkoutRoot = (checkout) => resolve(checkout ?? fileURLToPath(new URL('..', import.meta.url)));

export async function loadFrontStages(root) {
  const load = (path) => import(pathToFileURL(join(root, 'dist', path)).href);
  const { parsePolicy } = await load('src/parse/parse.js');
  const { resolvePolicy } = await load('src/resolve/resolve.js');
  const { deriveFlows } = await load('src/flows/flows.js');
  const { placeFlows } = await load('src/place/place.js');
  const { lintPolicy } = await load('src/lint/lint.js');
  const { optimiseFirewall, optimiseFirewalls } = await load('src/optimise/optimise.js');
  // A build before optimiseFirewalls optimised firewall by firewall.
  const optimiseAll = optimiseFirewalls ?? ((firewalls) => firewalls.map((fw) => optimiseFirewall(fw)));
  const { buildIr } = await load('src/ir/build.js');
  return { load, parsePolicy, resolvePolicy, deriveFlows, placeFlows, lintPolicy, optimiseAll, buildIr };
}
