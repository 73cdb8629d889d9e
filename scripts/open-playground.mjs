// `npm run playground`: opens the built page (web/dist/index.html) in the desktop's browser
// when there is one (xdg-open, open), else prints its file:// address to open by hand.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const page = new URL('../web/dist/index.html', import.meta.url);
if (!existsSync(page)) {
  console.error('web/dist/index.html is missing: run npm run playground (it builds it)');
  process.exit(1);
}
const url = pathToFileURL(page.pathname).href;
const opener = ['xdg-open', 'open'].find((cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0);
const display = process.platform === 'darwin' || process.env.DISPLAY || process.env.WAYLAND_DISPLAY;
if (opener && display) {
  spawn(opener, [url], { detached: true, stdio: 'ignore' }).unref();
  console.log(`opened ${url}`);
} else {
  console.log(`open ${url} in a browser (the folder web/dist/ also works from any static web server)`);
}
