// The whole loop run by a role with only CREATEDB and CREATEROLE (as on managed clouds):
// install, apply of every kind SQL-A owns with a role xp created as their owner (PostgreSQL
// 16+: ADMIN OPTION only, so xp grants itself SET first), a refusal that comes back as
// permission_denied with advice, drift healed by reconcile_all, and deletion in reverse.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { connectionFromUrl, installProvider, upsertProviderConfig } from '../../src/provider/install.js';
import { connect, serverTargets, uniqueName, withDatabase, missingServer } from './harness.js';

function asUser(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  return u.toString();
}

for (const target of serverTargets(inject('databaseUrl'))) {
  describe(`non-superuser provider on ${target.label}`, () => {
    if (missingServer(target)) return;
    const superUrl = target.url!;
    const admin = uniqueName('xp_ops');
    const password = randomBytes(24).toString('base64url');
    const control = uniqueName('xp_ctl');
    const db = uniqueName('xp_app');
    const owner = uniqueName('xp_owner');
    let client: pg.Client;

    const status = async () =>
      (
        await client.query<{ kind: string; name: string; ready: string; ready_reason: string | null; ready_message: string | null }>(
          `select kind::text, name, ready, ready_reason, ready_message from xplane.resource_status order by xplane.kind_order(kind), name`,
        )
      ).rows;

    beforeAll(async () => {
      const su = await connect(superUrl);
      try {
        await su.query(`create role ${pg.escapeIdentifier(admin)} login createdb createrole password ${pg.escapeLiteral(password)}`);
        await su.query(`create database ${pg.escapeIdentifier(control)} owner ${pg.escapeIdentifier(admin)}`);
      } finally {
        await su.end();
      }
      // dblink is not a trusted extension: an administrator creates it once.
      const suCtl = await connect(withDatabase(superUrl, control));
      try {
        await suCtl.query(`create extension dblink`);
      } finally {
        await suCtl.end();
      }
      const url = asUser(withDatabase(superUrl, control), admin, password);
      client = await connect(url);
      await installProvider(client);
      await upsertProviderConfig(client, 'default', connectionFromUrl(url));
    });

    afterAll(async () => {
      await client?.end().catch(() => undefined);
      const su = await connect(superUrl);
      try {
        for (const d of [db, control]) await su.query(`drop database if exists ${pg.escapeIdentifier(d)} with (force)`);
        for (const r of [owner, admin]) await su.query(`drop role if exists ${pg.escapeIdentifier(r)}`);
      } finally {
        await su.end();
      }
    });

    it('runs as a non-superuser', async () => {
      const { rows } = await client.query(`select rolsuper, rolcreatedb, rolcreaterole from pg_roles where rolname = current_user`);
      expect(rows[0]).toEqual({ rolsuper: false, rolcreatedb: true, rolcreaterole: true });
    });

    it('applies a role, a database and a schema it owns, and a trusted extension', async () => {
      await client.query(`select xplane.apply('Role', $1, '{}')`, [owner]);
      await client.query(`select xplane.apply('Database', $1, jsonb_build_object('owner', $2::text, 'comment', 'app'))`, [db, owner]);
      await client.query(`select xplane.apply('Schema', 'api', jsonb_build_object('database', $1::text, 'owner', $2::text))`, [db, owner]);
      await client.query(`select xplane.apply('Extension', 'pgcrypto', jsonb_build_object('database', $1::text))`, [db]);
      expect((await status()).map((s) => [s.kind, s.ready, s.ready === 'True' ? '' : s.ready_message])).toEqual([
        ['Database', 'True', ''],
        ['Role', 'True', ''],
        ['Schema', 'True', ''],
        ['Extension', 'True', ''],
      ]);
      const { rows } = await client.query(
        `select xplane.observe_resource('Database', $1, '{}') ->> 'owner' as db_owner,
                xplane.observe_resource('Schema', 'api', jsonb_build_object('database', $1::text)) ->> 'owner' as schema_owner`,
        [db],
      );
      expect(rows[0]).toEqual({ db_owner: owner, schema_owner: owner });
    });

    it('reports an untrusted extension as PermissionDenied, saying what to do', async () => {
      await client.query(`select xplane.apply('Extension', 'dblink', jsonb_build_object('database', $1::text))`, [db]);
      const row = (await status()).find((s) => s.kind === 'Extension' && s.name === 'dblink')!;
      expect(row.ready).toBe('False');
      expect(row.ready_reason).toBe('PermissionDenied');
      expect(row.ready_message).toMatch(/^Grant the provider's role the privilege it lacks.*permission denied/);
      expect(await client.query(`select xplane.delete('Extension', 'dblink', $1)`, [db]).then((r) => r.rows[0].delete)).toBe(true);
    });

    it('heals drift made by hand with reconcile_all', async () => {
      // The database declares its comment ('app'): healed. The schema declares none: not
      // managed, so the comment made by hand stays.
      await client.query(`select xplane.remote_exec('default', $1, 'comment on schema api is ''by hand''')`, [db]);
      await client.query(`select xplane.remote_exec('default', '', format('comment on database %I is ''by hand''', $1::text))`, [db]);
      await client.query(`select xplane.remote_exec('default', '', format('alter database %I connection limit 3', $1::text))`, [db]);
      await client.query(`select xplane.reconcile_all()`);
      const { rows } = await client.query(
        `select xplane.observe_resource('Database', $1, '{}') ->> 'connection_limit' as limit,
                xplane.observe_resource('Database', $1, '{}') ->> 'comment' as db_comment,
                xplane.observe_resource('Schema', 'api', jsonb_build_object('database', $1::text)) ->> 'comment' as comment`,
        [db],
      );
      expect(rows[0]).toEqual({ limit: '-1', db_comment: 'app', comment: 'by hand' });
    });

    it('deletes everything in reverse order', async () => {
      for (const [kind, name, database] of [
        ['Extension', 'pgcrypto', db],
        ['Schema', 'api', db],
        ['Database', db, ''],
        ['Role', owner, ''],
      ]) {
        const { rows } = await client.query(`select xplane.delete($1, $2, $3) as gone`, [kind, name, database]);
        expect(rows[0].gone, `${kind} ${name}`).toBe(true);
      }
      expect(await status()).toEqual([]);
      const { rows } = await client.query(`select count(*)::int as n from pg_database where datname = $1`, [db]);
      expect(rows[0].n).toBe(0);
    });
  });
}
