import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CODES } from '../../src/diagnostics/codes.js';
import { renderMermaid } from '../../src/graph/mermaid.js';
import { buildGraph } from '../../src/graph/model.js';
import { irOf, ROOT } from '../helpers.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('the README', () => {
  it('opens with the two commands: set up and run the example, and run every test', () => {
    const firstBlock = readme.slice(readme.indexOf('```sh'), readme.indexOf('```', readme.indexOf('```sh') + 5));
    expect(firstBlock).toMatch(/npm ci && npm run build && \.\/bin\/msgrfw\.js compile examples\/contoso\.msgr --out-dir out/);
    expect(firstBlock).toMatch(/^npm test$/m);
  });

  it('documents every diagnostic code, with its severity and summary', () => {
    for (const [code, { severity, summary }] of Object.entries(CODES)) {
      expect(readme).toContain(`| ${code} | ${severity} | ${summary} |`);
    }
    const documented = [...readme.matchAll(/^\| (MSGR\d{3}) \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(CODES).sort());
  });

  it('gives CI its two commands: .ci/run runs exactly the first block, in a fresh clone', () => {
    const commands = execFileSync(join(ROOT, '.ci', 'readme-commands'), [join(ROOT, 'README.md')], { encoding: 'utf8' });
    expect(commands).toBe('npm ci && npm run build && ./bin/msgrfw.js compile examples/contoso.msgr --out-dir out\nnpm test\n');
    const run = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');
    expect(run).toMatch(/^git clone -q "\$repo" "\$work\/msgrfw"$/m);
    expect(run).toMatch(/\.ci\/readme-commands README\.md/);
  });
});

describe('the README picture', () => {
  it('is what msgrfw graph draws for contoso, as it is', () => {
    const ir = irOf(readFileSync(join(ROOT, 'examples', 'contoso.msgr'), 'utf8'), 'contoso.msgr');
    const block = /```mermaid\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBe(renderMermaid(buildGraph(ir)));
  });
});
