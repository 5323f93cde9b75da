// The stack lock: one holder per stack, named as the server records it; released when its
// transaction or its backend ends (a crashed client included); out of reach of a role that can
// merely connect to the control database, which can neither take it nor pass for its holder.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { applicationName, lockHolder, lockStack, parseDuration } from '../../src/state/lock.js';
import { installProvider } from '../../src/provider/install.js';
import { asUser, connect, missingServer, providerDatabase, serverTargets, uniqueName, withDatabase, type ProviderDatabase } from '../provider/harness.js';

for (const target of serverTargets(inject('databaseUrl'))) {
  describe(`the stack lock on ${target.label}`, () => {
    if (missingServer(target)) return;
    let db: ProviderDatabase;
    const intruder = uniqueName('xp_intruder');
    const password = randomBytes(18).toString('base64url');
    const clients: pg.Client[] = [];
    const client = async (url = db.url) => {
      const c = new pg.Client({ connectionString: url, application_name: applicationName('apply') });
      c.on('error', () => undefined);
      await c.connect();
      clients.push(c);
      return c;
    };
    const pidOf = async (c: pg.Client) => (await c.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    const user = async (c: pg.Client) => (await c.query<{ u: string }>('select session_user as u')).rows[0]!.u;

    beforeAll(async () => {
      db = await providerDatabase(target.url!, 'xp_lock');
      // A role that may connect to the control database, and nothing else.
      await db.client.query(`create role ${pg.escapeIdentifier(intruder)} login password ${pg.escapeLiteral(password)}`);
    });
    afterAll(async () => {
      await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
      await db?.drop();
      const su = await connect(target.url!);
      await su.query(`drop role if exists ${pg.escapeIdentifier(intruder)}`).catch(() => undefined);
      await su.end();
    });

    it('admits one holder per stack and names it as the server records it', async () => {
      const a = await client();
      const b = await client();
      const release = await lockStack(a, 'lock-test', 0);
      const holder = { pid: await pidOf(a), role: await user(a) };
      await expect(lockStack(b, 'lock-test', 0)).rejects.toThrow(
        new RegExp(`^stack "lock-test" is locked by role "${holder.role}" \\(backend pid ${holder.pid}, from [0-9a-f.:]+, connected \\d{4}-\\d\\d-\\d\\dT[\\d:]+Z\\) since \\d{4}-\\d\\d-\\d\\dT[\\d:]+Z$`),
      );
      // waiting: the server waits (lock_timeout), then names the holder the same way
      await expect(lockStack(b, 'lock-test', 300)).rejects.toThrow(`locked by role "${holder.role}" (backend pid ${holder.pid}`);
      expect(await lockHolder(b, 'lock-test')).toMatchObject({ backendPid: holder.pid, role: holder.role });
      // another stack is independent
      const other = await lockStack(b, 'lock-test-2', 0);
      await other();
      // one that waits gets it when the holder is done, and is then the holder the server names
      const waiting = lockStack(b, 'lock-test', 60_000);
      await release();
      const releaseB = await waiting;
      const c = await client();
      await expect(lockStack(c, 'lock-test', 0)).rejects.toThrow(`locked by role "${holder.role}" (backend pid ${await pidOf(b)}`);
      await releaseB();
      expect(await lockHolder(b, 'lock-test')).toBeNull();
      const again = await lockStack(c, 'lock-test', 0);
      await again();
    });

    it('is released when the holder ends: its connection closed, its client killed, its backend terminated', async () => {
      const next = await client();
      // closed
      const a = await client();
      await lockStack(a, 'lock-test-3', 0);
      await a.end();
      await (await lockStack(next, 'lock-test-3', 60_000))();
      // killed: the socket goes away without a goodbye (kill -9 of the client)
      const k = await client();
      await lockStack(k, 'lock-test-3', 0);
      (k as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
      await (await lockStack(next, 'lock-test-3', 60_000))();
      // terminated by an administrator (pg_terminate_backend, or a crash of the backend)
      const t = await client();
      await lockStack(t, 'lock-test-3', 0);
      await db.client.query('select pg_terminate_backend($1)', [await pidOf(t)]);
      await (await lockStack(next, 'lock-test-3', 60_000))();
    });

    it('cannot be taken, nor its holder impersonated, by a role that can only connect', async () => {
      const url = asUser(db.url, intruder, password);
      const mallory = await client(url);
      // xp before: the lock was the advisory lock of this key, and its holder whoever held it,
      // named by the application_name it chose.
      await mallory.query(`select pg_advisory_lock(hashtextextended('xp:stack:' || 'lock-test-4', 0))`);
      await mallory.query(`set application_name = 'xp@1700000000 pid=4242 alice@build-host'`);
      await expect(mallory.query(`select xplane.lock_stack('lock-test-4', 0)`)).rejects.toThrow(/permission denied/);
      await expect(mallory.query(`select 1 from xplane.stacks where name = 'lock-test-4' for update`)).rejects.toThrow(/permission denied/);
      // none of that stops xp, and xp's holder is named by the server, not by any application_name
      const a = await client();
      const release = await lockStack(a, 'lock-test-4', 0);
      const b = await client();
      await b.query(`set application_name = 'xp@1700000000 pid=4242 alice@build-host'`);
      const err = await lockStack(b, 'lock-test-4', 0).then(
        () => null,
        (e: Error) => e,
      );
      expect(err?.message).toContain(`locked by role "${await user(a)}" (backend pid ${await pidOf(a)}`);
      expect(err?.message).not.toMatch(/4242|alice|build-host/);
      await release();
    });

    it('names the holder in full where the provider belongs to a role that is not a superuser', async () => {
      // As on managed clouds: a CREATEDB CREATEROLE role owns the control database and the provider.
      const owner = uniqueName('xp_lockowner');
      const ownerPassword = randomBytes(18).toString('base64url');
      const control = uniqueName('xp_lockctl');
      const su = await connect(target.url!);
      try {
        await su.query(`create role ${pg.escapeIdentifier(owner)} login createdb createrole password ${pg.escapeLiteral(ownerPassword)}`);
        await su.query(`create database ${pg.escapeIdentifier(control)} owner ${pg.escapeIdentifier(owner)}`);
        const suCtl = await connect(withDatabase(target.url!, control));
        await suCtl.query('create extension dblink');
        await suCtl.end();
        const url = asUser(withDatabase(target.url!, control), owner, ownerPassword);
        const installer = await client(url);
        await installProvider(installer);
        const a = await client(url);
        const b = await client(url);
        const release = await lockStack(a, 'lock-test-5', 0);
        await expect(lockStack(b, 'lock-test-5', 0)).rejects.toThrow(
          new RegExp(`^stack "lock-test-5" is locked by role "${owner}" \\(backend pid ${await pidOf(a)}, from [0-9a-f.:]+, connected [^)]+\\) since \\d{4}-`),
        );
        await release();
        await Promise.all([installer, a, b].map((c) => c.end()));
      } finally {
        await su.query(`drop database if exists ${pg.escapeIdentifier(control)} with (force)`);
        await su.query(`drop role if exists ${pg.escapeIdentifier(owner)}`);
        await su.end();
      }
    });

    it.each([
      ['0', 0],
      ['500ms', 500],
      ['30s', 30_000],
      ['2m', 120_000],
      ['7', 7000],
      ['soon', null],
    ])('parses the duration %s', (text, ms) => {
      expect(parseDuration(text)).toBe(ms);
    });
  });
}
