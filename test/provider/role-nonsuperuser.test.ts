// Roles, service accounts and grants run by a role with only CREATEDB and CREATEROLE, as on
// managed clouds, under PostgreSQL 16+'s CREATEROLE rules (ADMIN OPTION on the roles it
// creates, no implicit membership: createrole_self_grant unset). Embedded PostgreSQL 18.
import { randomBytes } from 'node:crypto';
import { scramVerifier } from '../../src/secrets/scram.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { connectionFromUrl, installProvider, upsertProviderConfig } from '../../src/provider/install.js';
import { connect, uniqueName, withDatabase, asUser } from './harness.js';



type Result = { status_code: string; message: string; observed: Record<string, unknown> | null };

describe('non-superuser (CREATEDB + CREATEROLE) on embedded PostgreSQL 18', () => {
  const superUrl = inject('databaseUrl');
  const admin = uniqueName('xp_admin');
  const adminPassword = randomBytes(24).toString('base64url');
  const dbName = uniqueName('xp_ns');
  const reader = uniqueName('reader');
  const app = uniqueName('app');
  const foreign = uniqueName('foreign');
  const appPassword = randomBytes(32).toString('base64url');
  let url: string;
  let client: pg.Client;

  async function action(fn: string, name: string, spec: unknown): Promise<Result> {
    const { rows } = await client.query<Result>(`select * from xplane.${fn}($1, $2::jsonb)`, [name, JSON.stringify(spec)]);
    return rows[0];
  }
  const readerSpec = () => ({
    createdb: true,
    settings: { work_mem: '8MB' },
    grants: [
      { database: dbName, schema: 'app', privileges: ['SELECT'], future: true },
      { database: dbName, schema: 'app', on: 'schema', privileges: ['USAGE'] },
    ],
  });
  const appSpec = () => ({ database: dbName, schemas: ['app'], member_of: [reader], connection_limit: 5 });

  beforeAll(async () => {
    // What an administrator does once: the provider's role, its database, and dblink (not a
    // trusted extension) in a schema of its own.
    const su = await connect(superUrl);
    try {
      await su.query(`create role ${pg.escapeIdentifier(admin)} login createdb createrole password ${pg.escapeLiteral(adminPassword)}`);
      await su.query(`create database ${pg.escapeIdentifier(dbName)} owner ${pg.escapeIdentifier(admin)}`);
    } finally {
      await su.end();
    }
    const suDb = await connect(withDatabase(superUrl, dbName));
    try {
      await suDb.query(`create schema xp_dblink; create extension dblink with schema xp_dblink; grant usage on schema xp_dblink to ${pg.escapeIdentifier(admin)}`);
    } finally {
      await suDb.end();
    }
    url = asUser(withDatabase(superUrl, dbName), admin, adminPassword);
    client = await connect(url);
    const { rows } = await client.query('select rolsuper from pg_roles where rolname = current_user');
    expect(rows[0].rolsuper).toBe(false);
    await installProvider(client);
    await upsertProviderConfig(client, 'default', connectionFromUrl(url));
    await client.query(`select xplane.remote_exec('default', '', 'create schema app; create table app.items (id int); insert into app.items values (7)')`);
  });

  afterAll(async () => {
    await client?.end().catch(() => undefined);
    const su = await connect(superUrl);
    try {
      await su.query(`drop database if exists ${pg.escapeIdentifier(dbName)} with (force)`);
      for (const r of [app, reader, foreign, admin]) await su.query(`drop role if exists ${pg.escapeIdentifier(r)}`);
    } finally {
      await su.end();
    }
  });

  it('creates a role with attributes, settings, grants and default privileges; re-observes exactly', async () => {
    const r = await action('create_role', reader, readerSpec());
    expect(r.status_code, r.message).toBe('success');
    // No comment declared: not in the normalised spec; the role has none.
    const { rows } = await client.query(
      `select xplane.observe_resource('Role', $1, $2::jsonb) = xplane.normalize_spec('Role', $2::jsonb) || '{"comment": null}' as same`,
      [reader, JSON.stringify(readerSpec())],
    );
    expect(rows[0].same).toBe(true);
    expect((await action('update_role', reader, readerSpec())).status_code).toBe('no_change');
  });

  it('creates a service account that logs in and reads through its membership, tables created later included', async () => {
    const r = await action('create_service_account', app, { ...appSpec(), password: scramVerifier(appPassword) });
    expect(r.status_code, r.message).toBe('success');
    expect((await action('update_service_account', app, appSpec())).status_code).toBe('no_change');
    await client.query(`select xplane.remote_exec('default', '', 'create table app.later (id int); insert into app.later values (8)')`);
    const sa = await connect(asUser(withDatabase(superUrl, dbName), app, appPassword));
    try {
      const { rows } = await sa.query('select (select id from app.items) as a, (select id from app.later) as b');
      expect(rows[0]).toEqual({ a: 7, b: 8 });
    } finally {
      await sa.end();
    }
  });

  it('reports what PostgreSQL does not allow as permission_denied, without raising', async () => {
    const r = await action('update_role', reader, { ...readerSpec(), settings: { log_statement: 'all' } });
    expect(r.status_code).toBe('permission_denied');
    expect(r.message).toMatch(/log_statement/);
  });

  it('drops a role that owns a table and holds privileges: reassigned to the provider role, data kept', async () => {
    const su = await connect(withDatabase(superUrl, dbName));
    try {
      await su.query(`create table app.owned (id int); insert into app.owned values (1); alter table app.owned owner to ${pg.escapeIdentifier(reader)}`);
    } finally {
      await su.end();
    }
    expect((await action('delete_service_account', app, {})).status_code).toBe('success');
    const r = await action('delete_role', reader, {});
    expect(r.status_code, r.message).toBe('success');
    const { rows } = await client.query(
      `select pg_get_userbyid(relowner)::text as owner, (select count(*)::int from app.owned) as n from pg_class where oid = 'app.owned'::regclass`,
    );
    expect(rows[0]).toEqual({ owner: admin, n: 1 });
    const { rows: left } = await client.query('select count(*)::int as n from pg_roles where rolname = any($1)', [[reader, app]]);
    expect(left[0].n).toBe(0);
  });

  it('refuses to drop a role it may not act for, naming the database and the reason', async () => {
    const su = await connect(withDatabase(superUrl, dbName));
    try {
      await su.query(`create role ${pg.escapeIdentifier(foreign)}; create table app.theirs (id int); alter table app.theirs owner to ${pg.escapeIdentifier(foreign)}`);
    } finally {
      await su.end();
    }
    const r = await action('delete_role', foreign, {});
    expect(r.status_code).toBe('permission_denied');
    expect(r.message).toContain(`role "${foreign}" cannot be dropped: it owns objects or holds privileges in "${dbName}"`);
    const { rows } = await client.query('select count(*)::int as n from pg_roles where rolname = $1', [foreign]);
    expect(rows[0].n).toBe(1);
  });
});
