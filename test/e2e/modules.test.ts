// Modules through the CLI (docs/language.md, Modules): a configuration that calls a module with
// for_each is applied against the server; the catalog holds each instance's objects with their
// privileges; the next plans are empty; --target module.tenant["k"] (and one resource inside it)
// limits the plan to that instance and what it depends on; apply, status, describe, events and
// the plan name the module path; and a `moved` block renames the module call without touching
// any object.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { configDir, expectOk, onEachServer, serverUrl, tempDir, unique, withClient, writeConfig, xpIn } from './xp.js';

interface PlanJson {
  summary: { add: number; change: number; destroy: number };
  resources: Array<{ address: string; action: string; movedFrom?: string }>;
}

const TENANT = `variable "name" {
  type = string
}

variable "database" {
  type = string
}

variable "readers" {
  type = string
}

schema "tenant" {
  database = var.database
  name     = "\${var.name}_s"
}

role "app" {
  name      = "\${var.name}_app"
  member_of = [var.readers]

  grant {
    database   = var.database
    schema     = schema.tenant
    on         = "schema"
    privileges = ["USAGE"]
  }
}

output "app_user" {
  value = role.app.name
}
`;

function main(stack: string, db: string, readers: string, prefix: string, call = 'tenant', moved = ''): string {
  return `stack "${stack}" {}

database "db" {
  name = "${db}"
}

role "readers" {
  name = "${readers}"
}

module "${call}" {
  source   = "./modules/tenant"
  for_each = toset(["a", "b"])
  name     = "${prefix}_\${each.key}"
  database = database.db.name
  readers  = role.readers.name
}
${moved}
output "users" {
  value = [for t in module.${call} : t.app_user]
}
`;
}

async function plan(run: ReturnType<typeof xpIn>, extra: string[] = []): Promise<PlanJson> {
  const r = expectOk(await run(['plan', '--json', ...extra]), `plan ${extra.join(' ')}`);
  return JSON.parse(r.stdout) as PlanJson;
}

onEachServer('modules', { timeout: 300_000 }, () => {
  it('applies a for_each module; --target selects an instance; status, describe and moved speak module addresses', async () => {
    const url = serverUrl();
    const stack = unique('mods');
    const db = unique('mdb');
    const readers = unique('mreaders');
    const prefix = unique('mt');
    const dir = configDir(stack, { 'main.xp': main(stack, db, readers, prefix) });
    mkdirSync(join(dir, 'modules/tenant'), { recursive: true });
    writeFileSync(join(dir, 'modules/tenant/main.xp'), TENANT);
    const run = xpIn(dir, url);
    try {
      // --target an instance: its resources and what they depend on, nothing of the other
      const targeted = await plan(run, ['--target', 'module.tenant["a"]']);
      expect(targeted.resources.map((r) => r.address).sort()).toEqual(['database.db', 'module.tenant["a"].role.app', 'module.tenant["a"].schema.tenant', 'role.readers']);
      const one = await plan(run, ['--target', 'module.tenant["b"].schema.tenant']);
      expect(one.resources.map((r) => r.address).sort()).toEqual(['database.db', 'module.tenant["b"].schema.tenant']);
      const nothing = await run(['plan', '--target', 'module.tenant["c"]']);
      expect(nothing.code).toBe(1);
      expect(nothing.stderr + nothing.stdout).toContain('--target module.tenant["c"]: no such resource');

      // the plan text names the module path and the block as written in the module
      const text = expectOk(await run(['plan', '--no-color']), 'plan').stdout;
      expect(text).toContain('# module.tenant["a"].role.app will be created');
      expect(text).toContain('+ role "app" {');

      expectOk(await run(['apply', '--auto-approve', '--target', 'module.tenant["a"]']), 'apply --target');
      const roles = (names: string[]) =>
        withClient(url, async (c) => (await c.query<{ rolname: string }>('select rolname from pg_roles where rolname = any ($1) order by 1', [names])).rows.map((r) => r.rolname));
      expect(await roles([`${prefix}_a_app`, `${prefix}_b_app`])).toEqual([`${prefix}_a_app`]);

      const applied = expectOk(await run(['apply', '--auto-approve', '--no-color']), 'apply');
      expect(applied.stdout).toContain('module.tenant["b"].role.app: ');
      expect(await roles([`${prefix}_a_app`, `${prefix}_b_app`])).toEqual([`${prefix}_a_app`, `${prefix}_b_app`]);
      const dbUrl = new URL(url);
      dbUrl.pathname = `/${db}`;
      const usage = await withClient(dbUrl.toString(), async (c) =>
        (
          await c.query<{ usage: boolean; member: boolean }>(
            `select has_schema_privilege($1, $2, 'USAGE') as usage, pg_has_role($1, $3, 'MEMBER') as member`,
            [`${prefix}_b_app`, `${prefix}_b_s`, readers],
          )
        ).rows[0],
      );
      expect(usage).toEqual({ usage: true, member: true });
      for (let i = 0; i < 2; i++) expect((await run(['plan', '--detailed-exitcode'])).code, `plan ${i + 1} after apply`).toBe(0);

      // the stored addresses carry the module path, quotes and all
      const status = expectOk(await run(['status', '--json']), 'status');
      const addresses = (JSON.parse(status.stdout) as Array<{ address?: string }>).map((r) => r.address);
      expect(addresses).toContain('module.tenant["b"].role.app');
      const describe = expectOk(await run(['describe', 'module.tenant["b"].role.app', '--json']), 'describe');
      expect((JSON.parse(describe.stdout) as { resource: { name: string } }).resource.name).toBe(`${prefix}_b_app`);
      const events = expectOk(await run(['events', '--resource', 'module.tenant["b"].role.app', '--json']), 'events');
      const eventAddresses = new Set(events.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { address: string }).address));
      expect([...eventAddresses]).toEqual(['module.tenant["b"].role.app']);
      // away from the configuration, status and describe show and find the recorded address
      const away = xpIn(tempDir('xp-mods-away-'), url);
      const awayStatus = expectOk(await away(['status', '--stack', stack, '--json']), 'status away');
      expect((JSON.parse(awayStatus.stdout) as Array<{ address?: string }>).map((r) => r.address)).toContain('module.tenant["b"].role.app');
      const awayDescribe = expectOk(await away(['describe', 'module.tenant["b"].role.app', '--json']), 'describe away');
      expect((JSON.parse(awayDescribe.stdout) as { resource: { name: string; address: string } }).resource).toMatchObject({
        name: `${prefix}_b_app`,
        address: 'module.tenant["b"].role.app',
      });

      // a moved block renames the call: every object stays, the plan says it moved
      const before = await withClient(url, async (c) => (await c.query<{ oid: string }>('select oid::text from pg_roles where rolname = $1', [`${prefix}_a_app`])).rows[0]!.oid);
      writeConfig(dir, { 'main.xp': main(stack, db, readers, prefix, 'customer', '\nmoved {\n  from = module.tenant\n  to   = module.customer\n}\n') });
      const movedPlan = await plan(run);
      expect(movedPlan.summary).toMatchObject({ add: 0, change: 4, destroy: 0 });
      expect(movedPlan.resources.filter((r) => r.movedFrom).map((r) => `${r.movedFrom} → ${r.address}`).sort()).toEqual([
        'module.tenant["a"].role.app → module.customer["a"].role.app',
        'module.tenant["a"].schema.tenant → module.customer["a"].schema.tenant',
        'module.tenant["b"].role.app → module.customer["b"].role.app',
        'module.tenant["b"].schema.tenant → module.customer["b"].schema.tenant',
      ]);
      expect(expectOk(await run(['plan', '--no-color']), 'plan').stdout).toContain('# module.tenant["a"].role.app has moved to module.customer["a"].role.app');
      expectOk(await run(['apply', '--auto-approve']), 'apply the move');
      for (let i = 0; i < 2; i++) expect((await run(['plan', '--detailed-exitcode'])).code, `plan ${i + 1} after the move`).toBe(0);
      const after = await withClient(url, async (c) => (await c.query<{ oid: string }>('select oid::text from pg_roles where rolname = $1', [`${prefix}_a_app`])).rows[0]!.oid);
      expect(after).toBe(before);

      // an instance no longer declared: its steps are destroys under the addresses recorded
      writeConfig(dir, { 'main.xp': main(stack, db, readers, prefix, 'customer').replace('toset(["a", "b"])', 'toset(["a"])') });
      const shrunk = await plan(run, ['--allow-data-loss']);
      expect(shrunk.resources.filter((r) => r.action === 'delete').map((r) => r.address).sort()).toEqual([
        'module.customer["b"].role.app',
        'module.customer["b"].schema.tenant',
      ]);
      // its events keep the module address where the configuration no longer declares it:
      // before the destroy (the record's address), and after it (the address each was recorded under)
      const eventsOf = async (name: string) =>
        expectOk(await run(['events', '--json', '--limit', '10000']), 'events')
          .stdout.trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { name: string; address: string; reason: string })
          .filter((e) => e.name === name);
      const pending = await eventsOf(`${prefix}_b_app`);
      expect(pending.length).toBeGreaterThan(0);
      expect(new Set(pending.map((e) => e.address))).toEqual(new Set(['module.customer["b"].role.app']));
      expectOk(await run(['apply', '--auto-approve', '--allow-data-loss']), 'apply the removal');
      const gone = await eventsOf(`${prefix}_b_app`);
      expect(gone.length).toBeGreaterThan(pending.length);
      expect(gone.at(-1)!.address).toBe('module.customer["b"].role.app');
      expect(gone.every((e) => e.address === 'module.tenant["b"].role.app' || e.address === 'module.customer["b"].role.app'), JSON.stringify(gone)).toBe(true);
      // and, gone, it is still found by that address: the events recorded at it in this stack
      // (another stack may have the same address: the same configuration applied twice)
      await withClient(url, (c) =>
        c.query(`insert into xplane.events (stack, kind, name, type, reason, address) values ($1, 'Role', $2, 'Normal', 'Deleted', $3)`, [
          `${stack}-other`,
          `${prefix}_other`,
          'module.customer["b"].role.app',
        ]),
      );
      const byAddress = expectOk(await run(['events', '--resource', 'module.customer["b"].role.app', '--json']), 'events of a destroyed resource');
      const found = byAddress.stdout.trim().split('\n').map((l) => JSON.parse(l) as { name: string; address: string; reason: string });
      expect(found.map((e) => e.reason)).toContain('Deleted');
      expect(found.every((e) => e.name === `${prefix}_b_app` && e.address === 'module.customer["b"].role.app')).toBe(true);
      await withClient(url, (c) => c.query('delete from xplane.events where stack = $1', [`${stack}-other`]));
      const never = await run(['events', '--resource', 'module.customer["zz"].role.app']);
      expect(never.code).toBe(1);
      expect(never.stderr).toContain('no managed resource module.customer["zz"].role.app');
    } finally {
      expectOk(await run(['destroy', '--auto-approve', '--allow-data-loss']), 'destroy');
    }
  });
});
