// Chromium for the playground's tests: Debian's package (apt-get install chromium), driven by
// playwright-core, which downloads no browser of its own. Each test file starts one browser
// with a fresh profile and the flags a closed network needs; without chromium the tests are
// skipped saying what to install, and under CI=true that is a failure.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from '../helpers.js';
import { missingTools } from '../requiredTools.js';

export const PLAYGROUND = join(ROOT, 'web', 'dist', 'index.html');
export const PLAYGROUND_URL = pathToFileURL(PLAYGROUND).href;

/** Why the browser tests cannot run here, or undefined. */
export function chromiumProblem(): string | undefined {
  const why = missingTools(['chromium']);
  if (why && process.env.CI === 'true') throw new Error(`the playground's browser tests cannot run, and CI must run every test: ${why}`);
  if (why) console.warn(`skipping the playground's browser tests: ${why}`);
  return why;
}

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export interface Browser {
  context: BrowserContext;
  /** A new page with the playground loaded from file:// and its first result shown. */
  playground(url?: string, beforeLoad?: (page: Page) => Promise<void>): Promise<Page>;
  close(): Promise<void>;
}

export async function startBrowser(): Promise<Browser> {
  buildPlaygroundIfStale();
  const profile = mkdtempSync(join(tmpdir(), 'msgrfw-chromium-'));
  const executablePath = spawnSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).stdout.trim();
  const context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: FLAGS, viewport: { width: 1400, height: 900 } });
  return {
    context,
    async playground(url = PLAYGROUND_URL, beforeLoad) {
      const page = await context.newPage();
      await beforeLoad?.(page);
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(url);
      await page.waitForFunction(() => window.msgrfwPlayground?.timings.firstResult !== undefined, null, { timeout: 30_000 });
      if (errors.length) throw new Error(`the page failed: ${errors.join('; ')}`);
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** What the playground is built from. */
const INPUTS = ['web/src', 'web/index.html', 'web/style.css', 'src', 'targets', 'examples', 'scripts/build-web.mjs', 'package-lock.json'];

function newest(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(path).map((f) => newest(join(path, f))));
}

/** `npm test` builds the compiler; the page is rebuilt here whenever it is older than its inputs. */
export function buildPlaygroundIfStale(): void {
  let built = 0;
  try {
    built = statSync(join(ROOT, 'web', 'dist', 'build.json')).mtimeMs;
  } catch {
    built = 0;
  }
  if (built > Math.max(...INPUTS.map((p) => newest(join(ROOT, p))))) return;
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-web.mjs')], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building the playground failed: ${r.stderr}${r.stdout}`);
}
