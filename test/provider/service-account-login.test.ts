// A service account's password reaches the server only as a SCRAM-SHA-256 verifier computed
// here, and a client can log in with the password; after someone drops the account by hand,
// reconcile re-creates it with the stored verifier, so the same password works again.
// Runs on the embedded PostgreSQL 18 (password auth) and PostgreSQL 15 (scram-sha-256 auth).
import { randomBytes } from 'node:crypto';
import { scramVerifier } from '../../src/secrets/scram.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type pg from 'pg';
import { connect, providerDatabase, serverTargets, uniqueName, type ProviderDatabase, asUser, missingServer } from './harness.js';

/** RFC 5802 / 7677 verifier as PostgreSQL stores it (what the engine sends instead of a password). */


async function canLogin(url: string): Promise<string> {
  try {
    const c = await connect(url);
    try {
      const { rows } = await c.query<{ u: string }>('select current_user::text as u');
      return rows[0].u;
    } finally {
      await c.end();
    }
  } catch (err) {
    return `refused: ${(err as Error).message}`;
  }
}

for (const target of serverTargets(inject('databaseUrl'))) {
  describe(`service account login on ${target.label}`, () => {
    if (missingServer(target)) return;
    const url = target.url!;
    let db: ProviderDatabase;
    let client: pg.Client;
    const name = uniqueName("sa it's");
    const password = randomBytes(32).toString('base64url');

    beforeAll(async () => {
      db = await providerDatabase(url, 'xp_login');
      client = db.client;
      await client.query(`select xplane.remote_exec('default', '', 'create schema app; create table app.items (id int); insert into app.items values (1), (2)')`);
    });
    afterAll(async () => {
      await client.query(`select xplane.delete_service_account($1, '{}')`, [name]).catch(() => undefined);
      await db.drop();
    });

    const spec = () => ({
      database: db.name,
      schemas: ['app'],
      grants: [{ schema: 'app', privileges: ['SELECT'], future: true }],
    });

    it('applies with a verifier; the password logs in and reads the granted table; plaintext never stored', async () => {
      const verifier = scramVerifier(password);
      const { rows } = await client.query<{ id: string }>(
        `select xplane.apply('ServiceAccount', $1, $2::jsonb) as id`,
        [name, JSON.stringify({ ...spec(), password: verifier })],
      );
      const { rows: st } = await client.query(
        `select spec, status from xplane.managed_resources where id = $1`,
        [rows[0].id],
      );
      expect(st[0].status.status_code).toBe('success');
      expect(JSON.stringify(st[0])).not.toContain('SCRAM');
      expect(JSON.stringify(st[0].spec)).not.toContain('password');
      const { rows: ev } = await client.query(`select string_agg(message, ' ') as m from xplane.events`);
      expect(ev[0].m ?? '').not.toContain('SCRAM');

      const sa = asUser(db.url, name, password);
      expect(await canLogin(sa)).toBe(name);
      const c = await connect(sa);
      try {
        const { rows: items } = await c.query('select count(*)::int as n from app.items');
        expect(items[0].n).toBe(2);
      } finally {
        await c.end();
      }
      expect(await canLogin(asUser(db.url, name, password + 'x'))).toMatch(/^refused: .*password authentication failed/);
    });

    it('re-creates an account dropped by hand with the same password (reconcile heals)', async () => {
      await client.query(`select xplane.remote_exec('default', '', format('drop owned by %1$I; drop role %1$I', $1::text))`, [name]);
      expect(await canLogin(asUser(db.url, name, password))).toMatch(/^refused/);
      const { rows } = await client.query(
        `select (r).status_code as code from (select xplane.reconcile(id) as r from xplane.managed_resources where name = $1) x`,
        [name],
      );
      expect(rows[0].code).toBe('success');
      expect(await canLogin(asUser(db.url, name, password))).toBe(name);
      // No comment declared: not in the normalised spec; the re-created account has none.
      const { rows: obs } = await client.query(
        `select xplane.observe_resource('ServiceAccount', $1, $2::jsonb) = xplane.normalize_spec('ServiceAccount', $2::jsonb) || '{"comment": null}' as same`,
        [name, JSON.stringify(spec())],
      );
      expect(obs[0].same).toBe(true);
    });

    it('rotates: a new verifier through apply, the old password stops working', async () => {
      const next = randomBytes(32).toString('base64url');
      await client.query(`select xplane.apply('ServiceAccount', $1, $2::jsonb)`, [
        name,
        JSON.stringify({ ...spec(), password: scramVerifier(next) }),
      ]);
      expect(await canLogin(asUser(db.url, name, next))).toBe(name);
      expect(await canLogin(asUser(db.url, name, password))).toMatch(/^refused/);
    });
  });
}
