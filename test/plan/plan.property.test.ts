import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ResourceInstance, ResourceType, Value } from '../../src/model/types.js';
import { assemblePlan } from '../../src/plan/plan.js';
import type { Json, JsonObject } from '../../src/plan/types.js';
import { renderPlanText, summaryLine } from '../../src/render/plan-text.js';
import { instance, scenario, type Scenario } from './builders.js';

const ident = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/);
const names = fc.uniqueArray(ident, { maxLength: 3 }).map((xs) => [...xs].sort());
const comment = fc.option(fc.string({ maxLength: 12 }), { nil: null });
const limit = fc.integer({ min: -1, max: 500 });
const PRIVS = { tables: ['DELETE', 'INSERT', 'SELECT', 'UPDATE'], sequences: ['SELECT', 'USAGE'], functions: ['EXECUTE'] } as const;
const grant = fc
  .record({ schema: ident, on: fc.constantFrom('tables', 'sequences', 'functions') as fc.Arbitrary<keyof typeof PRIVS>, future: fc.boolean() })
  .chain((g) =>
    fc.subarray([...PRIVS[g.on]], { minLength: 1 }).map((privileges) => ({ database: 'app', schema: g.schema, on: g.on, privileges, future: g.future })),
  );
const grants = fc.uniqueArray(grant, { maxLength: 3, selector: (g) => `${g.schema}/${g.on}` });

const specOf: Record<ResourceType, fc.Arbitrary<Record<string, Value>>> = {
  database: fc.record({ owner: ident, connection_limit: limit, allow_connections: fc.boolean(), comment }),
  schema: fc.record({ database: fc.constant('app'), owner: ident, comment }),
  role: fc.record({
    inherit: fc.boolean(),
    createdb: fc.boolean(),
    createrole: fc.boolean(),
    connection_limit: limit,
    member_of: names,
    settings: fc.dictionary(ident, fc.string({ maxLength: 6 }), { maxKeys: 3 }),
    grants,
    comment,
  }),
  extension: fc.record({ database: fc.constant('app'), schema: fc.option(ident, { nil: null }), version: fc.option(fc.constantFrom('1.0', '1.1'), { nil: null }) }),
  service_account: fc.record({ database: fc.constant('app'), schemas: names, member_of: names, grants, connection_limit: limit, valid_until: fc.constantFrom(null, 'infinity', '2027-01-01T00:00:00Z'), comment }),
};

const resource: fc.Arbitrary<ResourceInstance> = fc
  .record({ type: fc.constantFrom(...(Object.keys(specOf) as ResourceType[])), label: ident })
  .chain(({ type, label }) => specOf[type].map((spec) => instance(type, label, spec)));
const resources = fc.uniqueArray(resource, { maxLength: 8, selector: (r) => r.address });

/** A server state that differs from desired in one attribute (or is the same / absent). */
const serverFor = (r: ResourceInstance): fc.Arbitrary<'same' | null | JsonObject> => {
  const keys = Object.keys(r.spec).filter((k) => k !== 'database');
  return fc.oneof(
    fc.constant('same' as const),
    fc.constant(null),
    fc.constantFrom(...keys).chain((k) =>
      fc.jsonValue().map((v) => ({ [k]: v as Json })),
    ),
  );
};

describe('assemblePlan properties', () => {
  it('planning against a server that matches the normalised desired state gives no changes', () => {
    fc.assert(
      fc.property(resources, (rs) => {
        const plan = assemblePlan(scenario({ desired: rs.map((r) => ({ r, server: 'same' as const })) }));
        expect(plan.errors).toEqual([]);
        expect(plan.resources.map((r) => r.action)).toEqual(rs.map(() => 'no-op'));
        expect(plan.summary).toEqual({ add: 0, change: 0, destroy: 0, forget: 0 });
        expect(renderPlanText(plan, { color: false })).toMatch(/^No changes\. Your infrastructure matches the configuration\./);
      }),
      { numRuns: 200 },
    );
  });

  it('the summary counts equal the per-resource actions, and the text ends with that summary', () => {
    const world = resources.chain((rs) =>
      fc.tuple(
        fc.constant(rs),
        fc.tuple(...rs.map(serverFor)),
        fc.array(fc.boolean(), { minLength: rs.length, maxLength: rs.length }),
        fc.array(fc.constantFrom<'keep' | 'delete' | 'orphan'>('keep', 'delete', 'orphan'), { minLength: rs.length, maxLength: rs.length }),
        fc.subarray(rs.map((r) => r.address)),
      ),
    );
    fc.assert(
      fc.property(world, ([rs, servers, managed, fate, replace]) => {
        const s: Scenario = {
          desired: rs.flatMap((r, i) => (fate[i] === 'keep' ? [{ r, server: servers[i]!, managed: managed[i]! }] : [])),
          undeclared: rs.flatMap((r, i) => (fate[i] !== 'keep' ? [{ r, server: servers[i]!, policy: fate[i] as 'delete' | 'orphan' }] : [])),
          contents: rs.map((r) => [r, { tables: 0, objects: 0, examples: [] }]),
          options: { replace: replace.filter((a) => rs.some((r, i) => r.address === a && fate[i] === 'keep')), allowDataLoss: true },
        };
        const plan = assemblePlan(scenario(s));
        const count = (pred: (a: (typeof plan.resources)[number]) => boolean) => plan.resources.filter(pred).length;
        expect(plan.summary).toEqual({
          add: count((r) => r.action === 'create' || r.action === 'replace'),
          change: count((r) => r.action === 'update'),
          destroy: count((r) => r.action === 'replace' || (r.action === 'delete' && !r.orphan)),
          forget: count((r) => r.action === 'delete' && r.orphan === true),
        });
        expect(plan.resources).toHaveLength(rs.length);
        const text = renderPlanText(plan, { color: false, errors: false });
        if (plan.resources.some((r) => r.action !== 'no-op')) expect(text).toContain(`\n${summaryLine(plan)}\n`);
        else expect(text).toMatch(/^No changes\./);
        // Passwords never appear in a plan.
        expect(JSON.stringify(plan)).not.toMatch(/"password":"/);
      }),
      { numRuns: 200 },
    );
  });
});
