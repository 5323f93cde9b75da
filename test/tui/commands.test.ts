import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlDatabase, xp, type ControlDatabase } from './provider-fixture.js';
import { watchStatus } from '../../src/cli/commands/status.js';
import { Chalk } from 'chalk';
import { capture } from '../views/scenarios.js';
import pg from 'pg';

let db: ControlDatabase;

/** Records as the provider keeps them (temporary: direct rows until xplane.apply lands). */
async function seed(c: pg.Client) {
  const { rows } = await c.query<{ id: string; name: string }>(
    `insert into xplane.managed_resources (stack, kind, name, database, spec, status, created_at)
     values ('saas', 'Role', 'app_owner', '', '{"inherit": true, "member_of": []}', '{"status_code": "success", "message": "role \\"app_owner\\" created", "action": "create", "observed": {"inherit": true, "member_of": []}}', now() - interval '5 minutes'),
            ('saas', 'Schema', 'api', 'saas', '{"database": "saas", "owner": "app_owner"}', '{"status_code": "permission_denied", "message": "permission denied for database saas", "action": "create"}', now() - interval '2 minutes'),
            ('other', 'Role', 'ops', '', '{}', '{}', now())
     returning id::text, name`,
  );
  const id = (n: string) => rows.find((r) => r.name === n)!.id;
  await c.query(
    `insert into xplane.conditions (resource_id, type, status, reason, message, last_transition) values
       ($1, 'Synced', 'True', 'ReconcileSuccess', '', now() - interval '5 minutes'),
       ($1, 'Ready', 'True', 'Available', '', now() - interval '5 minutes'),
       ($2, 'Synced', 'False', 'ReconcileError', 'permission denied for database saas', now() - interval '2 minutes'),
       ($2, 'Ready', 'False', 'Unavailable', 'schema "api" does not exist', now() - interval '2 minutes')`,
    [id('app_owner'), id('api')],
  );
  await c.query(
    `insert into xplane.events (resource_id, stack, kind, name, database, type, reason, message, created_at) values
       ($1, 'saas', 'Role', 'app_owner', '', 'Normal', 'Created', 'role "app_owner" created', now() - interval '5 minutes'),
       ($2, 'saas', 'Schema', 'api', 'saas', 'Warning', 'ReconcileError', 'permission denied for database saas', now() - interval '2 minutes'),
       ($3, 'other', 'Role', 'ops', '', 'Normal', 'Created', 'role "ops" created', now())`,
    [id('app_owner'), id('api'), id('ops')],
  );
  return { id };
}

let ids: Awaited<ReturnType<typeof seed>>;

beforeAll(async () => {
  db = await controlDatabase();
  ids = await seed(db.client);
});
afterAll(async () => db?.drop());

describe('xp status', () => {
  it('lists the stack’s resources with Synced / Ready / age / reason', async () => {
    const r = await xp(['status', '--stack', 'saas', '--database-url', db.url]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'NAME             KIND     DATABASE   SYNCED    READY     AGE   REASON',
        'role.app_owner   Role     -          True      True      5m    Available',
        'schema.api       Schema   saas       False     False     2m    Unavailable: schema "api" does not exist',
        '',
      ].join('\n'),
    );
  });

  it('shows every stack with -A, and JSON with --json', async () => {
    const all = await xp(['status', '-A', '--database-url', db.url]);
    expect(all.stdout.split('\n')[0]).toMatch(/^STACK {3}NAME/);
    expect(all.stdout).toContain('other   role.ops');
    const json = await xp(['status', '--stack', 'saas', '--json', '--database-url', db.url]);
    const rows = JSON.parse(json.stdout);
    expect(rows.map((r: { address: string; synced: string; ready: string }) => [r.address, r.synced, r.ready])).toEqual([
      ['role.app_owner', 'True', 'True'],
      ['schema.api', 'False', 'False'],
    ]);
  });

  it('takes XP_DATABASE_URL from the environment', async () => {
    const r = await xp(['status', '--stack', 'other'], { XP_DATABASE_URL: db.url });
    expect(r.stdout).toContain('role.ops');
  });

  it('says clearly when there is no connection, or no provider, without a stack trace', async () => {
    const none = await xp(['status'], {}, '/tmp');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('Error: no database connection configured');
    const bare = new URL(db.url);
    bare.pathname = '/template1';
    const missing = await xp(['status', '--database-url', bare.toString()]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('the xp provider (schema xplane) is not installed');
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });

  it('follows changes live with --watch: the table, then a line per change (NOTIFY)', async () => {
    const listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    const out = capture();
    const abort = new AbortController();
    const c = new Chalk({ level: 0 });
    const watching = watchStatus(listener, out, { stack: 'other', json: false, interactive: false, c, signal: abort.signal });
    try {
      await until(() => out.text().includes('role.ops'));
      expect(out.text()).toBe('NAME       KIND   DATABASE   SYNCED    READY     AGE   REASON\nrole.ops   Role   -          Unknown   Unknown   0s\n');
      await db.client.query(
        `insert into xplane.conditions (resource_id, type, status, reason) values ($1, 'Synced', 'True', 'ReconcileSuccess'), ($1, 'Ready', 'True', 'Available')`,
        [ids.id('ops')],
      );
      // A notice of another stack is ignored; the one of this stack brings the change.
      await db.client.query(`select pg_notify('xplane', $1)`, [JSON.stringify({ type: 'condition', stack: 'saas', kind: 'Role', name: 'x' })]);
      await db.client.query(`select pg_notify('xplane', $1)`, [JSON.stringify({ type: 'condition', stack: 'other', kind: 'Role', name: 'ops' })]);
      await until(() => out.text().split('\n').length > 3);
      expect(out.text().split('\n').slice(2)).toEqual(['role.ops   Role   -          True      True      0s    Available', '']);
    } finally {
      abort.abort();
      await watching;
      await listener.end();
    }
  });
});

describe('xp describe', () => {
  it('shows spec, observed state, the last operation, conditions and events', async () => {
    const r = await xp(['describe', 'role.app_owner', '--database-url', db.url]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Name:               role.app_owner\nKind:               Role\n');
    expect(r.stdout).toContain('Spec:\n  inherit: true\n  member_of: []\nObserved:\n  inherit: true\n  member_of: []\n');
    expect(r.stdout).toContain('Last operation:     create: success — role "app_owner" created');
    expect(r.stdout).toContain(
      [
        'Conditions:',
        '  TYPE     STATUS   REASON             LAST TRANSITION   MESSAGE',
        '  Synced   True     ReconcileSuccess   5m ago',
        '  Ready    True     Available          5m ago',
        'Events:',
        '  AGE    TYPE      REASON             OBJECT                     MESSAGE',
        '  5m     Normal    Created            role.app_owner             role "app_owner" created',
        '',
      ].join('\n'),
    );
  });

  it('accepts kubectl’s Kind/name and prints JSON', async () => {
    const r = await xp(['describe', 'Schema/api', '--json', '--database-url', db.url]);
    const d = JSON.parse(r.stdout);
    expect(d.resource).toMatchObject({ address: 'schema.api', database: 'saas', synced: 'False' });
    expect(d.conditions.map((k: { type: string }) => k.type)).toEqual(['Synced', 'Ready']);
    expect(d.events[0]).toMatchObject({ type: 'Warning', reason: 'ReconcileError' });
  });

  it.each([
    [['describe', 'schema.nope'], 1, 'no managed resource schema.nope'],
    [['describe', 'nonsense'], 2, 'not a resource address: nonsense'],
    [['describe'], 2, 'xp describe takes one address'],
  ])('%j → exit %i, “%s”', async (args, code, message) => {
    const r = await xp([...args, '--database-url', db.url]);
    expect(r.code).toBe(code);
    expect(r.stderr).toContain(message);
  });
});

describe('xp events', () => {
  it('lists events oldest first, filtered by stack, resource and type', async () => {
    const all = await xp(['events', '-A', '--database-url', db.url]);
    expect(all.stdout.trimEnd().split('\n').map((l) => l.split(/\s{3,}/)[2])).toEqual(['REASON', 'Created', 'ReconcileError', 'Created']);
    const warnings = await xp(['events', '-A', '--type', 'warning', '--database-url', db.url]);
    expect(warnings.stdout).toMatch(/Warning {3}ReconcileError {5}schema\.api {17}permission denied for database saas\n$/);
    const one = await xp(['events', '--resource', 'role.ops', '--json', '--database-url', db.url]);
    expect(one.stdout.trimEnd().split('\n').map((l) => JSON.parse(l).message)).toEqual(['role "ops" created']);
    const bad = await xp(['events', '--type', 'Fatal', '--database-url', db.url]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--type must be Normal or Warning');
  });
});

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!cond()) throw new Error('condition not reached');
}
