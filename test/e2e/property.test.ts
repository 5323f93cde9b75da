// One truth for "what changes": for random configurations, applied one after the other on the
// same stack (so creates, updates and deletes all happen), the plan right after each apply is
// empty — for every attribute of every kind generated here.
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { configDir, expectOk, planSummary, unique, writeConfig, xpIn, onEachServer, serverUrl } from './xp.js';

const url = serverUrl;

const q = (s: string) => JSON.stringify(s);
const privileges = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'];
// Empty strings included: PostgreSQL stores COMMENT '' as no comment, and normalize_spec maps ""
// to null for every kind (a perpetual diff this property once found).
const text = fc.stringMatching(/^[A-Za-z0-9 .,'"!?é☃-]{0,12}$/);

interface Shape {
  roles: Array<{ on: boolean; inherit: boolean; createdb: boolean; limit: number; comment: string | null; memberOfFirst: boolean }>;
  dbs: Array<{ on: boolean; limit: number; comment: string | null; ownerRole: number | null }>;
  schemas: Array<{ on: boolean; db: number; comment: string | null; ownerRole: number | null }>;
  account: { on: boolean; db: number; privileges: string[]; future: boolean; memberOf: boolean; limit: number };
}

const shape: fc.Arbitrary<Shape> = fc.record({
  roles: fc.array(
    fc.record({ on: fc.boolean(), inherit: fc.boolean(), createdb: fc.boolean(), limit: fc.integer({ min: -1, max: 50 }), comment: fc.option(text, { nil: null }), memberOfFirst: fc.boolean() }),
    { minLength: 3, maxLength: 3 },
  ),
  dbs: fc.array(fc.record({ on: fc.boolean(), limit: fc.integer({ min: -1, max: 50 }), comment: fc.option(text, { nil: null }), ownerRole: fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }) }), {
    minLength: 2,
    maxLength: 2,
  }),
  schemas: fc.array(fc.record({ on: fc.boolean(), db: fc.integer({ min: 0, max: 1 }), comment: fc.option(text, { nil: null }), ownerRole: fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }) }), {
    minLength: 2,
    maxLength: 2,
  }),
  account: fc.record({
    on: fc.boolean(),
    db: fc.integer({ min: 0, max: 1 }),
    privileges: fc.subarray(privileges, { minLength: 1 }),
    future: fc.boolean(),
    memberOf: fc.boolean(),
    limit: fc.integer({ min: -1, max: 20 }),
  }),
});

function render(p: string, s: Shape): string {
  const roleName = (i: number) => [`${p}_role_a`, `${p} role "b"`, `${p}_Role-C`][i]!;
  const out: string[] = [];
  const roleOn = (i: number) => s.roles[i]!.on;
  s.roles.forEach((r, i) => {
    if (!r.on) return;
    const member = i > 0 && r.memberOfFirst && roleOn(0) ? `  member_of = [role.r0]\n` : '';
    out.push(
      `role "r${i}" {\n  name = ${q(roleName(i))}\n  inherit = ${r.inherit}\n  createdb = ${r.createdb}\n  connection_limit = ${r.limit}\n${r.comment === null ? '' : `  comment = ${q(r.comment)}\n`}${member}}\n`,
    );
  });
  const owner = (i: number | null) => (i !== null && roleOn(i) ? `role.r${i}` : null);
  const dbOn = (i: number) => s.dbs[i]!.on;
  s.dbs.forEach((d, i) => {
    if (!d.on) return;
    const o = owner(d.ownerRole);
    out.push(`database "d${i}" {\n  name = ${q(`${p}_db ${i}`)}\n  connection_limit = ${d.limit}\n${d.comment === null ? '' : `  comment = ${q(d.comment)}\n`}${o ? `  owner = ${o}\n` : ''}}\n`);
  });
  const schemaOn = (i: number) => s.schemas[i]!.on && dbOn(s.schemas[i]!.db);
  s.schemas.forEach((sc, i) => {
    if (!schemaOn(i)) return;
    const o = owner(sc.ownerRole);
    out.push(`schema "s${i}" {\n  name = ${q(`${p}_s${i}`)}\n  database = database.d${sc.db}\n${sc.comment === null ? '' : `  comment = ${q(sc.comment)}\n`}${o ? `  owner = ${o}\n` : ''}}\n`);
  });
  const a = s.account;
  if (a.on && dbOn(a.db)) {
    const schemas = s.schemas.map((sc, i) => (schemaOn(i) && sc.db === a.db ? `schema.s${i}` : null)).filter((x) => x !== null);
    const grants = schemas
      .map((sc) => `  grant {\n    schema = ${sc}\n    privileges = [${a.privileges.map(q).join(', ')}]\n    future = ${a.future}\n  }\n`)
      .join('');
    out.push(
      `service_account "app" {\n  name = ${q(`${p}_app`)}\n  database = database.d${a.db}\n  schemas = [${schemas.join(', ')}]\n  connection_limit = ${a.limit}\n${a.memberOf && roleOn(0) ? '  member_of = [role.r0]\n' : ''}${grants}}\n`,
    );
  }
  return out.join('\n') || `role "r0" {\n  name = ${q(roleName(0))}\n}\n`;
}

onEachServer('apply then plan is empty (property)', { timeout: 300_000 }, () => {
  it('holds for random configurations applied one after the other', async () => {
    const p = unique('pr');
    const dir = configDir(p, { 'main.xp': 'role "placeholder" {}\n' });
    const run = xpIn(dir, url());
    try {
      await fc.assert(
        fc.asyncProperty(shape, async (s) => {
          writeConfig(dir, { 'main.xp': render(p, s) });
          expectOk(await run(['apply', '--auto-approve', '--allow-data-loss']), `apply of\n${render(p, s)}`);
          const after = await planSummary(run);
          expect(after.changed, render(p, s)).toEqual([]);
        }),
        { numRuns: 8, endOnFailure: true },
      );
    } finally {
      await run(['destroy', '--auto-approve', '--allow-data-loss']);
    }
  }, 600_000);
});
