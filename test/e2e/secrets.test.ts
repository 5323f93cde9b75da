// Zero-touch credentials: a generated password reaches only the secret file (mode 0600); the
// account logs in with it, can do what it was granted and is refused the rest; --replace
// rotates it; destroy removes the file; the plaintext is never in a plan or in the provider.
import { expect, it } from 'vitest';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { configDir, expectOk, planSummary, unique, urlFor, withClient, writeConfig, xpIn, onEachServer, serverUrl } from './xp.js';

const url = serverUrl;

function secretOf(dir: string): Record<string, string> {
  return JSON.parse(readFileSync(join(dir, 'secrets', 'app.json'), 'utf8')) as Record<string, string>;
}

async function login(secret: Record<string, string>): Promise<pg.Client> {
  const c = new pg.Client({ host: secret.host, port: Number(secret.port), user: secret.username, password: secret.password, database: secret.database });
  await c.connect();
  return c;
}

onEachServer('service account secrets', { timeout: 300_000 }, () => {
  it('logs in with the generated password, has exactly its grants, rotates with --replace', async () => {
    const p = unique('sa');
    const config = `
role "${p}_owner" {}
database "${p}_db" {
  owner = role.${p}_owner
}
schema "${p}_api" {
  database = database.${p}_db
  owner    = role.${p}_owner
}
schema "${p}_private" {
  database = database.${p}_db
  owner    = role.${p}_owner
}
service_account "app" {
  name     = "${p}_app"
  database = database.${p}_db
  schemas  = [schema.${p}_api]
  grant {
    schema     = schema.${p}_api
    privileges = ["SELECT", "INSERT"]
    future     = true
  }
  connection_secret {
    path   = "secrets/app.json"
    format = "json"
  }
}
output "app_user" {
  value = service_account.app.name
}
`;
    const dir = configDir(p, { 'main.xp': config });
    const run = xpIn(dir, url());
    const plan = expectOk(await run(['plan']));
    expect(plan.stdout).toMatch(/password\s+= \(known after apply\)/);
    const apply = expectOk(await run(['apply', '--auto-approve']));
    const file = join(dir, 'secrets', 'app.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const secret = secretOf(dir);
    expect(secret.password).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(secret.username).toBe(`${p}_app`);
    for (const text of [plan.stdout, plan.stderr, apply.stdout, apply.stderr]) expect(text).not.toContain(secret.password);
    expect((await planSummary(run)).changed).toEqual([]);

    // nothing the provider stores holds the plaintext
    await withClient(url(), async (c) => {
      const { rows } = await c.query(
        `select (select coalesce(string_agg(spec::text || status::text, ''), '') from xplane.managed_resources)
             || (select coalesce(string_agg(message, ''), '') from xplane.events) as everything`,
      );
      expect(rows[0].everything).not.toContain(secret.password);
    });

    // tables created later by the owner are covered by the future grant
    await withClient(urlFor(url(), { database: `${p}_db` }), async (c) => {
      await c.query(`set role ${p}_owner`);
      await c.query(`create table ${p}_api.items (id int primary key, name text)`);
      await c.query(`create table ${p}_private.secrets (id int)`);
    });
    const app = await login(secret);
    try {
      await app.query(`insert into ${p}_api.items values (1, 'one')`);
      expect((await app.query(`select name from ${p}_api.items`)).rows).toEqual([{ name: 'one' }]);
      await expect(app.query(`delete from ${p}_api.items`)).rejects.toThrow(/permission denied/);
      await expect(app.query(`select * from ${p}_private.secrets`)).rejects.toThrow(/permission denied/);
      await expect(app.query(`create table ${p}_api.mine (id int)`)).rejects.toThrow(/permission denied/);
    } finally {
      await app.end();
    }

    // xp output: plain masks nothing sensitive here; --json carries the connection secret
    const out = expectOk(await run(['output']));
    expect(out.stdout).toContain(`app_user = "${p}_app"`);
    expect(expectOk(await run(['output', '--raw', 'app_user'])).stdout).toBe(`${p}_app`);
    const json = JSON.parse(expectOk(await run(['output', '--json'])).stdout);
    expect(json.connection_secrets.value['service_account.app'].password).toBe(secret.password);

    // rotation
    expectOk(await run(['apply', '--auto-approve', '--replace', 'service_account.app']));
    const rotated = secretOf(dir);
    expect(rotated.password).not.toBe(secret.password);
    await expect(login(secret)).rejects.toThrow(/password authentication failed/);
    const again = await login(rotated);
    await again.end();
    expect((await planSummary(run)).changed).toEqual([]);

    // a lost secret file means a lost password: the plan says so and apply issues a new one
    rmSync(file);
    expect((await planSummary(run)).change).toBe(1);
    expectOk(await run(['apply', '--auto-approve']));
    const fresh = await login(secretOf(dir));
    await fresh.end();
    expect((await planSummary(run)).changed).toEqual([]);

    expectOk(await run(['destroy', '--auto-approve', '--allow-data-loss']));
    expect(existsSync(file)).toBe(false);
  });

  it('sets a declared password and notices when it changes in the configuration', async () => {
    const p = unique('sp');
    const cfg = (pw: string) => `
database "${p}_db" {}
service_account "${p}_svc" {
  database = database.${p}_db
  password = "${pw}"
}
`;
    const dir = configDir(p, { 'main.xp': cfg('first-Pa55word') });
    const run = xpIn(dir, url());
    const apply = expectOk(await run(['apply', '--auto-approve']));
    expect(apply.stdout).not.toContain('first-Pa55word');
    const c1 = new pg.Client({ connectionString: urlFor(url(), { user: `${p}_svc`, password: 'first-Pa55word', database: `${p}_db` }) });
    await c1.connect();
    await c1.end();
    expect((await planSummary(run)).changed).toEqual([]);

    writeConfig(dir, { 'main.xp': cfg('second-Pa55word') });
    const plan = expectOk(await run(['plan']));
    expect(plan.stdout).toContain('1 to change');
    expect(plan.stdout).not.toContain('second-Pa55word');
    expectOk(await run(['apply', '--auto-approve']));
    const c2 = new pg.Client({ connectionString: urlFor(url(), { user: `${p}_svc`, password: 'second-Pa55word', database: `${p}_db` }) });
    await c2.connect();
    await c2.end();
    expect((await planSummary(run)).changed).toEqual([]);
    expectOk(await run(['destroy', '--auto-approve']));
  });
});
