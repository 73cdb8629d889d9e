// Regenerates src/ir/schema.json from src/ir/types.ts. A test fails when the two drift.
import { writeFileSync } from 'node:fs';
import { irSchemaFromTypes } from './ir-schema.mjs';

writeFileSync(new URL('../src/ir/schema.json', import.meta.url), `${JSON.stringify(irSchemaFromTypes(), null, 2)}\n`);
