// Renames in place and moves (src/plan/renames.ts, src/plan/plan.ts): which record a declared
// resource continues, what the plan shows and refuses. Against the provider and the CLI:
// test/e2e/renames.test.ts; the provider's half: test/sql/rename.sql.
import { describe, expect, it } from 'vitest';
import type { MovedBlock, ResourceInstance } from '../../src/model/types.js';
import { assemblePlan, changesToCheck } from '../../src/plan/plan.js';
import { instanceKey, resourceKey } from '../../src/plan/identity.js';
import { continuity, movedAddress, NameMap } from '../../src/plan/renames.js';
import { assertFresh, observationRequest } from '../../src/plan/saved.js';
import type { ManagedRecord, ObservedItem, PlanInput, ResourceKey } from '../../src/plan/types.js';
import { renderPlanText } from '../../src/render/plan-text.js';
import { config, instance, item, managedOf, observedAsDesired } from './builders.js';

const at = { file: 'main.xp', start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } } as never;

/**
 * Declared resources and records as the server has them: `records` (what xp recorded, with the
 * server's object for each: 'same' or absent), and what the server has under declared names.
 */
function input(o: {
  declared: ResourceInstance[];
  records: Array<{ r: ResourceInstance; server: 'same' | null; address?: string | null }>;
  /** declared names the server has too (for a rename onto a taken name) */
  taken?: ResourceInstance[];
  moved?: MovedBlock[];
}): PlanInput {
  const observed = new Map<ResourceKey, ObservedItem>();
  const kept = new Set(o.records.filter((x) => x.server === 'same').map((x) => instanceKey(x.r)));
  for (const r of o.declared) observed.set(instanceKey(r), item(r, o.taken?.includes(r) || kept.has(instanceKey(r)) ? observedAsDesired(r) : null));
  const managed: ManagedRecord[] = o.records.map(({ r, address }) => {
    const m = managedOf(r);
    if (address === null) delete m.address;
    else if (address !== undefined) m.address = address;
    return m;
  });
  // what the reads observe: each record under its name now, with the declared spec when it is continued
  for (const { r, server } of o.records) if (!observed.has(instanceKey(r))) observed.set(instanceKey(r), item(r, server === 'same' ? observedAsDesired(r) : null));
  return { config: { ...config(o.declared), ...(o.moved ? { moved: o.moved } : {}) }, managed, observed };
}

const text = (p: ReturnType<typeof assemblePlan>) => renderPlanText(p, { color: false });

describe('renames in place', () => {
  const declared = instance('role', 'lbl2', {}, { address: 'role.lbl' });
  const recorded = instance('role', 'lbl', {}, { address: 'role.lbl' });

  it('a role whose name changes at the same address is renamed, nothing is dropped', () => {
    const plan = assemblePlan(input({ declared: [declared], records: [{ r: recorded, server: 'same' }] }));
    expect(plan.errors).toEqual([]);
    expect(plan.resources).toHaveLength(1);
    expect(plan.resources[0]).toMatchObject({ address: 'role.lbl', action: 'update', name: 'lbl2', renamedFrom: 'lbl', destructive: false });
    expect(plan.resources[0]!.changes).toEqual([{ path: 'name', before: 'lbl', after: 'lbl2', renamed: true }]);
    expect(plan.summary).toMatchObject({ add: 0, change: 1, destroy: 0 });
    expect(text(plan)).toContain('~ name = "lbl" → "lbl2" (renamed in place)');
    // the provider's self-protection check sees the object under its name now
    expect(changesToCheck(plan)).toEqual([{ kind: 'Role', name: 'lbl', database: '', provider: 'default', action: 'update', changed: ['name'] }]);
  });

  it('schemas, service accounts and databases are renamed; an extension is dropped and created', () => {
    for (const [type, spec] of [['schema', { database: 'app' }], ['service_account', { database: 'app' }], ['database', {}]] as const) {
      const plan = assemblePlan(input({ declared: [instance(type, 'b', spec, { address: `${type}.x` })], records: [{ r: instance(type, 'a', spec, { address: `${type}.x` }), server: 'same' }] }));
      expect(plan.resources.map((r) => [r.action, r.renamedFrom])).toEqual([['update', 'a']]);
    }
    const ext = assemblePlan(
      input({ declared: [instance('extension', 'b', { database: 'app' }, { address: 'extension.x' })], records: [{ r: instance('extension', 'a', { database: 'app' }, { address: 'extension.x' }), server: 'same' }] }),
    );
    expect(ext.resources.map((r) => [r.action, r.name]).sort()).toEqual([['create', 'b'], ['delete', 'a']]);
  });

  it('a record made before 0.7.0 (no address) is taken to be at type.name', () => {
    const plan = assemblePlan(input({ declared: [declared], records: [{ r: recorded, server: 'same', address: null }] }));
    expect(plan.resources.map((r) => [r.action, r.renamedFrom])).toEqual([['update', 'lbl']]);
  });

  it('is refused at plan when the new name is taken on the server', () => {
    const plan = assemblePlan(input({ declared: [declared], records: [{ r: recorded, server: 'same' }], taken: [declared] }));
    expect(plan.errors).toEqual([
      {
        code: 'rename',
        address: 'role.lbl',
        message: 'role.lbl: cannot rename role "lbl" to "lbl2": role "lbl2" already exists on the server.',
        hint: 'Choose another name, or drop or rename the other role first (xp does not manage it).',
      },
    ]);
    // and the recorded object is not planned for a drop meanwhile
    expect(plan.resources.filter((r) => r.action === 'delete')).toEqual([]);
  });

  it('renamed already on the server (by hand, or an apply cut short): only the record follows', () => {
    const plan = assemblePlan(input({ declared: [declared], records: [{ r: recorded, server: null }], taken: [declared] }));
    expect(plan.errors).toEqual([]);
    expect(plan.resources.map((r) => [r.action, r.renamedFrom, r.changes.length])).toEqual([['update', 'lbl', 0]]);
    expect(plan.resources[0]!.reason).toBe('role "lbl" is not on the server, "lbl2" is: xp\'s record of it follows the new name');
  });

  it('a database renamed carries its schemas: unchanged, observed where they are now', () => {
    const db = instance('database', 'shop2', {}, { address: 'database.shop' });
    const dbBefore = instance('database', 'shop', {}, { address: 'database.shop' });
    const schema = instance('schema', 'app', { database: 'shop2' }, { address: 'schema.app' });
    const schemaBefore = instance('schema', 'app', { database: 'shop' }, { address: 'schema.app' });
    const i = input({ declared: [db, schema], records: [{ r: dbBefore, server: 'same' }, { r: schemaBefore, server: 'same' }] });
    const cont = continuity(i.config.resources, i.managed);
    expect(cont.byDeclared.get(instanceKey(schema))).toMatchObject({ key: resourceKey('default', 'Schema', 'shop', 'app'), databaseFrom: 'shop' });
    const plan = assemblePlan(i);
    expect(plan.errors).toEqual([]);
    expect(plan.resources.map((r) => [r.address, r.action, r.renamedFrom, r.databaseFrom])).toEqual([
      ['database.shop', 'update', 'shop', undefined],
      ['schema.app', 'no-op', undefined, 'shop'],
    ]);
  });

  it('refuses a declaration that still names a renamed object by its name now', () => {
    const member = instance('role', 'm', { member_of: ['lbl'] });
    const plan = assemblePlan(input({ declared: [declared, member], records: [{ r: recorded, server: 'same' }, { r: member, server: 'same' }] }));
    expect(plan.errors).toEqual([
      {
        code: 'rename',
        address: 'role.m',
        message: 'role.m: it names "lbl", which this plan renames to "lbl2": after the rename "lbl" names nothing.',
        hint: 'Write "lbl2", or refer to the renamed resource (e.g. role.x.name) so that the name follows it.',
      },
    ]);
    // written with the new name: no change (the membership follows the role on the server)
    const follows = instance('role', 'm', { member_of: ['lbl2'] });
    const ok = assemblePlan(input({ declared: [declared, follows], records: [{ r: recorded, server: 'same' }, { r: member, server: 'same' }] }));
    expect(ok.errors).toEqual([]);
  });

  it('a saved plan with a rename is fresh until the object under its name now changes', () => {
    const i = input({ declared: [declared], records: [{ r: recorded, server: 'same' }] });
    const plan = assemblePlan(i);
    expect(observationRequest(plan).map((r) => r.name)).toEqual(['lbl2', 'lbl']);
    const saved = JSON.parse(JSON.stringify(plan));
    expect(() => assertFresh(saved, i)).not.toThrow();
    const changed = new Map(i.observed);
    changed.set(instanceKey(recorded), item(recorded, { ...observedAsDesired(recorded), connection_limit: 3 }));
    expect(() => assertFresh(saved, { ...i, observed: changed })).toThrow(/role\.lbl changed on the server/);
  });
});

describe('moved blocks', () => {
  const moved = (from: string, to: string): MovedBlock => ({ from, to, range: at });

  it('map an address exactly, or every instance of a whole resource', () => {
    expect(movedAddress('role.a', [moved('role.a', 'role.b')])).toBe('role.b');
    expect(movedAddress('role.a["k"]', [moved('role.a', 'role.b')])).toBe('role.b["k"]');
    expect(movedAddress('role.a["k"]', [moved('role.a["k"]', 'role.a["j"]')])).toBe('role.a["j"]');
    expect(movedAddress('role.ab', [moved('role.a', 'role.b')])).toBeUndefined();
  });

  it('map addresses into, out of and between modules: an instance, a whole resource, everything in a module', () => {
    expect(movedAddress('role.app', [moved('role.app', 'module.t["a"].role.app')])).toBe('module.t["a"].role.app');
    expect(movedAddress('module.t["a"].role.app', [moved('module.t["a"].role.app', 'role.app')])).toBe('role.app');
    expect(movedAddress('role.x["k"]', [moved('role.x', 'module.t.role.x')])).toBe('module.t.role.x["k"]');
    expect(movedAddress('module.old["a"].schema.s', [moved('module.old', 'module.new')])).toBe('module.new["a"].schema.s');
    expect(movedAddress('module.old.schema.s', [moved('module.old', 'module.new')])).toBe('module.new.schema.s');
    expect(movedAddress('module.t["a"].role.x', [moved('module.t["a"]', 'module.t["b"]')])).toBe('module.t["b"].role.x');
    expect(movedAddress('module.older.role.x', [moved('module.old', 'module.new')])).toBeUndefined();
    // a keyed instance does not take a key: role.a["k"] is not inside role.a["k"]["j"]
    expect(movedAddress('module.t["a"]["b"].role.x', [moved('module.t["a"]', 'module.t["b"]')])).toBeUndefined();
  });

  it('the same object at a new address: "has moved to", nothing dropped, the move applied', () => {
    const now = instance('role', 'x', {}, { address: 'role.new' });
    const before = instance('role', 'x', {}, { address: 'role.old' });
    const plan = assemblePlan(input({ declared: [now], records: [{ r: before, server: 'same' }], moved: [moved('role.old', 'role.new')] }));
    expect(plan.resources.map((r) => [r.address, r.action, r.movedFrom])).toEqual([['role.new', 'update', 'role.old']]);
    expect(text(plan)).toContain('# role.old has moved to role.new');
  });

  it('between for_each keys, with a new name: moved and renamed in place', () => {
    const now = instance('role', 'tenant_b', {}, { address: 'role.tenant["b"]' });
    const before = instance('role', 'tenant_a', {}, { address: 'role.tenant["a"]' });
    const plan = assemblePlan(input({ declared: [now], records: [{ r: before, server: 'same' }], moved: [moved('role.tenant["a"]', 'role.tenant["b"]')] }));
    expect(plan.resources.map((r) => [r.address, r.action, r.renamedFrom, r.movedFrom])).toEqual([['role.tenant["b"]', 'update', 'tenant_a', 'role.tenant["a"]']]);
    const out = text(plan);
    expect(out).toContain('# role.tenant["b"] will be updated in-place');
    expect(out).toContain('# (moved from role.tenant["a"])');
    expect(out).toContain('~ name = "tenant_a" → "tenant_b" (renamed in place)');
    // without the moved block: another address, so a drop and a create
    const without = assemblePlan(input({ declared: [now], records: [{ r: before, server: 'same' }] }));
    expect(without.resources.map((r) => r.action).sort()).toEqual(['create', 'delete']);
  });

  it('in a module: a new name at the module address is a rename; a moved instance key with a new name is both', () => {
    const now = instance('role', 'acme2_app', {}, { address: 'module.tenant["acme"].role.app' });
    const before = instance('role', 'acme_app', {}, { address: 'module.tenant["acme"].role.app' });
    const renamed = assemblePlan(input({ declared: [now], records: [{ r: before, server: 'same' }] }));
    expect(renamed.resources.map((r) => [r.address, r.action, r.renamedFrom, r.movedFrom])).toEqual([['module.tenant["acme"].role.app', 'update', 'acme_app', undefined]]);
    expect(text(renamed)).toContain('~ name = "acme_app" → "acme2_app" (renamed in place)');
    const there = instance('role', 'globex_app', {}, { address: 'module.tenant["globex"].role.app' });
    const both = assemblePlan(input({ declared: [there], records: [{ r: before, server: 'same' }], moved: [moved('module.tenant["acme"]', 'module.tenant["globex"]')] }));
    expect(both.resources.map((r) => [r.address, r.action, r.renamedFrom, r.movedFrom])).toEqual([
      ['module.tenant["globex"].role.app', 'update', 'acme_app', 'module.tenant["acme"].role.app'],
    ]);
    expect(both.summary).toMatchObject({ add: 0, destroy: 0 });
  });

  it('a new label for the same name without a moved block is the same object: nothing to do', () => {
    // (as after `xp import` into a new directory: its labels are its own)
    const now = instance('role', 'x', {}, { address: 'role.renamed-label' });
    const before = instance('role', 'x', {}, { address: 'role.old' });
    const plan = assemblePlan(input({ declared: [now], records: [{ r: before, server: 'same' }] }));
    expect(plan.resources.map((r) => [r.address, r.action, r.movedFrom])).toEqual([['role.renamed-label', 'no-op', undefined]]);
  });

  it('once applied (the record at the new address), the plan is empty even with the block still there', () => {
    const now = instance('role', 'x', {}, { address: 'role.new' });
    const plan = assemblePlan(input({ declared: [now], records: [{ r: now, server: 'same' }], moved: [moved('role.old', 'role.new')] }));
    expect(plan.resources.map((r) => r.action)).toEqual(['no-op']);
  });
});

describe('NameMap: references to renamed objects', () => {
  const map = new NameMap([
    { provider: 'default', kind: 'Database', name: 'db2', from: 'db', database: '' },
    { provider: 'default', kind: 'Schema', name: 's2', from: 's', database: 'db2' },
    { provider: 'default', kind: 'Role', name: 'r2', from: 'r', database: '' },
  ]);
  const declared = {
    database: 'db2',
    schemas: ['s2', 'other'],
    member_of: ['r2', 'x'],
    grants: [{ database: 'db2', schema: 's2', on: 'tables', privileges: ['SELECT'] }, { schema: 's2', on: 'sequences', privileges: ['USAGE'] }],
    database_settings: { db2: { work_mem: '4MB' } },
  };
  const now = {
    database: 'db',
    schemas: ['s', 'other'],
    member_of: ['r', 'x'],
    grants: [{ database: 'db', schema: 's', on: 'tables', privileges: ['SELECT'] }, { schema: 's', on: 'sequences', privileges: ['USAGE'] }],
    database_settings: { db: { work_mem: '4MB' } },
  };

  it('asks observe with the names now and reads its answer with the names after', () => {
    expect(map.map('ServiceAccount', 'default', declared, 'now')).toEqual(now);
    expect(map.map('ServiceAccount', 'default', now, 'after')).toEqual(declared);
    // a schema's own database is its identity: kept when asked as declared
    expect(map.map('Schema', 'default', { database: 'db2', owner: 'r2' }, 'now', true)).toEqual({ database: 'db2', owner: 'r' });
  });

  it('leaves names of other providers and of schemas in other databases alone', () => {
    expect(map.map('ServiceAccount', 'other', declared, 'now')).toEqual(declared);
    expect(map.map('ServiceAccount', 'default', { database: 'elsewhere', schemas: ['s2'] }, 'now')).toEqual({ database: 'elsewhere', schemas: ['s2'] });
  });
});
