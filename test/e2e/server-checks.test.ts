// What only the server can judge is asked at plan time, before the first change (issue 11,
// class 6): a name written as a string that is neither declared nor on the server (a role, a
// database, a schema in a database, a template), an extension or version the server does not
// have, a locale it does not know or that the template does not have, a setting value it
// refuses. Each is refused by the plan at the
// resource (file:line:col), and apply changes nothing; what exists or is declared passes.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { configDir, onEachServer, serverUrl, unique, withClient, xpIn } from './xp.js';

onEachServer('the plan asks the server what only it can judge', { timeout: 300_000 }, () => {
  it('refuses unknown names, extensions, locales and setting values, located, and apply changes nothing', async () => {
    const p = unique('chk');
    // a locale every server has, other than template1's: CREATE DATABASE would refuse it
    const template1 = await withClient(serverUrl(), async (c) => (await c.query(`select datcollate from pg_database where datname = 'template1'`)).rows[0]!.datcollate as string);
    const other = template1 === 'C' ? 'POSIX' : 'C';
    const text = `database "${p}_db" {
  owner = "${p}_ghost"
}

schema "app" {
  database = "${p}_nodb"
}

role "${p}_reader" {
  member_of = ["${p}_nogroup", "pg_read_all_data"]
  settings = {
    work_mem = "C"
    statement_timeout = "5s"
  }
}

service_account "${p}_svc" {
  database = "postgres"
  schemas  = ["${p}_noschema", "public"]
}

extension "${p}_noext" {
  database = database.${p}_db
}

database "${p}_loc" {
  lc_collate = "xx_NOWHERE.UTF-8"
  template   = "${p}_notemplate"
}

database "${p}_tpl" {
  lc_collate = "${other}"
}
`;
    const dir = configDir(p, { 'main.xp': text });
    const run = xpIn(dir, serverUrl());
    const plan = await run(['plan', '--json']);
    expect(plan.code, plan.stderr).toBe(1);
    const errors = (JSON.parse(plan.stdout) as { errors: Array<{ code: string; address: string; message: string }> }).errors;
    const byAddress = Object.fromEntries(errors.map((e) => [e.address, e]));
    expect(errors.every((e) => e.code === 'unknown_name'), JSON.stringify(errors, null, 2)).toBe(true);
    expect(byAddress[`database.${p}_db`]?.message).toBe(`main.xp:1:1: database.${p}_db: owner names role "${p}_ghost", which is neither declared nor on the server.`);
    expect(byAddress['schema.app']?.message).toBe(`main.xp:5:1: schema.app: database names database "${p}_nodb", which is neither declared nor on the server.`);
    expect(byAddress[`role.${p}_reader`]?.message).toMatch(
      new RegExp(`^main\\.xp:9:1: role\\.${p}_reader: member_of names role "${p}_nogroup", which is neither declared nor on the server; settings\\.work_mem: the server refuses it: invalid value for parameter "work_mem": "C"`),
    );
    expect(byAddress[`role.${p}_reader`]?.message).not.toContain('statement_timeout');
    expect(byAddress[`service_account.${p}_svc`]?.message).toBe(
      `main.xp:17:1: service_account.${p}_svc: schemas names schema "${p}_noschema" in database "postgres", which is neither declared nor on the server.`,
    );
    expect(byAddress[`extension.${p}_noext`]?.message).toBe(
      `main.xp:22:1: extension.${p}_noext: extension "${p}_noext" is not available on the server (pg_available_extensions).`,
    );
    expect(byAddress[`database.${p}_loc`]?.message).toMatch(
      new RegExp(`^main\\.xp:26:1: database\\.${p}_loc: template names database "${p}_notemplate", which is neither declared nor on the server; lc_collate "xx_NOWHERE\\.UTF-8" is not a locale the server has`),
    );
    expect(byAddress[`database.${p}_tpl`]?.message).toBe(
      `main.xp:31:1: database.${p}_tpl: lc_collate "${other}" differs from template "template1"'s ("${template1}"): a database copied from a template keeps its lc_collate; use template = "template0", or the template's.`,
    );
    expect(errors).toHaveLength(7);

    const apply = await run(['apply', '--auto-approve']);
    expect(apply.code).toBe(1);
    const left = await withClient(serverUrl(), async (c) =>
      (await c.query<{ n: number }>(`select (select count(*) from pg_database where datname like $1) + (select count(*) from pg_roles where rolname like $1) as n`, [`${p}%`])).rows[0]!.n,
    );
    expect(Number(left)).toBe(0);

    // declared, existing, or spelled as glibc lists it: planned
    writeFileSync(join(dir, 'main.xp'), `role "${p}_group" {}

role "${p}_reader" {
  member_of = [role.${p}_group, "pg_read_all_data"]
  settings  = { work_mem = "64MB" }
}

database "${p}_ok" {
  owner      = "${p}_reader"
  lc_collate = "C.UTF-8"
  lc_ctype   = "C"
  template   = "template0"
}

schema "${p}_s" {
  database = database.${p}_ok
}

service_account "${p}_svc" {
  database = database.${p}_ok
  schemas  = [schema.${p}_s, "public"]
}

extension "pgcrypto" {
  database = database.${p}_ok
}
`);
    const ok = await run(['plan', '--json']);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(await run(['apply', '--auto-approve']).then((r) => r.code)).toBe(0);
    expect(await run(['destroy', '--auto-approve']).then((r) => r.code)).toBe(0);
  });
});
