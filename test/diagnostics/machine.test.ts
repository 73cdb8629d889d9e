import { Ajv } from 'ajv';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CODES, type Code } from '../../src/diagnostics/codes.js';
import { fileUri, toSarif } from '../../src/diagnostics/sarif.js';
import { ROOT } from '../helpers.js';

const BIN = join(ROOT, 'bin', 'msgrfw.js');
const CONTOSO = 'examples/contoso.msgr';
const BROKEN = 'deployment d {\n  network a = 10.0.0.1/8\n  netwrk b = 10.0.0.0/8\n}\n';

/** Runs the built command as a user would, from the project root (so paths stay relative). */
function msgrfw(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, encoding: 'utf8', cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('--format json', () => {
  const schema = JSON.parse(readFileSync(join(ROOT, 'src', 'diagnostics', 'diagnostics.schema.json'), 'utf8'));
  const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
  const valid = (doc: unknown) => {
    const ok = validate(doc);
    return ok ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  };

  it('matches src/diagnostics/diagnostics.schema.json, for check (stdout) and compile (stderr), clean, warned, broken, not UTF-8, unreadable and several files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'msgrfw-json-'));
    const latin1 = join(dir, 'latin1.msgr');
    writeFileSync(latin1, Buffer.from('deployment d {\n  description "caf\xe9"\n}\n', 'latin1'));
    const missing = join(dir, 'missing.msgr');
    const runs = [
      msgrfw(['check', '--format', 'json', CONTOSO]),
      msgrfw(['check', '--format', 'json', '-'], BROKEN),
      msgrfw(['check', '--format', 'json', latin1]),
      msgrfw(['check', '--format', 'json', missing]),
      msgrfw(['check', '--format', 'json', CONTOSO, '-', latin1, missing], BROKEN),
    ].map((r) => ({ code: r.code, doc: JSON.parse(r.stdout) }));
    const compiles = [
      msgrfw(['compile', '--format', 'json', CONTOSO, '-t', 'nftables', '-f', 'edge', '-o', '-']),
      msgrfw(['compile', '--format', 'json', '-', '--out-dir', join(dir, 'out')], BROKEN),
      msgrfw(['compile', '--format', 'json', missing, '--out-dir', join(dir, 'out')]),
    ].map((r) => ({ code: r.code, doc: JSON.parse(r.stderr) }));
    for (const { doc } of [...runs, ...compiles]) expect(valid(doc)).toEqual([]);
    const [clean, broken, notUtf8, unreadable, several] = runs.map((r) => r.doc);
    expect(clean).toMatchObject({ ok: true, diagnostics: expect.arrayContaining([expect.objectContaining({ code: 'MSGR073', line: 38, column: 3, severity: 'warning', file: CONTOSO })]) });
    expect(broken).toMatchObject({ ok: false });
    expect(notUtf8).toEqual({ ok: false, diagnostics: [{ code: 'MSGR006', severity: 'error', file: latin1, line: 2, column: 19, message: 'the file is not valid UTF-8', hint: 'save it as UTF-8' }] });
    expect(unreadable).toEqual({ ok: false, diagnostics: [], unreadable: [{ file: missing, message: `cannot read ${missing}: no such file` }] });
    expect(runs.map((r) => r.code)).toEqual([0, 1, 1, 2, 2]);
    // Several files: one document, every file's diagnostics in it, sorted by file.
    expect(several.unreadable).toEqual(unreadable.unreadable);
    expect(several.diagnostics).toEqual([...notUtf8.diagnostics, ...broken.diagnostics, ...clean.diagnostics].sort((a, b) => a.file.localeCompare(b.file)));
    expect(compiles[0]!.doc.diagnostics).toHaveLength(5);
    expect(compiles.map((c) => c.code)).toEqual([0, 1, 2]);
    expect(compiles[2]!.doc).toEqual(unreadable);
  });

  it('is a schema that says something: it rejects what the command must never print', () => {
    const d = { code: 'MSGR014', severity: 'error', file: 'p', line: 2, column: 15, message: 'm' };
    expect(valid({ ok: false, diagnostics: [d] })).toEqual([]);
    expect(valid({ ok: true, diagnostics: [d] })).not.toEqual([]); // an error means not ok
    expect(valid({ ok: false, diagnostics: [{ ...d, line: 0 }] })).not.toEqual([]);
    expect(valid({ ok: false, diagnostics: [{ ...d, severity: 'note' }] })).not.toEqual([]);
    expect(valid({ ok: false, diagnostics: [{ ...d, extra: 1 }] })).not.toEqual([]);
    const w = { ...d, code: 'MSGR073', severity: 'warning' };
    expect(valid({ ok: true, diagnostics: [{ ...w, suppressed: { justification: 'managed from the console' } }] })).toEqual([]);
    expect(valid({ ok: false, diagnostics: [{ ...d, suppressed: { justification: 'x' } }] })).not.toEqual([]); // an error is never acknowledged
    expect(valid({ ok: true, diagnostics: [{ ...w, suppressed: { justification: '' } }] })).not.toEqual([]);
    expect(valid({ ok: true, diagnostics: [{ ...w, suppressed: true }] })).not.toEqual([]);
    const fix = { title: 'write 10.0.0.0/8', edits: [{ line: 2, column: 15, endLine: 2, endColumn: 25, text: '10.0.0.0/8' }] };
    expect(valid({ ok: false, diagnostics: [{ ...d, endLine: 2, endColumn: 25, fix }] })).toEqual([]);
    expect(valid({ ok: false, diagnostics: [{ ...d, endLine: 2 }] })).not.toEqual([]); // an end is a line and a column
    expect(valid({ ok: false, diagnostics: [{ ...d, fix: { title: 'x', edits: [] } }] })).not.toEqual([]);
    expect(valid({ ok: false, diagnostics: [{ ...d, fix: { title: 'x', edits: [{ line: 2, column: 15, text: '' }] } }] })).not.toEqual([]);
    expect(valid({ ok: true, diagnostics: [], unreadable: [{ file: 'p', message: 'm' }] })).not.toEqual([]); // unreadable means not ok
    expect(valid({ ok: false, diagnostics: [], unreadable: [] })).not.toEqual([]);
    expect(valid({ ok: false, diagnostics: [], error: 'x' })).not.toEqual([]);
    expect(valid({ diagnostics: [] })).not.toEqual([]);
  });
});

/**
 * The parts of the SARIF 2.1.0 schema (OASIS, sarif-schema-2.1.0.json) msgrfw writes: required
 * properties, types and enums as the standard defines them. Every object is closed to the
 * properties the standard gives it, so a misspelt or invented property fails too. No network.
 */
const message = { type: 'object', properties: { text: { type: 'string' } }, required: ['text'], additionalProperties: false };
/** Locations (results and notifications alike): a file, and where required a line and column in it. */
const locationsOf = (required: string[]) => ({
  type: 'array',
  items: {
    type: 'object',
    properties: {
      physicalLocation: {
        type: 'object',
        properties: {
          artifactLocation: { type: 'object', properties: { uri: { type: 'string' } }, required: ['uri'], additionalProperties: false },
          region: {
            type: 'object',
            properties: { startLine: { type: 'integer', minimum: 1 }, startColumn: { type: 'integer', minimum: 1 }, endLine: { type: 'integer', minimum: 1 }, endColumn: { type: 'integer', minimum: 1 } },
            required: ['startLine', 'startColumn'],
            additionalProperties: false,
          },
        },
        required,
        additionalProperties: false,
      },
    },
    required: ['physicalLocation'],
    additionalProperties: false,
  },
});
const SARIF_SUBSET = {
  type: 'object',
  properties: {
    $schema: { type: 'string', const: 'https://json.schemastore.org/sarif-2.1.0.json' },
    version: { enum: ['2.1.0'] },
    runs: {
      type: 'array',
      minItems: 1,
      maxItems: 1,
      items: {
        type: 'object',
        properties: {
          tool: {
            type: 'object',
            properties: {
              driver: {
                type: 'object',
                properties: {
                  name: { type: 'string', const: 'msgrfw' },
                  version: { type: 'string' },
                  rules: {
                    type: 'array',
                    uniqueItems: true,
                    items: {
                      type: 'object',
                      properties: {
                        id: { type: 'string' },
                        shortDescription: message,
                        defaultConfiguration: { type: 'object', properties: { level: { enum: ['none', 'note', 'warning', 'error'] } }, additionalProperties: false },
                      },
                      required: ['id'],
                      additionalProperties: false,
                    },
                  },
                },
                required: ['name'],
                additionalProperties: false,
              },
            },
            required: ['driver'],
            additionalProperties: false,
          },
          invocations: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                executionSuccessful: { type: 'boolean' },
                toolExecutionNotifications: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      level: { enum: ['none', 'note', 'warning', 'error'] },
                      message,
                      locations: locationsOf(['artifactLocation']),
                    },
                    required: ['message'],
                    additionalProperties: false,
                  },
                },
              },
              required: ['executionSuccessful'],
              additionalProperties: false,
            },
          },
          columnKind: { enum: ['utf16CodeUnits', 'unicodeCodePoints'] },
          results: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                ruleId: { type: 'string' },
                ruleIndex: { type: 'integer', minimum: -1 },
                level: { enum: ['none', 'note', 'warning', 'error'] },
                message,
                locations: locationsOf(['artifactLocation', 'region']),
                properties: { type: 'object' },
                fixes: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      description: message,
                      artifactChanges: {
                        type: 'array',
                        minItems: 1,
                        items: {
                          type: 'object',
                          properties: {
                            artifactLocation: { type: 'object', properties: { uri: { type: 'string' } }, required: ['uri'], additionalProperties: false },
                            replacements: {
                              type: 'array',
                              minItems: 1,
                              items: {
                                type: 'object',
                                properties: {
                                  deletedRegion: {
                                    type: 'object',
                                    properties: { startLine: { type: 'integer', minimum: 1 }, startColumn: { type: 'integer', minimum: 1 }, endLine: { type: 'integer', minimum: 1 }, endColumn: { type: 'integer', minimum: 1 } },
                                    additionalProperties: false,
                                  },
                                  insertedContent: { type: 'object', properties: { text: { type: 'string' } }, additionalProperties: false },
                                },
                                required: ['deletedRegion'],
                                additionalProperties: false,
                              },
                            },
                          },
                          required: ['artifactLocation', 'replacements'],
                          additionalProperties: false,
                        },
                      },
                    },
                    required: ['artifactChanges'],
                    additionalProperties: false,
                  },
                },
                suppressions: {
                  type: 'array',
                  uniqueItems: true,
                  items: {
                    type: 'object',
                    properties: { kind: { enum: ['inSource', 'external'] }, status: { enum: ['accepted', 'underReview', 'rejected'] }, justification: { type: 'string' } },
                    required: ['kind'],
                    additionalProperties: false,
                  },
                },
              },
              required: ['message', 'ruleId', 'level', 'locations'],
              additionalProperties: false,
            },
          },
        },
        required: ['tool', 'results'],
        additionalProperties: false,
      },
    },
  },
  required: ['version', 'runs', '$schema'],
  additionalProperties: false,
};

interface Sarif {
  runs: {
    tool: { driver: { name: string; version?: string; rules: { id: string; shortDescription: { text: string }; defaultConfiguration: { level: string } }[] } };
    invocations: { executionSuccessful: boolean }[];
    results: { ruleId: string; ruleIndex: number; level: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }[] }[];
  }[];
}

describe('--format sarif', () => {
  const validate = new Ajv({ allErrors: true, strict: true }).compile(SARIF_SUBSET);
  const errors = (doc: unknown) => (validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));

  /** Checks what JSON Schema cannot: rule ids are the codes used, indices point at them, levels agree. */
  function consistent(log: Sarif): void {
    const run = log.runs[0]!;
    const rules = run.tool.driver.rules;
    expect(rules.map((r) => r.id)).toEqual([...new Set(run.results.map((r) => r.ruleId))].sort());
    for (const rule of rules) {
      const known = CODES[rule.id as Code];
      expect(rule.shortDescription.text).toBe(known.summary);
      expect(rule.defaultConfiguration.level).toBe(known.severity);
    }
    for (const result of run.results) {
      expect(rules[result.ruleIndex]?.id).toBe(result.ruleId);
      expect(result.level).toBe(CODES[result.ruleId as Code].severity);
    }
  }

  it('writes one SARIF 2.1.0 run for check (stdout) and compile (stderr), with the codes used as rules', () => {
    const check = JSON.parse(msgrfw(['check', '--format', 'sarif', CONTOSO]).stdout) as Sarif;
    expect(errors(check)).toEqual([]);
    consistent(check);
    const run = check.runs[0]!;
    expect(run.tool.driver.version).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    expect(run.invocations).toEqual([{ executionSuccessful: true }]);
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(['MSGR031', 'MSGR032', 'MSGR035', 'MSGR038', 'MSGR073']);
    expect(run.results.find((r) => r.ruleId === 'MSGR035')).toMatchObject({
      level: 'warning',
      message: { text: expect.stringMatching(/^the SIP dynamic range matters only over TCP.*\nhint: remove it/s) },
      locations: [{ physicalLocation: { artifactLocation: { uri: 'examples/contoso.msgr' }, region: { startLine: 19, startColumn: 5, endLine: 19, endColumn: 8 } } }],
    });

    const compile = msgrfw(['compile', '--format', 'sarif', CONTOSO, '-t', 'nftables', '-f', 'edge', '-o', '-']);
    expect(compile.code).toBe(0);
    expect(compile.stdout).toMatch(/^#!\/usr\/sbin\/nft -f/);
    const compiled = JSON.parse(compile.stderr) as Sarif;
    expect(errors(compiled)).toEqual([]);
    expect(compiled.runs[0]!.results).toEqual(run.results);
  });

  it('reports errors with level error and exit 1; input that is no policy as a result; an unreadable file as a failed invocation', () => {
    const r = msgrfw(['check', '--format', 'sarif', '-'], BROKEN);
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout) as Sarif;
    expect(errors(log)).toEqual([]);
    consistent(log);
    expect(log.runs[0]!.results.map((x) => [x.ruleId, x.level, x.locations[0]!.physicalLocation.region.startLine])).toEqual([
      ['MSGR014', 'error', 2],
      ['MSGR002', 'error', 3],
    ]);
    expect(log.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri).toBe('%3Cstdin%3E');
    // The host bits' fix, as a SARIF replacement of the CIDR block (10.0.0.1/8 at 2:15-25).
    expect((log.runs[0]!.results[0]! as { fixes?: unknown }).fixes).toEqual([
      {
        description: { text: "replace '10.0.0.1/8' with '10.0.0.0/8'" },
        artifactChanges: [{ artifactLocation: { uri: '%3Cstdin%3E' }, replacements: [{ deletedRegion: { startLine: 2, startColumn: 15, endLine: 2, endColumn: 25 }, insertedContent: { text: '10.0.0.0/8' } }] }],
      },
    ]);

    const dir = mkdtempSync(join(tmpdir(), 'msgrfw-sarif-'));
    writeFileSync(join(dir, 'bin.msgr'), Buffer.from([0x64, 0x00, 0x01]));
    const bad = msgrfw(['check', '--format', 'sarif', join(dir, 'bin.msgr')]);
    expect(bad.code).toBe(1);
    const binary = JSON.parse(bad.stdout) as Sarif;
    expect(errors(binary)).toEqual([]);
    consistent(binary);
    expect(binary.runs[0]!.invocations[0]!.executionSuccessful).toBe(true);
    expect(binary.runs[0]!.results).toMatchObject([{ ruleId: 'MSGR006', level: 'error' }]);

    // Several files, one of them missing: ONE run with the results of all, and the missing file
    // as the notification of a failed invocation, with its location.
    const missing = join(dir, 'missing.msgr');
    const several = msgrfw(['check', '--format', 'sarif', CONTOSO, join(dir, 'bin.msgr'), missing, '-'], BROKEN);
    expect(several.code).toBe(2);
    const all = JSON.parse(several.stdout) as Sarif;
    expect(errors(all)).toEqual([]);
    consistent(all);
    expect(all.runs).toHaveLength(1);
    expect(all.runs[0]!.results.map((x) => x.ruleId).sort()).toEqual(['MSGR002', 'MSGR006', 'MSGR014', 'MSGR031', 'MSGR032', 'MSGR035', 'MSGR038', 'MSGR073']);
    expect(all.runs[0]!.invocations).toEqual([
      {
        executionSuccessful: false,
        toolExecutionNotifications: [{ level: 'error', message: { text: `cannot read ${missing}: no such file` }, locations: [{ physicalLocation: { artifactLocation: { uri: `file://${missing}` } } }] }],
      },
    ]);
  });

  it('writes file locations as URI references: relative paths stay relative, absolute ones become file: URIs', () => {
    expect(fileUri('examples/contoso.msgr')).toBe('examples/contoso.msgr');
    expect(fileUri('my policies/a#1.msgr')).toBe('my%20policies/a%231.msgr');
    expect(fileUri('/etc/msgr/site.msgr')).toBe('file:///etc/msgr/site.msgr');
    expect(fileUri('<stdin>')).toBe('%3Cstdin%3E');
    expect(toSarif([]).runs[0]!.results).toEqual([]);
    const acknowledged = toSarif([{ code: 'MSGR073', severity: 'warning', file: 'p.msgr', line: 3, column: 1, message: 'm', suppressed: { justification: 'why' } }]);
    expect(errors(acknowledged)).toEqual([]);
    expect(acknowledged.runs[0]!.results[0]!.suppressions).toEqual([{ kind: 'inSource', justification: 'why' }]);
    expect(errors(toSarif([]))).toEqual([]);
  });
});
