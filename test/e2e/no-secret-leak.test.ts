// No secret reaches a log, a plan or a terminal. A dedicated PostgreSQL logs every statement
// with its parameters (log_statement = all, log_parameter_max_length = -1, on error too, and
// log_min_duration_statement = 0); xp runs a whole life against it (init, plans, a saved plan,
// apply with a declared and a generated password, an admin password change, rotation, a new
// declared password, status, describe, events, destroy), as a superuser and as an admin with
// only CREATEDB and CREATEROLE. Then every secret involved (admin passwords, service account
// passwords, and the SCRAM verifiers of all of them) is looked for in the server log, in
// everything xp printed, in the saved plan and in .xp/: zero hits. On the way, a --var that
// calls env("XP_DATABASE_URL") is refused (values from outside are literals).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { binariesIn, embeddedBinaries, SYSTEM_PG15_BIN, temporaryServer, type Binaries, type TemporaryServer } from '../../src/server/cluster.js';
import { missing, type Requirement } from '../setup/requirements.js';
import { upsertProviderConfig } from '../../src/provider/install.js';
import { configDir, expectOk, unique, xp, type XpResult } from './xp.js';

const secretWord = (what: string) => `${what}-${randomBytes(12).toString('hex')}`;

let server: TemporaryServer | undefined;
let port = 0;
const superPassword = secretWord('superpw');
/** The superuser's password now (the test changes it). */
let superCurrent = superPassword;

function urlOf(user: string, password: string, database: string): string {
  return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

/** A superuser session whose own statements are not logged (the test's setup, not xp). */
async function quietly<T>(fn: (c: pg.Client) => Promise<T>, database = 'postgres'): Promise<T> {
  const c = new pg.Client({ connectionString: urlOf('postgres', superCurrent, database) });
  await c.connect();
  try {
    await c.query(`set log_statement = 'none'; set log_min_duration_statement = -1; set log_min_error_statement = panic`);
    return await fn(c);
  } finally {
    await c.end();
  }
}

function filesUnder(dir: string): string[] {
  let out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(filesUnder(path));
    else out.push(path);
  }
  return out;
}


interface Admin {
  user: string;
  password: string;
  database: string;
}

/** xp's whole life as `admin`; returns every secret involved and everything xp printed. */
async function lifeOf(admin: Admin, changePassword: (user: string, password: string) => Promise<void>) {
  const p = unique('leak');
  const secrets = new Set<string>([admin.password]);
  const printed: XpResult[] = [];
  let url = urlOf(admin.user, admin.password, admin.database);
  const config = `
variable "pw" {
  type      = string
  sensitive = true
}
variable "tags" {
  type    = list(string)
  default = []
}
database "${p}_db" {
  comment = join(",", var.tags)
}
service_account "declared" {
  name     = "${p}_decl"
  database = database.${p}_db
  password = var.pw
}
service_account "generated" {
  name     = "${p}_gen"
  database = database.${p}_db
  connection_secret {
    path   = "secrets/gen.json"
    format = "json"
  }
}
`;
  const dir = configDir(p, { 'main.xp': config });
  let declared = secretWord('declared');
  secrets.add(declared);
  const run = async (args: string[]) => {
    const r = await xp([...args, '--database-url', url], { cwd: dir, env: { XP_VAR_pw: declared } });
    printed.push(r);
    return expectOk(r, `xp ${args.join(' ')}`);
  };
  const generated = () => (JSON.parse(readFileSync(join(dir, 'secrets', 'gen.json'), 'utf8')) as { password: string }).password;
  const verifiers = () =>
    quietly(async (c) => {
      const { rows } = await c.query<{ v: string }>(
        `select rolpassword as v from pg_authid where rolname = any($1) and rolpassword is not null`,
        [[admin.user, `${p}_decl`, `${p}_gen`]],
      );
      for (const r of rows) secrets.add(r.v);
      return rows.length;
    });

  await run(['init']);
  // a value from outside is a literal: env() would print the admin URL in the plan
  const fromEnv = await xp(['plan', '--var', 'tags=[env("XP_DATABASE_URL")]', '--database-url', url], {
    cwd: dir,
    env: { XP_VAR_pw: declared, XP_DATABASE_URL: url },
  });
  printed.push(fromEnv);
  expect(fromEnv.code).toBe(1);
  expect(fromEnv.stderr).toContain('variable "tags" (--var tags): a function call (env()) is not allowed in a variable value');
  await run(['plan']);
  await run(['plan', '--json']);
  const saved = join(dir, 'saved.plan');
  await run(['plan', '--out', saved]);
  const savedPlan = readFileSync(saved, 'utf8');
  await run(['apply', saved, dir]);
  secrets.add(generated());
  expect(await verifiers()).toBe(3);

  // the admin's password changes: the provider config follows (a new upsert)
  const newAdminPassword = secretWord('adminpw2');
  secrets.add(newAdminPassword);
  await changePassword(admin.user, newAdminPassword);
  url = urlOf(admin.user, newAdminPassword, admin.database);
  await run(['init']);
  await verifiers();

  // rotation of the generated password, and a new declared one
  await run(['apply', '--auto-approve', '--replace', 'service_account.generated']);
  secrets.add(generated());
  declared = secretWord('declared2');
  secrets.add(declared);
  await run(['apply', '--auto-approve']);
  await verifiers();
  const status = await run(['status']);
  expect(status.stdout).toContain(`service_account.generated`);
  await run(['describe', 'service_account.declared']);
  await run(['events']);
  await run(['destroy', '--auto-approve']);

  const stateFiles = filesUnder(join(dir, '.xp')).map((f) => ({ name: f, text: readFileSync(f, 'latin1') }));
  expect(stateFiles.length).toBeGreaterThan(0);
  return { secrets: [...secrets], printed, savedPlan, stateFiles, dir };
}

function leaks(secrets: string[], where: Array<{ name: string; text: string }>): string[] {
  const found: string[] = [];
  for (const s of secrets) for (const w of where) if (w.text.includes(s)) found.push(`${s.slice(0, 20)}… in ${w.name}`);
  return found;
}

/** The system PostgreSQL 15's binaries (a temporary server of its own, with these log settings). */
const pg15Binaries: Requirement = {
  what: 'PostgreSQL 15',
  install: 'apt-get install postgresql-15',
  available: () => existsSync(join(SYSTEM_PG15_BIN, 'postgres')),
};

const targets: Array<{ label: string; bins: () => Promise<Binaries>; requirement?: Requirement }> = [
  { label: 'embedded PostgreSQL 18', bins: embeddedBinaries },
  { label: 'PostgreSQL 15', bins: () => Promise.resolve(binariesIn(SYSTEM_PG15_BIN)), requirement: pg15Binaries },
];

describe.each(targets)('no secret reaches a log, a plan or a terminal ($label)', { timeout: 600_000 }, (target) => {
  if (target.requirement && missing(target.requirement)) return;
  beforeAll(async () => {
    superCurrent = superPassword;
    server = await temporaryServer({
      bins: await target.bins(),
      password: superPassword,
      prefix: 'xp-leak-pg-',
      settings: [
        "log_statement = 'all'",
        'log_parameter_max_length = -1',
        'log_parameter_max_length_on_error = -1',
        "log_min_error_statement = 'error'",
        'log_min_duration_statement = 0',
        'logging_collector = off',
      ],
    });
    port = server.port;
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('as a superuser and as a CREATEDB CREATEROLE admin: server log, output, saved plan and .xp/ hold none', async () => {
    const changePassword = (user: string, password: string) =>
      quietly(async (c) => {
        await c.query(`alter role ${pg.escapeIdentifier(user)} password ${pg.escapeLiteral(password)}`);
        if (user === 'postgres') superCurrent = password;
      });

    // A superuser admin, in its own control database.
    const superDb = unique('leak_ctl');
    await quietly((c) => c.query(`create database ${superDb}`));
    const asSuper = await lifeOf({ user: 'postgres', password: superPassword, database: superDb }, changePassword);

    // An admin with only CREATEDB and CREATEROLE (dblink installed for it, and the right to turn
    // off statement logging for its own sessions: GRANT SET ON PARAMETER, PostgreSQL 15+).
    const admin = { user: unique('xp_admin'), password: secretWord('nonsuperpw'), database: unique('leak_ns') };
    await quietly(async (c) => {
      await c.query(`create role ${admin.user} login createdb createrole password ${pg.escapeLiteral(admin.password)}`);
      await c.query(`create database ${admin.database} owner ${admin.user}`);
      await c.query(
        `grant set on parameter log_statement, log_min_error_statement, log_min_duration_statement, log_min_duration_sample, log_transaction_sample_rate to ${admin.user}`,
      );
    });
    await quietly((c) => c.query('create extension dblink'), admin.database);
    const asAdmin = await lifeOf(admin, changePassword);

    // A failing call carrying a secret: log_min_error_statement logs its statement (and, here,
    // its parameters), never the secret.
    const failing = secretWord('failing');
    const logged = new pg.Client({ connectionString: urlOf('postgres', superCurrent, superDb) });
    await logged.connect();
    try {
      await expect(upsertProviderConfig(logged, '', { password: failing })).rejects.toThrow(/name must not be empty/);
    } finally {
      await logged.end();
    }

    // the server writes each message as it happens: all of xp's are in the log by now
    const serverLog = readFileSync(join(server!.root, 'server.log'), 'utf8');
    await server!.stop();
    server = undefined;
    // The log really holds every statement, the remote sessions' included.
    expect(serverLog).toContain('copy pg_temp.xp_secret_input');
    expect(serverLog).toContain('select xplane.apply_many(xplane.secret_input(), $1)');
    expect(serverLog).toContain('pg_advisory_xact_lock(7893101');
    expect(serverLog).toMatch(/ERROR: {2}provider config name must not be empty[\s\S]*STATEMENT: {2}select xplane\.upsert_provider_config/);

    const secrets = [...asSuper.secrets, ...asAdmin.secrets, failing];
    expect(secrets.filter((s) => s.startsWith('SCRAM-SHA-256$')).length).toBeGreaterThanOrEqual(8);
    const where = [{ name: 'server log', text: serverLog }];
    for (const life of [asSuper, asAdmin]) {
      life.printed.forEach((r, i) => where.push({ name: `stdout #${i} in ${life.dir}`, text: r.stdout }, { name: `stderr #${i} in ${life.dir}`, text: r.stderr }));
      where.push({ name: `saved plan of ${life.dir}`, text: life.savedPlan }, ...life.stateFiles);
    }
    expect(leaks(secrets, where)).toEqual([]);
  });
});
