// The planner against the real provider: what xplane.observe_many returns for what
// xplane.apply made gives an empty plan, and changes made by hand show up attribute by
// attribute. Kinds are added here as the provider implements them.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import type { ResourceInstance } from '../../src/model/types.js';
import { desiredSpecJson } from '../../src/plan/desired.js';
import { instanceKey, observedMap } from '../../src/plan/identity.js';
import { assemblePlan, contentsToObserve } from '../../src/plan/plan.js';
import type { Contents, Plan, PlanOptions } from '../../src/plan/types.js';
import { parseDatabaseUrl } from '../../src/state/connection.js';
import { observeAll, readContents, readForeign, readManaged } from '../../src/state/read.js';
import { providerDatabase, uniqueName, type ProviderDatabase } from '../provider/harness.js';
import { withClient } from '../e2e/xp.js';
import { config, instance } from './builders.js';

const STACK = 'plan_db_test';
let db: ProviderDatabase;


async function planFor(
  client: pg.Client,
  resources: ResourceInstance[],
  options: Partial<PlanOptions> = {},
  contents?: Map<string, Contents>,
): Promise<Plan> {
  const managed = await readManaged(client, STACK);
  const requests = resources.map((r) => ({ kind: r.kind, name: r.name, spec: desiredSpecJson(r), provider: r.provider }));
  for (const m of managed) {
    if (!resources.some((r) => r.kind === m.kind && r.name === m.name)) requests.push({ kind: m.kind, name: m.name, spec: m.spec, provider: m.provider });
  }
  const observed = observedMap(await observeAll(client, requests));
  return assemblePlan({ config: config(resources, STACK), managed, observed, options, ...(contents ? { contents } : {}) });
}

/** Apply the create/update steps as the executor does: xplane.apply with the plan's spec. */
async function applyCreatesAndUpdates(client: pg.Client, plan: Plan): Promise<void> {
  for (const r of plan.resources) {
    if (r.action !== 'create' && r.action !== 'update') continue;
    // Two statements: the row xplane.apply writes is not visible to the statement that calls it.
    const applied = await client.query<{ id: string }>(`select xplane.apply($1::xplane.resource_kind, $2, $3::jsonb, 'default', $4)::text as id`, [
      r.kind,
      r.name,
      JSON.stringify(r.spec),
      STACK,
    ]);
    const { rows } = await client.query<{ status: { status_code: string; message: string } }>('select status from xplane.managed_resources where id = $1::uuid', [
      applied.rows[0]!.id,
    ]);
    expect(['success', 'updated', 'no_change', 'already_exists'], `${r.address}: ${rows[0]!.status.message}`).toContain(rows[0]!.status.status_code);
  }
}

beforeAll(async () => {
  db = await providerDatabase(inject('databaseUrl'), 'xp_plan');
});

afterAll(async () => {
  await db?.drop();
});

describe('plans against the real provider', () => {
  const dbName = uniqueName('xpp_db');
  const base = uniqueName('xpp_base');
  const reader = uniqueName('xpp_reader');
  const resources = () => [
    instance('database', dbName, { connection_limit: 5, comment: 'made by xp' }),
    instance('role', base, {}),
    instance('role', reader, {
      member_of: [base],
      connection_limit: 3,
      settings: { statement_timeout: '5s' },
      grants: [{ database: dbName, on: 'database', privileges: ['CONNECT', 'TEMPORARY'] }],
    }),
  ];

  afterAll(async () => {
    await db.client.query(`drop database if exists "${dbName}" with (force)`).catch(() => undefined);
    await db.client.query(`drop role if exists "${reader}"`).catch(() => undefined);
    await db.client.query(`drop role if exists "${base}"`).catch(() => undefined);
  });

  it('plans creates for what is absent, then nothing once applied', async () => {
    const first = await planFor(db.client, resources());
    expect(first.errors).toEqual([]);
    expect(first.resources.map((r) => r.action)).toEqual(['create', 'create', 'create']);
    // Roles first: the reader's membership needs the base role.
    await applyCreatesAndUpdates(db.client, { ...first, resources: [first.resources[1]!, first.resources[0]!, first.resources[2]!] });

    const second = await planFor(db.client, resources());
    expect(second.errors).toEqual([]);
    expect(second.resources.map((r) => [r.address, r.action, r.changes])).toEqual(second.resources.map((r) => [r.address, 'no-op', []]));
    expect(second.summary).toEqual({ add: 0, change: 0, destroy: 0, forget: 0 });
  });

  it('shows changes made by hand attribute by attribute, and applying them converges', async () => {
    await db.client.query(`alter database "${dbName}" connection limit 9`);
    await db.client.query(`alter role "${reader}" set work_mem = '8MB'`);
    await db.client.query(`revoke temporary on database "${dbName}" from "${reader}"`);
    await db.client.query(`grant create on database "${dbName}" to "${reader}"`);

    const plan = await planFor(db.client, resources());
    const byAddress = new Map(plan.resources.map((r) => [r.address, r]));
    expect(byAddress.get(`database.${dbName}`)).toMatchObject({
      action: 'update',
      drifted: true,
      changes: [{ path: 'connection_limit', before: 9, after: 5 }],
    });
    const readerPlan = byAddress.get(`role.${reader}`)!;
    expect(readerPlan.action).toBe('update');
    const settings = readerPlan.changes.find((c) => c.path === 'settings');
    expect(settings?.elements).toEqual([{ key: 'work_mem', identity: { key: 'work_mem' }, action: 'delete', before: '8MB' }]);
    const grants = readerPlan.changes.find((c) => c.path === 'grants');
    expect(grants?.elements).toHaveLength(1);
    expect(grants?.elements?.[0]?.changes).toEqual([
      expect.objectContaining({ path: 'privileges', set: { added: ['TEMPORARY'], removed: ['CREATE'] } }),
    ]);

    await applyCreatesAndUpdates(db.client, plan);
    const after = await planFor(db.client, resources());
    expect(after.resources.filter((r) => r.action !== 'no-op').map((r) => [r.address, r.changes])).toEqual([]);
  });

  it('refuses to drop a schema holding a table unless data loss is allowed', async () => {
    const sc = instance('schema', uniqueName('xpp_s'), { database: dbName });
    const first = await planFor(db.client, [...resources(), sc]);
    await applyCreatesAndUpdates(db.client, first);
    const url = new URL(db.url);
    url.pathname = `/${dbName}`;
    await withClient(url.toString(), (c) => c.query(`create table "${sc.name}".orders (id int)`));

    const plan = async (options: Partial<PlanOptions>) => {
      const p = await planFor(db.client, resources(), options);
      const contents = await readContents(db.client, contentsToObserve(p));
      return planFor(db.client, resources(), options, contents);
    };
    const refused = await plan({});
    expect(refused.errors).toEqual([
      expect.objectContaining({ code: 'data_loss', address: `schema.${sc.name}`, message: `schema.${sc.name}: Dropping schema "${sc.name}" in database "${dbName}" would destroy 1 table (${sc.name}.orders).` }),
    ]);
    const allowed = await plan({ allowDataLoss: true });
    expect(allowed.errors).toEqual([]);
    expect(allowed.resources.find((r) => r.address === `schema.${sc.name}`)).toMatchObject({ action: 'delete', dataLoss: { tables: 1, allowed: true } });
    await db.client.query(`select xplane.delete('Schema', $1, $2, 'default', true)`, [sc.name, dbName]);
  });

  it('plans the delete of a managed resource no longer declared, and nothing for objects it never managed', async () => {
    const unmanaged = uniqueName('xpp_other');
    await db.client.query(`create role "${unmanaged}"`);
    try {
      const plan = await planFor(db.client, resources().slice(0, 2));
      expect(plan.resources.filter((r) => r.action !== 'no-op').map((r) => [r.address, r.action, r.reason])).toEqual([
        [`role.${reader}`, 'delete', 'no longer declared'],
      ]);
      expect(JSON.stringify(plan)).not.toContain(unmanaged);
    } finally {
      await db.client.query(`drop role "${unmanaged}"`);
    }
  });

  it('reports another stack\'s record as a conflict, also while that stack is deleting it, as apply refuses it', async () => {
    const role = uniqueName('xpp_theirs');
    const other = uniqueName('other_stack');
    await db.client.query(`select xplane.apply('Role', $1, '{}', 'default', $2)`, [role, other]);
    // Pending deletion: a finalizer keeps the record after the role is dropped.
    await db.client.query(`update xplane.managed_resources set finalizers = finalizers || '{example.com/hold}' where name = $1`, [role]);
    await db.client.query(`select xplane.delete('Role', $1)`, [role]);
    try {
      const desired = [instance('role', role, {})];
      const foreign = await readForeign(db.client, STACK, desired.map(instanceKey));
      expect(foreign.map((f) => [f.name, f.stack])).toEqual([[role, other]]);
      const managed = await readManaged(db.client, STACK);
      const observed = observedMap(await observeAll(db.client, desired.map((r) => ({ kind: r.kind, name: r.name, spec: desiredSpecJson(r), provider: r.provider }))));
      const plan = assemblePlan({ config: config(desired, STACK), managed, observed, foreign, options: {} });
      expect(plan.errors).toEqual([expect.objectContaining({ code: 'conflict', message: `role.${role}: role "${role}" is owned by stack "${other}", not "${STACK}".` })]);
      await expect(db.client.query(`select xplane.apply('Role', $1, '{}', 'default', $2)`, [role, STACK])).rejects.toThrow(`is owned by stack ${other}, not ${STACK}`);
    } finally {
      await db.client.query(`update xplane.managed_resources set finalizers = '{}', next_reconcile_at = now() where name = $1`, [role]);
      await db.client.query(`select xplane.reconcile_all($1)`, [other]);
    }
  });
});
