// The registry of kinds (src/kinds) is the one declaration of a kind's attributes on the
// TypeScript side: the evaluator validates by it and the planner diffs by it. Two other places
// must say the same, and this file holds them to it:
// - the provider's SQL (the kind's file in sql/): the keys normalize_<k> accepts and fills, the
//   defaults it fills, the keys observe reads back, the keys spec_diff does not compare when null;
// - docs/kinds/<type>.md: one row per attribute, marking what the registry marks.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Value } from '../../src/model/types.js';
import { kindByName, kinds, specKeyRules, type KindDefinition } from '../../src/kinds/index.js';
import { grantBlock } from '../../src/kinds/grant.js';
import { missingServer, providerDatabase, serverTargets, uniqueName, type ProviderDatabase } from '../provider/harness.js';

const kindNames = kinds.map((k) => k.kind);

/** The spec keys the registry declares: attributes, then the keys blocks compile to. */
const specKeys = (kind: KindDefinition): string[] => [...specKeyRules(kind.kind).keys()];

/** Keys of a kind that the provider reads back (not create-, delete- or write-only). */
const observedKeys = (kind: KindDefinition): string[] => specKeys(kind).filter((k) => specKeyRules(kind.kind).get(k)!.observed);

/** The rows of the first table under `## <heading>` of a markdown file, as cells. */
function tableRows(markdown: string, heading: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l === heading);
  expect(start, `"${heading}"`).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('#')) break;
    if (!line.startsWith('|')) {
      if (rows.length > 0) break;
      continue;
    }
    rows.push(line.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim())); // `string \| null` is one cell
  }
  return rows.slice(2); // the header and the |---| line
}

/** The key of a row: the attribute in backticks; for `grant` blocks (`grants`…), the spec key. */
function rowKey(cell: string): string {
  const names = [...cell.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!);
  return (/blocks/.test(cell) ? names[1] : names[0]) ?? cell;
}

/** A default as the docs write it: `UTF8`, `-1`, `true`, `[]`, `null`. */
const shown = (v: Value): string => '`' + (typeof v === 'string' ? v : JSON.stringify(v)) + '`';

describe('the registry of kinds and docs/kinds', () => {
  it.each(kindNames)('%s: one row per spec key, marked as the registry marks it', (name) => {
    const kind = kindByName(name)!;
    const rows = tableRows(readFileSync(join(import.meta.dirname, `../../docs/kinds/${kind.type}.md`), 'utf8'), '## Attributes');
    expect(rows.map((r) => rowKey(r[0]!)).sort()).toEqual(specKeys(kind).sort());
    const wrong: string[] = [];
    for (const row of rows) {
      const key = rowKey(row[0]!);
      const text = row.join(' | ');
      const schema = kind.attributes[key];
      if (!schema) continue; // a block: its rows are checked below
      const marks: [string, boolean, boolean][] = [
        ['immutable', schema.immutable === true, /immutable/.test(text)],
        ['required', schema.required === true, row[2] === 'required'],
        ['sensitive', schema.sensitive === true, /sensitive/.test(text)],
        ['not compared when null', schema.nullMeansAny === true, /not compared/.test(text)],
        ['left as it is when not set', schema.unmanagedWhenUnset === true, row[2] === 'not set: left as it is'],
        ...(['create-only', 'delete-only', 'write-only'] as const).map((u): [string, boolean, boolean] => [u, schema.unobserved === u, text.includes(u)]),
      ];
      for (const [mark, declared, documented] of marks) {
        if (declared !== documented) wrong.push(`${key}: the registry says ${declared ? '' : 'not '}${mark}, the docs ${documented ? '' : 'do not '}say so`);
      }
      if (schema.default !== undefined && !row[2]!.startsWith(shown(schema.default))) wrong.push(`${key}: default ${shown(schema.default)}, the docs say ${row[2]}`);
    }
    expect(wrong).toEqual([]);
  });

  it('the Grants table of role.md has the keys of the grant block', () => {
    const rows = tableRows(readFileSync(join(import.meta.dirname, '../../docs/kinds/role.md'), 'utf8'), '## Grants');
    expect(rows.map((r) => rowKey(r[0]!)).sort()).toEqual(Object.keys(grantBlock.attributes).sort());
  });
});

/** The smallest spec the provider accepts: required attributes only (each names a database). */
function minimalSpec(kind: KindDefinition, database: string): Record<string, Value> {
  const spec: Record<string, Value> = {};
  for (const [key, schema] of Object.entries(kind.attributes)) if (schema.required) spec[key] = database;
  return spec;
}

for (const target of serverTargets(inject('databaseUrl'))) {
  describe(`the registry of kinds and the provider's SQL on ${target.label}`, () => {
    if (missingServer(target)) return;
    let db: ProviderDatabase;
    const roles: string[] = [];
    beforeAll(async () => {
      db = await providerDatabase(target.url!, 'xp_kinds_contract');
    });
    afterAll(async () => {
      for (const role of roles) await db?.client.query(`drop role if exists ${role}`);
      await db?.drop();
    });

    const normalize = async (kind: string, spec: unknown): Promise<Record<string, unknown>> =>
      (await db.client.query('select xplane.normalize_spec($1::xplane.resource_kind, $2::jsonb) n', [kind, JSON.stringify(spec)])).rows[0].n;

    it.each(kindNames)('%s: normalize_spec accepts exactly the registry keys', async (name) => {
      const kind = kindByName(name)!;
      // spec_check_keys names every key it allows when it refuses one
      const refused = await normalize(name, { xp_no_such_attribute: true }).then(
        () => '',
        (err: Error) => err.message,
      );
      const allowed = /unknown attribute \(allowed: ([^)]*)\)/.exec(refused)?.[1];
      expect(allowed, refused).toBeDefined();
      expect(allowed!.split(', ').sort()).toEqual(specKeys(kind).sort());
    });

    it.each(kindNames)('%s: normalize_spec fills every key but write-only and unmanaged-when-unset ones, with the registry defaults', async (name) => {
      const kind = kindByName(name)!;
      const normalized = await normalize(name, minimalSpec(kind, db.name));
      const left = Object.entries(kind.attributes).filter(([, s]) => s.unobserved === 'write-only' || s.unmanagedWhenUnset).map(([k]) => k);
      expect(Object.keys(normalized).sort()).toEqual(specKeys(kind).filter((k) => !left.includes(k)).sort());
      // set, an unmanaged-when-unset key is part of the spec (a string, "" is none: null; a list, [] is none: [])
      for (const [key, schema] of Object.entries(kind.attributes)) {
        if (!schema.unmanagedWhenUnset) continue;
        if (schema.type.t === 'list') {
          expect(await normalize(name, { ...minimalSpec(kind, db.name), [key]: [] }), `${name}.${key}`).toHaveProperty(key, []);
          continue;
        }
        expect((await normalize(name, { ...minimalSpec(kind, db.name), [key]: 'set' }))[key], `${name}.${key}`).toBe('set');
        expect(await normalize(name, { ...minimalSpec(kind, db.name), [key]: '' }), `${name}.${key}`).toHaveProperty(key, null);
      }
      for (const [key, schema] of Object.entries(kind.attributes)) {
        if (schema.default !== undefined) expect(normalized[key], `${name}.${key}`).toEqual(schema.default);
      }
    });

    it('a normalised grant has the keys of the grant block (objects and columns: only an object-level grant)', async () => {
      const normalized = await normalize('Role', {
        grants: [
          { database: db.name, schema: 'public', on: 'schema', privileges: ['USAGE'] },
          { database: db.name, schema: 'public', objects: ['t'], columns: ['c'], privileges: ['SELECT'] },
        ],
      });
      const grants = normalized['grants'] as object[];
      // granted_by: only where set (default privileges of one creator), as objects and columns
      const all = Object.keys(grantBlock.attributes).filter((k) => k !== 'granted_by').sort();
      expect(Object.keys(grants.find((g) => 'objects' in g)!).sort()).toEqual(all);
      expect(Object.keys(grants.find((g) => !('objects' in g))!).sort()).toEqual(all.filter((k) => k !== 'objects' && k !== 'columns'));
      const byCreator = await normalize('Role', {
        grants: [{ database: db.name, on: 'tables', privileges: ['SELECT'], future: true, granted_by: 'maker' }],
      });
      expect(Object.keys((byCreator['grants'] as object[])[0]!).sort()).toEqual(
        Object.keys(grantBlock.attributes).filter((k) => k !== 'objects' && k !== 'columns').sort(),
      );
    });

    it.each(kindNames)('%s: spec_diff leaves a desired null uncompared exactly where the registry says nullMeansAny', async (name) => {
      const rules = specKeyRules(name);
      for (const [key, rule] of rules) {
        if (!rule.observed) continue;
        const { rows } = await db.client.query('select xplane.spec_diff($1::xplane.resource_kind, $2::jsonb, $3::jsonb) d', [
          name,
          JSON.stringify({ [key]: null }),
          JSON.stringify({ [key]: 'on the server' }),
        ]);
        expect(rows[0].d, `${name}.${key}`).toEqual(rule.nullMeansAny ? [] : [key]);
      }
    });

    it('observe reads back exactly the keys the registry does not mark unobserved', async () => {
      const role = uniqueName('xp_contract_role');
      const account = uniqueName('xp_contract_account');
      roles.push(role, account);
      await db.client.query(`create role ${role} nologin`);
      await db.client.query(`create role ${account} login`);
      // objects that exist in every database: the control database itself, its public schema, plpgsql
      const objects: Record<string, string> = { Database: db.name, Schema: 'public', Extension: 'plpgsql', Role: role, ServiceAccount: account };
      for (const kind of kinds) {
        const name = objects[kind.kind]!;
        const spec = await normalize(kind.kind, minimalSpec(kind, db.name));
        const { rows } = await db.client.query('select xplane.observe_resource($1::xplane.resource_kind, $2, $3::jsonb) o', [kind.kind, name, JSON.stringify(spec)]);
        expect(rows[0].o, `${kind.kind} ${name} is observed`).not.toBeNull();
        expect(Object.keys(rows[0].o).sort(), kind.kind).toEqual(observedKeys(kind).sort());
      }
    });
  });
}
