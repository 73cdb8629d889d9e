import { createGenerator } from 'ts-json-schema-generator';
import { fileURLToPath } from 'node:url';

/** The JSON Schema of IrDocument, derived from the TypeScript types. */
export function irSchemaFromTypes() {
  const schema = createGenerator({
    path: fileURLToPath(new URL('../src/ir/types.ts', import.meta.url)),
    tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)),
    type: 'IrDocument',
    additionalProperties: false,
    skipTypeCheck: true,
  }).createSchema('IrDocument');
  return schema;
}
