// The value domains (src/kinds/domains.ts) and the in-database provider's normalisation
// (sql/035_spec.sql: identifier_problem, timestamp_problem, spec_int) accept and refuse the
// same values: one table of cases, run through both sides. The provider is also used directly
// from psql, so it must refuse on its own what xp validate refuses.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { domainOf, identifierProblem, valueProblem } from '../../src/kinds/domains.js';
import { kindByName } from '../../src/kinds/index.js';
import type { KindName } from '../../src/model/types.js';
import { missingServer, providerDatabase, serverTargets, type ProviderDatabase } from '../provider/harness.js';

type Case = [attribute: string, value: unknown, ok: boolean];

const identifierCases = (attribute: string): Case[] => [
  [attribute, 'app', true],
  [attribute, 'weird "name" with spaces', true],
  [attribute, 'a'.repeat(63), true],
  [attribute, 'a'.repeat(64), false],
  [attribute, 'é'.repeat(31), true], // 62 bytes
  [attribute, 'é'.repeat(32), false], // 64 bytes, 32 characters
  [attribute, '☃'.repeat(21), true], // 63 bytes
  [attribute, '☃'.repeat(22), false],
  [attribute, '', false],
  [attribute, 'a\u0000b', false],
  [attribute, 'a\ud800b', false],
];

const integerCases = (attribute: string): Case[] => [
  [attribute, -1, true],
  [attribute, 0, true],
  [attribute, 2147483647, true],
  [attribute, 2147483648, false],
  [attribute, -2, false],
  [attribute, -5, false],
  [attribute, -2147483648, false],
  [attribute, 1.5, false],
  [attribute, 1e20, false],
];

const cases: Case[] = [
  ...identifierCases('Database.owner'),
  ...identifierCases('Database.template'),
  ...identifierCases('Schema.database'),
  ...identifierCases('Extension.schema'),
  ...identifierCases('Role.member_of[]'),
  ...identifierCases('ServiceAccount.schemas[]'),
  ...integerCases('Database.connection_limit'),
  ...integerCases('Role.connection_limit'),
  ...integerCases('ServiceAccount.connection_limit'),
  ...(
    [
      ['UTF8', true],
      ['utf-8', true],
      ['Unicode', true],
      ['Latin-1', true],
      ['SQL_ASCII', true],
      ['sqlascii', true],
      ['iso_8859_5', true],
      ['KOI8U', true],
      ['SJIS', false],
      ['BIG5', false],
      ['win', false],
      ['garbage', false],
      ['', false],
    ] as const
  ).map(([v, ok]): Case => ['Database.encoding', v, ok]),
  ...(
    [
      ['work_mem', true],
      ['DateStyle', true],
      ['myapp.tenant', true],
      ['my_app.x$1.y', true],
      ['work mem', false],
      ['myapp..x', false],
      ['1abc.x', false],
      ['myapp.', false],
      ['a-b.c', false],
      ['', false],
    ] as const
  ).map(([k, ok]): Case => ['Role.settings{}', k, ok]),
  ['Database.comment', 'any text, even "quoted" \' or ☃', true],
  ['Database.comment', 'a\u0000b', false],
  ['Database.comment', 'a\udc00', false],
  ['Database.comment', '😀 a pair is fine', true],
  ['Extension.version', '1.2', true],
  ['Extension.version', '', false],
  ['Database.lc_collate', 'C', true],
  ['Database.lc_collate', '', false],
  ['Database.lc_ctype', '', false],
  ['Database.lc_ctype', 'a\u0000', false],
  ['Extension.version', 'a\u0000b', false],
  ...(
    [
      ['infinity', true],
      ['-infinity', true],
      ['2027-01-01T00:00:00Z', true],
      ['2027-01-01', true],
      ['2027-01-01 12:00:00+02:00', true],
      ['2028-02-29T10:00', true],
      ['2027-01-01T00:00:00.123456Z', true],
      ['2027-01-01T00:00:00+0530', true],
      ['2027-01-01T00:00:00+15:59', true],
      ['2027-01-01T00:00:00-15', true],
      ['9999-12-31T23:59:59Z', true],
      ['1000-01-01', true],
      ['garbage', false],
      ['2030-13-45', false],
      ['+99', false],
      ['now', false],
      ['epoch', false],
      ['today', false],
      ['2030-02-29', false],
      ['2030-04-31', false],
      ['2030-01-00', false],
      ['2030-01-01T24:00:00', false],
      ['2030-01-01T10:60', false],
      ['2030-01-01T10:00:60', false],
      ['2030-01-01T00:00:00+16:00', false],
      ['2030-01-01T00:00:00+01:60', false],
      ['0999-01-01', false],
      ['2030-1-1', false],
      ['Infinity', false],
      ['2030-01-01T00:00:00.1234567Z', false],
      ['2030-01-01t00:00:00z', false],
      [' 2030-01-01', false],
      ['2030-01-01T00:00:00 UTC', false],
      ['a\u0000b', false],
    ] as const
  ).map(([v, ok]): Case => ['ServiceAccount.valid_until', v, ok]),
];

/** `Kind.attr`, `Kind.attr[]` (a list: the value is its one element) or `Kind.attr{}` (a map: the value is its one key). */
function parse(attribute: string): { kind: KindName; attr: string; wrap: (v: unknown) => unknown } {
  const [kind, attr] = attribute.split('.') as [KindName, string];
  const wrap = attr.endsWith('[]') ? (v: unknown) => [v] : attr.endsWith('{}') ? (v: unknown) => ({ [v as string]: 'on' }) : (v: unknown) => v;
  return { kind, attr: attr.replace(/\[\]|\{\}/, ''), wrap };
}

/** The smallest valid spec of each kind (the required attributes). */
const base: Record<string, Record<string, unknown>> = {
  Database: {},
  Role: {},
  Schema: { database: 'postgres' },
  Extension: { database: 'postgres' },
  ServiceAccount: { database: 'postgres' },
};

describe('value domains (TypeScript side)', () => {
  it.each(cases.map((c) => [c[0], JSON.stringify(c[1]), c[2], c[1]] as const))('%s = %s: accepted %s', (attribute, _shown, ok, value) => {
    const { kind, attr, wrap } = parse(attribute);
    const schema = kindByName(kind)!.attributes[attr]!;
    expect(schema, attribute).toBeDefined();
    const problem = valueProblem(domainOf(schema), wrap(value), false, '', schema.keyDomain);
    expect(problem === undefined, JSON.stringify(problem)).toBe(ok);
  });

  it('names follow the identifier rule', () => {
    expect(identifierProblem('é'.repeat(33))).toBe("is 66 bytes long, more than PostgreSQL's limit of 63 bytes (NAMEDATALEN)");
    expect(identifierProblem('x'.repeat(63))).toBeUndefined();
  });

  it('non-finite numbers are refused (JSON cannot carry them to the provider)', () => {
    const schema = kindByName('Role')!.attributes['connection_limit']!;
    expect(valueProblem(domainOf(schema), Number.POSITIVE_INFINITY)?.problem).toBe('must be a finite integer, got Infinity');
    expect(valueProblem(domainOf(schema), Number.NaN)?.problem).toBe('must be a finite integer, got NaN');
  });
});

for (const target of serverTargets(inject('databaseUrl'))) {
  describe(`value domains (the provider's normalize_spec on ${target.label})`, () => {
    if (missingServer(target)) return;
    let db: ProviderDatabase;
    beforeAll(async () => {
      db = await providerDatabase(target.url!, 'xp_domains');
    });
    afterAll(async () => {
      await db?.drop();
    });

    it('accepts and refuses what the TypeScript side does, naming the field', async () => {
      const disagreements: string[] = [];
      for (const [attribute, value, ok] of cases) {
        const { kind, attr, wrap } = parse(attribute);
        const spec = JSON.stringify({ ...base[kind], [attr]: wrap(value) });
        let error: { code?: string; message: string } | undefined;
        try {
          await db.client.query('select xplane.normalize_spec($1::xplane.resource_kind, $2::jsonb)', [kind, spec]);
        } catch (err) {
          error = err as { code?: string; message: string };
        }
        // 22023: invalid_spec ("Kind.field: …"); 22P05 / 22P02: jsonb refuses \u0000 and a lone surrogate on input
        const refused =
          error !== undefined && (error.code === '22P05' || error.code === '22P02' || (error.code === '22023' && error.message.startsWith(`${kind}.${attr}`)));
        if (error !== undefined && !refused) disagreements.push(`${attribute} = ${JSON.stringify(value)}: unexpected error ${error.code} ${error.message}`);
        else if (refused === ok) disagreements.push(`${attribute} = ${JSON.stringify(value)}: ${ok ? `refused (${error!.message})` : 'accepted'}, expected ${ok ? 'accepted' : 'refused'}`);
      }
      expect(disagreements).toEqual([]);
    });

    it('names: xplane.name_problem and identifierProblem agree', async () => {
      for (const name of ['app', 'a'.repeat(63), 'a'.repeat(64), 'é'.repeat(31), 'é'.repeat(32), '']) {
        const { rows } = await db.client.query<{ p: string | null }>(`select xplane.name_problem('Role', $1) as p`, [name]);
        const ts = identifierProblem(name);
        expect(rows[0]!.p, JSON.stringify(name)).toBe(ts === undefined ? null : `Role.name: ${ts}`);
      }
    });
  });
}
