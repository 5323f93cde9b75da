// Every bad value is caught before the first change, with a location (issue 11): random values
// for every attribute of every kind of the registry (so a new attribute is covered without
// editing this file) go through `xp validate`, `xp plan` against the real server, and, when
// planned, `xp apply` and `xp destroy`. Each run ends in diagnostics that all carry
// file:line:col, in a plan refused at a located resource (a name neither declared nor on the
// server), or in an apply and a destroy that succeed; never an internal error, never a spec the
// provider refuses after validate accepted it, and never an apply that fails after it began.
// In-process (src/cli/main.ts) to keep it within seconds. On both servers (onEachServer).
import fc from 'fast-check';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { xpInProcess } from './in-process.js';
import type { TypeSpec } from '../../src/model/type-spec.js';
import { kinds, type AttributeSchema, type BlockSchema, type KindDefinition } from '../../src/kinds/index.js';
import { tempDir, unique, urlFor, withClient, onEachServer, serverUrl } from './xp.js';

const xp = (args: string[], cwd: string) => xpInProcess(args, { cwd });

// ── values ─────────────────────────────────────────────────────────────────────────────
/** Strings at the edges of the domains, beside random ones. */
const edgeStrings = [
  '',
  'a\u0000b',
  'half a pair \ud800',
  '\udc00',
  'é'.repeat(31),
  'é'.repeat(32),
  '☃'.repeat(21),
  'x'.repeat(63),
  'x'.repeat(64),
  'postgres',
  'garbage',
  '2030-13-45',
  '+99',
  'now',
  'infinity',
  '-infinity',
  '2030-01-01T00:00:00Z',
  '2028-02-29 10:00:00+02:00',
  '2027-02-29',
  '2030-01-01T24:00:00',
  'SELECT',
  'ALL',
  'tables',
  'database',
  'json',
  '${not an interpolation}',
  'quote " and backslash \\',
  'line\nbreak',
];
// Half of the configurations draw only plausible values (so that a fair share is valid and
// planned); the other half any value, plausible ones weighing more.
const plausibleString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.stringMatching(/^[a-z_][a-z0-9_ é☃-]{0,20}$/), weight: 6 },
  { arbitrary: fc.constantFrom('postgres', 'infinity', '2030-01-01T00:00:00Z', '2028-02-29 10:00:00+02:00', 'UTF8', 'C', 'SELECT', 'ALL'), weight: 2 },
);
const plausibleNumber: fc.Arbitrary<number> = fc.integer({ min: -1, max: 100 });
const anyString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.stringMatching(/^[a-z_][a-z0-9_ é☃-]{0,20}$/), weight: 6 },
  { arbitrary: fc.constantFrom(...edgeStrings), weight: 3 },
  { arbitrary: fc.string({ maxLength: 12 }), weight: 1 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 1 },
  { arbitrary: fc.stringMatching(/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?(Z|[+-]\d{2}(:\d{2})?)?$/), weight: 1 },
);
const anyNumber: fc.Arbitrary<number> = fc.oneof(
  { arbitrary: fc.integer({ min: -1, max: 100 }), weight: 6 },
  { arbitrary: fc.constantFrom(-5, -2, 1.5, 1e20, 2147483647, 2147483648, -2147483648, 2 ** 53 + 2), weight: 2 },
  { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }), weight: 1 },
);

function valueOf(t: TypeSpec, schema: AttributeSchema, hostile: boolean): fc.Arbitrary<unknown> {
  switch (t.t) {
    case 'string': {
      // a name that exists weighs more among plausible ones: a random name is refused at plan.
      // A template: template1 (nobody connects to it), not postgres: a database other sessions
      // use cannot be copied, which the server says only at apply (not a fact a plan can know).
      const template = schema.references?.includes('database') === true && schema.unobserved === 'create-only';
      const existing = template ? 'template1' : 'postgres';
      const drawn = hostile ? anyString : schema.references ? fc.oneof({ arbitrary: fc.constant(existing), weight: 8 }, { arbitrary: plausibleString, weight: 1 }) : plausibleString;
      const str = template ? drawn.filter((v) => v !== 'postgres') : drawn;
      return schema.enum ? fc.oneof(fc.constantFrom(...schema.enum), str) : str;
    }
    case 'number':
      return hostile ? anyNumber : plausibleNumber;
    case 'bool':
      return fc.boolean();
    case 'list':
    case 'set':
      return fc.array(valueOf(t.elem, schema, hostile), { maxLength: 3 });
    case 'map':
      // setting names the server knows or custom ones, and names of the wrong shape; not a
      // random simple name: whether the server knows it is the provider's to say (at plan)
      return fc.dictionary(
        fc.oneof(
          fc.constantFrom('work_mem', 'search_path', 'DateStyle', 'myapp.tenant'),
          fc.stringMatching(/^[a-z_][a-z0-9_$]{0,4}(\.[a-z_][a-z0-9_$]{0,4}){1,2}$/),
          ...(hostile ? [fc.constantFrom('a\u0000.b', 'x.\ud800', 'work mem', 'myapp..x', '', '1a.b', 'é.x')] : []),
        ),
        valueOf(t.elem, schema, hostile),
        { maxKeys: 2 },
      );
    default:
      return fc.constant(null);
  }
}

/** The attributes of a schema: the required ones, and each other one absent or a random value of its type. */
function attributes(attrs: Record<string, AttributeSchema>, hostile: boolean): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(Object.fromEntries(Object.entries(attrs).map(([k, s]) => [k, valueOf(s.type, s, hostile)])), {
    requiredKeys: Object.keys(attrs).filter((k) => attrs[k]!.required),
  });
}

interface ResourceModel {
  type: string;
  name: string;
  attrs: Record<string, unknown>;
  blocks: Array<[string, Record<string, unknown>]>;
}

function resource(kind: KindDefinition, prefix: string, hostile: boolean): fc.Arbitrary<ResourceModel> {
  const blockArbs = Object.entries(kind.blocks).map(([type, b]: [string, BlockSchema]) =>
    fc.array(attributes(b.attributes, hostile), { maxLength: b.multiple ? 2 : 1 }).map((list) => list.map((a) => [type, a] as [string, Record<string, unknown>])),
  );
  return fc.record({
    // the prefix keeps names apart from other tests; the suffix reaches the byte limit (or passes it)
    name: fc
      .oneof(
        { arbitrary: fc.stringMatching(/^[a-z0-9_]{0,8}$/), weight: 6 },
        { arbitrary: fc.string({ unit: 'binary', maxLength: 50 }), weight: hostile ? 2 : 0 },
        { arbitrary: fc.constantFrom('é'.repeat(25), 'é'.repeat(26), '\u0000'), weight: hostile ? 1 : 0 },
      )
      .map((s) => `${prefix}${s}`),
    attrs: attributes(kind.attributes, hostile),
    blocks: fc.tuple(...blockArbs).map((lists) => lists.flat()),
  }).map((r) => ({ type: kind.type, ...r }));
}

// ── rendering ──────────────────────────────────────────────────────────────────────────
/** A string literal of the language: JSON's escapes, and `$${` for a literal `${`. */
const lit = (s: string) => JSON.stringify(s).replace(/\$\{/g, '$${');

function render(v: unknown): string {
  if (typeof v === 'string') return lit(v);
  if (typeof v === 'number') return Object.is(v, -0) ? '0' : String(v);
  if (typeof v === 'boolean' || v === null) return String(v);
  if (Array.isArray(v)) return `[${v.map(render).join(', ')}]`;
  return `{ ${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${lit(k)} = ${render(x)}`).join(', ')} }`;
}

function renderAll(rs: ResourceModel[]): string {
  return rs
    .map((r, i) => {
      const lines = [`${r.type} "r${i}" {`, `  name = ${lit(r.name)}`];
      for (const [k, v] of Object.entries(r.attrs)) lines.push(`  ${k} = ${render(v)}`);
      for (const [type, attrs] of r.blocks) {
        lines.push(`  ${type} {`);
        for (const [k, v] of Object.entries(attrs)) lines.push(`    ${k} = ${render(v)}`);
        lines.push('  }');
      }
      lines.push('}', '');
      return lines.join('\n');
    })
    .join('\n');
}

// ── the property ───────────────────────────────────────────────────────────────────────
onEachServer('random attribute values: validated with a location, refused at plan, or applied', { timeout: 300_000 }, () => {
  let url: string;
  let adminUrl: string;
  let controlDb: string;

  beforeAll(async () => {
    adminUrl = serverUrl();
    controlDb = unique('xp_values_ctl');
    await withClient(adminUrl, (c) => c.query(`create database ${pg.escapeIdentifier(controlDb)}`));
    url = urlFor(adminUrl, { database: controlDb });
  });

  afterAll(async () => {
    if (controlDb) await withClient(adminUrl, (c) => c.query(`drop database if exists ${pg.escapeIdentifier(controlDb)} with (force)`));
  });

  it('end in located diagnostics, a located plan refusal, or an apply and destroy that succeed', async () => {
    const prefix = unique('vp');
    const dir = join(tempDir(), 'values');
    mkdirSync(dir);
    // one or two kinds per configuration: each kind's values decide alone whether it is valid
    const config = fc
      .tuple(fc.subarray(kinds as KindDefinition[], { minLength: 1, maxLength: 2 }), fc.boolean())
      .chain(([ks, hostile]) => fc.tuple(...ks.map((k) => resource(k, `${prefix}${k.type[0]}_`, hostile))));
    const outcomes = { valid: 0, invalid: 0, refused: 0, applied: 0 };
    await fc.assert(
      fc.asyncProperty(config, async (rs) => {
        const text = renderAll(rs);
        writeFileSync(join(dir, 'main.xp'), text);
        const v = await xp(['validate', '--json', '.'], dir);
        expect(v.stderr, text).not.toMatch(/internal error/);
        const result = JSON.parse(v.stdout) as { valid: boolean; diagnostics: Array<{ severity: string; message: string; range?: unknown }> };
        if (!result.valid) {
          outcomes.invalid++;
          const unlocated = result.diagnostics.filter((d) => d.severity === 'error' && d.range === undefined);
          expect(unlocated, text).toEqual([]);
          return;
        }
        outcomes.valid++;
        const p = await xp(['plan', '--json', '.', '--database-url', url], dir);
        expect(p.stderr.replace(/^xp: installed the xplane provider .*\n/, ''), text).toBe('');
        const plan = JSON.parse(p.stdout) as { errors: Array<{ code: string; message: string }> };
        if (plan.errors.length > 0) {
          // refused at plan time, before any change, located at the resource: only a name that
          // is neither declared nor on the server, or a feature this server's version lacks
          // (membership options before 16), never a spec the provider refuses
          outcomes.refused++;
          expect(p.code, text).toBe(1);
          for (const e of plan.errors) {
            expect(['unknown_name', 'feature_not_supported'], `${text}\n${e.message}`).toContain(e.code);
            expect(e.message, text).toMatch(/^main\.xp:\d+:\d+: /);
          }
          return;
        }
        expect(p.code, `${text}\n${p.stdout}`).toBe(0);
        // planned: the apply changes the server as planned, and the destroy undoes it
        outcomes.applied++;
        const a = await xp(['apply', '.', '--auto-approve', '--database-url', url], dir);
        expect(a.code, `${text}\n${a.stdout}\n${a.stderr}`).toBe(0);
        const d = await xp(['destroy', '.', '--auto-approve', '--database-url', url], dir);
        expect(d.code, `${text}\n${d.stdout}\n${d.stderr}`).toBe(0);
      }),
      { numRuns: Number(process.env.XP_VALUES_RUNS ?? 40), endOnFailure: true },
    );
    // both branches ran (the generator is not all-invalid or all-valid)
    expect(outcomes.valid, JSON.stringify(outcomes)).toBeGreaterThan(0);
    expect(outcomes.invalid, JSON.stringify(outcomes)).toBeGreaterThan(0);
    console.log(`values property: ${JSON.stringify(outcomes)}`);
  }, 300_000);
});
