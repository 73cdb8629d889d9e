import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs build script, shared with `npm run schema`
import { irSchemaFromTypes } from '../../scripts/ir-schema.mjs';
import { irSchemaErrors } from '../../src/ir/validate.js';
import { EXAMPLES, irOf, ROOT } from '../helpers.js';

describe('the IR schema', () => {
  it('is exactly what the TypeScript types say (run `npm run schema` after changing them)', () => {
    const committed = JSON.parse(readFileSync(join(ROOT, 'src/ir/schema.json'), 'utf8'));
    expect(committed).toEqual(irSchemaFromTypes());
  }, 60_000);

  it.each(EXAMPLES.map((e) => [e.name, e.text]))('accepts the IR of %s', (_n, text) => {
    expect(irSchemaErrors(irOf(text))).toEqual([]);
  });

  it('rejects what no target may receive: unsafe comments, bad names, ports out of range', () => {
    const ir = irOf(EXAMPLES.find((e) => e.name === 'contoso.msgr')!.text);
    const rule = ir.firewalls[0]!.rules[0]!;
    const broken = structuredClone(ir);
    broken.firewalls[0]!.rules[0] = { ...rule, comment: 'x" accept; drop' };
    broken.firewalls[0]!.addressSets[0]!.name = 'Bad-Name';
    broken.firewalls[0]!.portSets[0]!.ranges[0]!.to = 70000;
    expect(irSchemaErrors(broken)).toHaveLength(3);
  });
});
