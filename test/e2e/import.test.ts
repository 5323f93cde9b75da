// `xp import`: a server prepared by hand (hostile names, settings, comments, memberships, the
// grants xp can express and some it cannot) is imported; the plan of the import only adopts
// (no attribute changes), apply changes nothing on the server (catalog snapshot, the account's
// password still works), and the plan after it is empty. Plus the command's refusals.
// The examples' round trip is in examples.test.ts (it needs the examples applied there).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { expect, it } from 'vitest';
import { expectOk, onEachServer, serverUrl, tempDir, unique, urlFor, withClient, xp } from './xp.js';
import { importInto, planJson } from './import-roundtrip.js';

const url = serverUrl;
const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** What the test's objects look like in the catalog: compared before the import and after the apply. */
async function snapshot(c: pg.Client, p: string, db: string): Promise<unknown> {
  const cluster = await c.query(
    `select r.rolname, r.rolcanlogin, r.rolinherit, r.rolcreatedb, r.rolcreaterole, r.rolconnlimit, r.rolvaliduntil::text,
            shobj_description(r.oid, 'pg_authid') as comment,
            (select array_agg(g.rolname || ':' || (to_jsonb(m) - 'oid' - 'roleid' - 'member' - 'grantor')::text order by g.rolname)
               from pg_auth_members m join pg_roles g on g.oid = m.roleid where m.member = r.oid) as groups,
            (select setconfig from pg_db_role_setting s where s.setrole = r.oid and s.setdatabase = 0) as settings
       from pg_roles r where r.rolname like $1 order by r.rolname`,
    [`${p}%`],
  );
  const dbs = await c.query(
    `select datname, pg_get_userbyid(datdba) as owner, datconnlimit, datallowconn, datacl::text, shobj_description(oid, 'pg_database') as comment
       from pg_database where datname like $1 order by datname`,
    [`${p}%`],
  );
  const inside = await withClient(urlFor(url(), { database: db }), async (d) => ({
    schemas: (await d.query(`select nspname, pg_get_userbyid(nspowner) as owner, nspacl::text, obj_description(oid, 'pg_namespace') as comment from pg_namespace where nspname like $1 order by 1`, [`${p}%`])).rows,
    relations: (await d.query(`select c.relname, c.relacl::text from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname like $1 order by 1`, [`${p}%`])).rows,
    columns: (
      await d.query(
        `select c.relname, a.attname, a.attacl::text from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
          where n.nspname like $1 and a.attacl is not null order by 1, 2`,
        [`${p}%`],
      )
    ).rows,
    types: (await d.query(`select t.typname, t.typacl::text from pg_type t join pg_namespace n on n.oid = t.typnamespace where n.nspname like $1 order by 1`, [`${p}%`])).rows,
    defaults: (await d.query(`select pg_get_userbyid(defaclrole) as forrole, defaclobjtype, defaclacl::text from pg_default_acl order by 1, 2, 3`)).rows,
    extensions: (await d.query(`select extname, extversion, extnamespace::regnamespace::text from pg_extension order by 1`)).rows,
  }));
  return { roles: cluster.rows, databases: dbs.rows, inside };
}

onEachServer('xp import', { timeout: 300_000 }, () => {
  it('imports hostile names, settings, comments, memberships and grants; the plan only adopts, then is empty', async () => {
    const p = unique('imp');
    const db = `${p} shop "db"`;
    const closed = `${p}_closed`;
    const owner = `${p} Owner`;
    const readers = `${p}_readers`;
    const writers = `${p}-writers`;
    const weird = `${p}"q\${x}%{y}`;
    const newline = `${p}\nsecond line`;
    const partial = `${p}_partial`;
    const app = `${p}_app`;
    const grantor = `${p}_grantor`;
    const third = `${p}_third`;
    const sales = `${p} Sales`;
    const api = `${p}_api`;
    const password = `pw-${p}`;
    const superuser = `${p}_super`;
    try {
      await withClient(url(), async (c) => {
        await c.query(`create role ${ident(owner)}; comment on role ${ident(owner)} is 'owns "everything"'`);
        await c.query(`create role ${ident(readers)} connection limit 7`);
        await c.query(`alter role ${ident(readers)} set statement_timeout = '5s'`);
        await c.query(`alter role ${ident(readers)} set search_path = '"$user"', public`);
        await c.query(`alter role ${ident(readers)} set "imp.tenant" = 'x y'`);
        await c.query(`create role ${ident(writers)} createdb in role ${ident(readers)}`);
        await c.query(`create role ${ident(weird)} noinherit`);
        await c.query(`grant ${ident(readers)} to ${ident(weird)} with admin option`);
        await c.query(`create role ${ident(newline)}; comment on role ${ident(newline)} is ${lit('line one\nline ${two}')}`);
        await c.query(`create role ${ident(partial)}`);
        await c.query(`create role ${ident(grantor)}`);
        await c.query(`create role ${ident(third)}`);
        await c.query(`create role ${ident(app)} login password ${lit(password)} connection limit 5 valid until '2031-01-01 00:00:00+00' in role ${ident(readers)}`);
        await c.query(`create database ${ident(db)} owner ${ident(owner)} connection limit 20`);
        await c.query(`comment on database ${ident(db)} is ${lit('hostile ${x} %{y} "q"')}`);
        await c.query(`alter database ${ident(db)} set work_mem = '8MB'`);
        await c.query(`grant temporary on database ${ident(db)} to ${ident(readers)}`);
        await c.query(`grant connect on database ${ident(db)} to ${ident(app)}`);
        await c.query(`create database ${ident(closed)} allow_connections false`);
        await c.query(`create role ${ident(superuser)} superuser`);
        // memberships with options: ADMIN (above); INHERIT and SET on PostgreSQL 16+
        const v16 = Number((await c.query<{ v: string }>('show server_version_num')).rows[0]!.v) >= 160000;
        if (v16) await c.query(`grant ${ident(owner)} to ${ident(partial)} with inherit false, set false`);
        else await c.query(`grant ${ident(owner)} to ${ident(partial)}`);
      });
      await withClient(urlFor(url(), { database: db }), async (c) => {
        await c.query(`create schema ${ident(sales)} authorization ${ident(owner)}; comment on schema ${ident(sales)} is ${lit('the "sales"\nschema')}`);
        await c.query(`create schema ${ident(api)}; comment on schema ${ident(api)} is 'api'`);
        await c.query(`create extension if not exists pgcrypto schema ${ident(api)}`);
        await c.query(`create table ${ident(sales)}.t1 (id int, c text); create table ${ident(sales)}.t2 (id int, c text); create sequence ${ident(sales)}.s1`);
        await c.query(`alter table ${ident(sales)}.t1 owner to ${ident(owner)}; alter table ${ident(sales)}.t2 owner to ${ident(owner)}; alter sequence ${ident(sales)}.s1 owner to ${ident(owner)}`);
        for (const forRole of [owner, 'CURRENT_USER']) {
          const f = forRole === 'CURRENT_USER' ? 'current_user' : ident(forRole);
          await c.query(`alter default privileges for role ${f} in schema ${ident(sales)} grant select on tables to ${ident(readers)}`);
          await c.query(`alter default privileges for role ${f} in schema ${ident(sales)} grant insert, update on tables to ${ident(writers)}`);
          await c.query(`alter default privileges for role ${f} in schema ${ident(sales)} grant usage on sequences to ${ident(writers)}`);
        }
        await c.query(`grant usage on schema ${ident(sales)} to ${ident(readers)}, ${ident(app)}, ${ident(partial)}`);
        await c.query(`grant select on all tables in schema ${ident(sales)} to ${ident(readers)}`);
        await c.query(`grant insert, update on all tables in schema ${ident(sales)} to ${ident(writers)}`);
        await c.query(`grant usage on all sequences in schema ${ident(sales)} to ${ident(writers)}`);
        await c.query(`grant select, insert on all tables in schema ${ident(sales)} to ${ident(app)}`);
        await c.query(`grant usage, create on schema ${ident(api)} to ${ident(app)}`);
        // a third grantor: not the owner, not xp, holding the grant option
        await c.query(`grant usage on schema ${ident(api)} to ${ident(grantor)} with grant option`);
        await c.query(`set role ${ident(grantor)}`);
        await c.query(`grant usage on schema ${ident(api)} to ${ident(third)}`);
        await c.query('reset role');
        // object-level grants: one table of two, a column, a type; and what xp cannot express: PUBLIC's
        await c.query(`grant select on ${ident(sales)}.t1 to ${ident(partial)}`);
        await c.query(`grant select (c) on ${ident(sales)}.t2 to ${ident(weird)}`);
        await c.query(`create type ${ident(sales)}.mood as enum ('ok'); alter type ${ident(sales)}.mood owner to ${ident(owner)}`);
        await c.query(`grant usage on type ${ident(sales)}.mood to ${ident(partial)}`);
        await c.query(`grant select on ${ident(sales)}.t2 to public`);
        // more that xp has no kind or attribute for: listed, not dropped
        await c.query(`grant update (c) on ${ident(sales)}.t2 to public`);
        // global default privileges and those on types: declared (for xp's role and the owner)
        for (const f of [ident(owner), 'current_user']) {
          await c.query(`alter default privileges for role ${f} grant select on tables to ${ident(readers)}`);
          await c.query(`alter default privileges for role ${f} in schema ${ident(sales)} grant usage on types to ${ident(readers)}`);
        }
        // and a creator's own, that xp's role does not give: granted_by
        await c.query(`alter default privileges for role ${ident(owner)} grant usage on sequences to ${ident(writers)}`);

      });
      const snap0 = await withClient(url(), (c) => snapshot(c, p, db));

      const imported = await importInto(url(), ['--databases', `${db},${closed}`, '--include', `${p}*`]);
      const { text, result } = imported;
      // references, labels, hostile names kept exactly
      const dash = p.replace(/_/g, '-');
      expect(text).toMatch(new RegExp(`member_of +=\\s*\\[role\\.${dash}-readers\\]`));
      expect(text).toMatch(/owner += role\./);
      expect(text).toMatch(/database += database\./);
      expect(text).toMatch(/schemas += \[schema\.[^\]]*, schema\./);
      expect(text).toMatch(/inherit += false/);
      expect(text).toMatch(/createdb += true/);
      // a database's own settings (ALTER DATABASE … SET) are its settings attribute
      expect(text).toMatch(/connection_limit = 20\n {2}settings += \{\n {4}work_mem = "8MB"\n {2}\}/);
      expect(text).not.toContain('work_mem=8MB');
      // the third grantor's grant is declared with granted_by
      expect(text).toMatch(new RegExp(`role "${dash}-third" \\{\\s+grant \\{\\s+database += database\\.[^\\n]+\\s+schema += schema\\.${dash}-api\\s+on += "schema"\\s+privileges = \\["USAGE"\\]\\s+granted_by = role\\.${dash}-grantor\\n`));
      for (const hostile of [db, owner, writers, weird, newline, sales]) expect(text).toContain(JSON.stringify(hostile).replace(/([$%])\{/g, (_, c: string) => `${c}${c}{`));
      expect(text).not.toContain(password);
      expect(text).not.toMatch(/password\s*=/);
      // what xp cannot express: comments in the output and on stderr
      for (const fact of [
        `SELECT on ${JSON.stringify(sales)}.t2 to PUBLIC`,
        `UPDATE on column ${JSON.stringify(sales)}."t2"("c") to PUBLIC (column privileges of PUBLIC)`,
        `role ${JSON.stringify(superuser)}: a superuser (not imported`,
        `${JSON.stringify(grantor)} holds USAGE on schema ${api} WITH GRANT OPTION`,
        `database ${JSON.stringify(closed)}: its schemas, extensions and grants could not be read (it does not accept connections)`,
      ]) {
        expect(text, fact).toContain(fact.replace(/\n/g, ' '));
        expect(result.stderr, fact).toContain(fact.replace(/\n/g, ' '));
      }
      // global default privileges and those on types: default-privileges-only grants (no longer notes)
      expect(text).not.toContain('(in every schema): SELECT on tables');
      expect(text).toMatch(/ {4}privileges += \["SELECT"\]\n {4}future += true\n {4}future_owners = \[role\.[\w-]+-Owner\]\n/);
      expect(text).toMatch(/ {4}on += "types"\n {4}privileges = \["ALL"\]\n {4}future += true\n/);
      expect(text).toMatch(/ {4}on += "sequences"\n {4}privileges = \["USAGE"\]\n {4}future += true\n {4}granted_by = (role\.[\w-]+-Owner|"[^"\n]+ Owner")\n/);
      expect(text).not.toContain('(in every schema): USAGE on sequences');
      // a privilege on some tables only, a column's, a type's: object-level grants (no longer notes)
      expect(text).not.toMatch(/privileges in .* not imported:/);
      expect(text).not.toContain(`to ${JSON.stringify(weird)} (column privileges`);
      expect(text).toMatch(/ {4}objects += \["t1"\]\n {4}privileges = \["SELECT"\]\n/);
      expect(text).toMatch(/ {4}objects += \["t2"\]\n {4}columns += \["c"\]\n {4}privileges = \["SELECT"\]\n/);
      expect(text).toMatch(/ {4}on += "types"\n {4}objects += \["mood"\]\n {4}privileges = \["USAGE"\]\n/);
      const v16 = await withClient(url(), async (c) => Number((await c.query<{ v: string }>('show server_version_num')).rows[0]!.v) >= 160000);
      if (v16) expect(text).toMatch(/membership \{\n\s+role\s+= role\.[\w-]+-Owner\n\s+inherit = false\n\s+set += false\n\s+\}/);
      // a membership WITH ADMIN OPTION: a membership block (no longer a note)
      expect(text).not.toContain('xp has no membership options');
      expect(text).toMatch(/membership \{\n\s+role\s+= role\.[\w-]+readers\n\s+admin = true\n\s+\}/);
      // the plan adopts every object and changes no attribute
      const adopting = await planJson(imported.run);
      expect(adopting.errors).toEqual([]);
      expect(adopting.resources.length).toBe(2 + 2 + 1 + 8 + 1); // databases, schemas, pgcrypto, roles, account
      for (const r of adopting.resources) {
        expect(r.changes, `${r.address}:\n${text}`).toEqual([]);
        expect(r.reason ?? '', r.address).toContain('adopted');
      }
      expectOk(await imported.run(['apply', '--auto-approve']), 'apply of the import');
      const after = await planJson(imported.run);
      expect(after.resources.filter((r) => r.action !== 'no-op').map((r) => r.address)).toEqual([]);
      // nothing changed on the server, and the account kept its password
      expect(await withClient(url(), (c) => snapshot(c, p, db))).toEqual(snap0);
      await withClient(urlFor(url(), { user: app, password, database: db }), (c) => c.query('select 1'));
      // --check: the configuration declares everything (exit 0, nothing printed) …
      const checkArgs = ['import', '--check', '.', '--databases', `${db},${closed}`, '--include', `${p}*`];
      const complete = await imported.run(checkArgs);
      expect(complete.code, complete.stderr).toBe(0);
      expect(complete.stdout).toBe('');
      // … and without two of its blocks, prints exactly those, referring to the rest by address
      const dir = imported.dir;
      const cut = (t: string, header: string) => t.replace(new RegExp(`${header.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\{[\\s\\S]*?\\n\\}\\n\\n?`), '');
      const thirdBlock = `role "${dash}-third"`;
      const closedBlock = `database "${closed.replace(/_/g, '-')}"`;
      const partialText = cut(cut(text, thirdBlock), closedBlock);
      expect(partialText).not.toContain(thirdBlock);
      expect(partialText).not.toContain(closedBlock);
      writeFileSync(join(dir, 'main.xp'), partialText);
      const missing = await imported.run(checkArgs);
      expect(missing.code, missing.stderr).toBe(2);
      expect(missing.stderr).toContain('missing from the configuration: 1 database, 0 schemas, 0 extensions, 1 role, 0 service accounts');
      const blocks = missing.stdout.split('\n').filter((l) => /^[a-z_]+ "/.test(l));
      expect(blocks).toEqual([`${closedBlock} {`, `${thirdBlock} {`]);
      expect(missing.stdout).toMatch(new RegExp(`schema += schema\\.${dash}-api\\b`));
      writeFileSync(join(dir, 'main.xp'), text);
      expectOk(await imported.run(['destroy', '--auto-approve', '--allow-data-loss']), 'destroy');
    } finally {
      await withClient(url(), async (c) => {
        for (const d of [db, closed]) await c.query(`drop database if exists ${ident(d)} with (force)`);
        for (const r of [app, third, grantor, partial, newline, weird, writers, readers, owner, superuser]) {
          await c.query(`drop owned by ${ident(r)}`).catch(() => {});
          await c.query(`drop role if exists ${ident(r)}`);
        }
      });
    }
  });

  it('groups the tenant pattern with for_each, and the grouped configuration still plans as adoption only', async () => {
    const p = unique('impt');
    const db = `${p}_db`;
    const owner = `${p}_owner`;
    const tenants = ['a1', 'b2', 'c3'];
    const odd = `${p}_d4_app`; // an account of another shape: declared on its own
    try {
      await withClient(url(), async (c) => {
        await c.query(`create role ${ident(owner)}`);
        await c.query(`create database ${ident(db)} owner ${ident(owner)}`);
        for (const t of tenants) await c.query(`create role ${ident(`${p}_${t}_app`)} login connection limit 3`);
        await c.query(`create role ${ident(odd)} login`);
        for (const a of [...tenants.map((t) => `${p}_${t}_app`), odd]) await c.query(`grant connect on database ${ident(db)} to ${ident(a)}`);
      });
      await withClient(urlFor(url(), { database: db }), async (c) => {
        for (const t of tenants) {
          const schema = ident(`${p}_tenant_${t}`);
          const app = ident(`${p}_${t}_app`);
          await c.query(`create schema ${schema} authorization ${ident(owner)}`);
          await c.query(`create table ${schema}.items (id int)`);
          await c.query(`grant usage on schema ${schema} to ${app}`);
          await c.query(`grant select, insert on all tables in schema ${schema} to ${app}`);
          await c.query(`alter default privileges for role ${ident(owner)} in schema ${schema} grant select, insert on tables to ${app}`);
          await c.query(`alter default privileges in schema ${schema} grant select, insert on tables to ${app}`);
        }
        await c.query(`grant usage on schema ${ident(`${p}_tenant_a1`)} to ${ident(odd)}`);
      });
      const imported = await importInto(url(), ['--databases', db, '--include', `${p}*`]);
      const dash = p.replace(/_/g, '-');
      expect(imported.text).toContain(`schema "${dash}-tenant" {\n  for_each = toset(["a1", "b2", "c3"])\n  name     = "${p}_tenant_\${each.value}"`);
      expect(imported.text).toContain(`service_account "${dash}-app" {\n  for_each         = toset(["a1", "b2", "c3"])\n  name             = "${p}_\${each.value}_app"`);
      expect(imported.text).toMatch(new RegExp(`schemas +=\\s*\\[schema\\.${dash}-tenant\\[each\\.key\\]\\]`));
      // the odd account refers to one instance by its key
      expect(imported.text).toContain(`schemas  = [schema.${dash}-tenant["a1"]]`);
      const adopting = await planJson(imported.run);
      expect(adopting.errors).toEqual([]);
      expect(adopting.resources.map((r) => r.address).sort()).toEqual(
        [
          `database.${dash}-db`,
          `role.${dash}-owner`,
          ...tenants.map((t) => `schema.${dash}-tenant["${t}"]`),
          ...tenants.map((t) => `service_account.${dash}-app["${t}"]`),
          `service_account.${dash}-d4-app`,
        ].sort(),
      );
      for (const r of adopting.resources) expect(r.changes, `${r.address}:\n${imported.text}`).toEqual([]);
      expectOk(await imported.run(['apply', '--auto-approve']), 'apply of the import');
      expect((await planJson(imported.run)).resources.filter((r) => r.action !== 'no-op').map((r) => r.address)).toEqual([]);
      expectOk(await imported.run(['destroy', '--auto-approve', '--allow-data-loss']), 'destroy');
    } finally {
      await withClient(url(), async (c) => {
        await c.query(`drop database if exists ${ident(db)} with (force)`);
        for (const r of [...tenants.map((t) => `${p}_${t}_app`), odd, owner]) {
          await c.query(`drop owned by ${ident(r)}`).catch(() => {});
          await c.query(`drop role if exists ${ident(r)}`);
        }
      });
    }
  });

  it('--import-blocks: each object no stack manages gets an import block; the plan imports them all, changing nothing', async () => {
    const p = unique('impib');
    const db = `${p}_db`;
    const owner = `${p}_owner`;
    const tenants = ['a1', 'b2', 'c3'];
    const accounts = tenants.map((t) => `${p}_${t}_app`);
    const password = `pw-${p}`;
    try {
      await withClient(url(), async (c) => {
        await c.query(`create role ${ident(owner)}; comment on role ${ident(owner)} is 'owner'`);
        await c.query(`create database ${ident(db)} owner ${ident(owner)}`);
        for (const a of accounts) await c.query(`create role ${ident(a)} login password ${lit(password)}; grant connect on database ${ident(db)} to ${ident(a)}`);
      });
      await withClient(urlFor(url(), { database: db }), async (c) => {
        for (const t of tenants) {
          await c.query(`create schema ${ident(`${p}_tenant_${t}`)} authorization ${ident(owner)}`);
          await c.query(`grant usage on schema ${ident(`${p}_tenant_${t}`)} to ${ident(`${p}_${t}_app`)}`);
        }
      });
      const snap0 = await withClient(url(), (c) => snapshot(c, p, db));
      const imported = await importInto(url(), ['--databases', db, '--include', `${p}*`, '--import-blocks']);
      const dash = p.replace(/_/g, '-');
      // one block per instance, a for_each group's by its key; id is the PostgreSQL name
      expect(imported.text).toContain(`import {\n  to = database.${dash}-db\n  id = "${db}"\n}`);
      expect(imported.text).toContain(`import {\n  to = role.${dash}-owner\n  id = "${owner}"\n}`);
      for (const t of tenants) {
        expect(imported.text).toContain(`import {\n  to = schema.${dash}-tenant["${t}"]\n  id = "${p}_tenant_${t}"\n}`);
        expect(imported.text).toContain(`import {\n  to = service_account.${dash}-app["${t}"]\n  id = "${p}_${t}_app"\n}`);
      }
      expect(imported.text.match(/^import \{/gm)).toHaveLength(2 + 2 * tenants.length);
      const plan = await planJson(imported.run);
      expect(plan.errors).toEqual([]);
      expect(plan.resources).toHaveLength(2 + 2 * tenants.length);
      for (const r of plan.resources) {
        expect(r.action, r.address).toBe('import');
        expect(r.changes, r.address).toEqual([]);
      }
      expectOk(await imported.run(['apply', '--auto-approve']), 'apply of the import blocks');
      expect((await planJson(imported.run)).resources.filter((r) => r.action !== 'no-op').map((r) => r.address)).toEqual([]);
      expect(await withClient(url(), (c) => snapshot(c, p, db))).toEqual(snap0);
      await withClient(urlFor(url(), { user: accounts[0]!, password, database: db }), (c) => c.query('select 1'));
      // managed by the stack now: a new import writes its stack block and no import block
      const again = await xp(['import', '--out', '-', '--databases', db, '--include', `${p}*`, '--import-blocks', '--database-url', url()], { cwd: tempDir() });
      expectOk(again, 'import of what the stack manages');
      expect(again.stdout).toMatch(/^stack "/m);
      expect(again.stdout).not.toMatch(/^import \{/m);
      // --check writes nothing: --import-blocks is a usage error there
      const misuse = await imported.run(['import', '--check', '.', '--import-blocks']);
      expect(misuse.code).toBe(2);
      expect(misuse.stderr).toContain('--import-blocks');
      expectOk(await imported.run(['destroy', '--auto-approve', '--allow-data-loss']), 'destroy');
    } finally {
      await withClient(url(), async (c) => {
        await c.query(`drop database if exists ${ident(db)} with (force)`);
        for (const r of [...accounts, owner]) {
          await c.query(`drop owned by ${ident(r)}`).catch(() => {});
          await c.query(`drop role if exists ${ident(r)}`);
        }
      });
    }
  });

  it('as a non-superuser: skips xp itself, names the database it may not enter, and the plan only adopts', async () => {
    const p = unique('impns');
    const admin = `${p}_admin`;
    const control = `${p}_control`;
    const locked = `${p}_locked`;
    const open = `${p}_open`;
    const password = `pw-${p}`;
    try {
      await withClient(url(), async (c) => {
        await c.query(`create role ${ident(admin)} login createdb createrole password ${lit(password)}`);
        await c.query(`create database ${ident(control)} owner ${ident(admin)}`);
        await c.query(`create database ${ident(locked)}`);
        await c.query(`revoke connect on database ${ident(locked)} from public`);
        await c.query(`create database ${ident(open)} owner ${ident(admin)}`);
        await c.query(`comment on database ${ident(open)} is 'open'`);
      });
      await withClient(urlFor(url(), { database: control }), (c) => c.query('create extension dblink'));
      const adminUrl = urlFor(url(), { user: admin, password, database: control });
      expectOk(await xp(['init', '--database-url', adminUrl], { cwd: tempDir() }), 'xp init as the admin');
      await withClient(urlFor(url(), { user: admin, password, database: open }), (c) => c.query(`create schema ${ident(`${p}_s`)}; comment on schema ${ident(`${p}_s`)} is 'mine'`));

      const imported = await importInto(adminUrl, ['--databases', `${control},${locked},${open}`, '--include', `${p}*`]);
      const fact = `database ${JSON.stringify(locked)}: its schemas, extensions and grants could not be read (`;
      expect(imported.text).toContain(fact);
      expect(imported.result.stderr).toContain(fact);
      expect(imported.text).toMatch(/permission denied|not permitted|CONNECT/i);
      // xp's own schema and dblink, and the role xp connects as, are not declared
      expect(imported.text).not.toMatch(/"xplane"|dblink/);
      expect(imported.text).not.toContain(`"${admin}"`);
      expect(imported.text).toContain(`schema "${p.replace(/_/g, '-')}-s"`);
      const adopting = await planJson(imported.run);
      expect(adopting.errors).toEqual([]);
      expect(adopting.resources.map((r) => r.address).sort()).toEqual(
        [`database.${p.replace(/_/g, '-')}-control`, `database.${p.replace(/_/g, '-')}-locked`, `database.${p.replace(/_/g, '-')}-open`, `schema.${p.replace(/_/g, '-')}-s`].sort(),
      );
      for (const r of adopting.resources) expect(r.changes, r.address).toEqual([]);
    } finally {
      await withClient(url(), async (c) => {
        await c.query(`select pg_terminate_backend(pid) from pg_stat_activity where usename = $1 or datname = any($2)`, [admin, [control, locked, open]]);
        for (const d of [control, locked, open]) await c.query(`drop database if exists ${ident(d)} with (force)`);
        await c.query(`drop owned by ${ident(admin)}`).catch(() => {});
        await c.query(`drop role if exists ${ident(admin)}`);
      });
    }
  });

  it('refuses an output that exists unless --force, and a server it cannot reach, writing nothing', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'main.xp'), 'role "kept" {}\n');
    const refused = await xp(['import', dir, '--database-url', url()], { cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('main.xp already exists; nothing was written');
    expect(readFileSync(join(dir, 'main.xp'), 'utf8')).toBe('role "kept" {}\n');
    // another *.xp file beside the output would be read with it
    const beside = tempDir();
    writeFileSync(join(beside, 'other.xp'), 'role "kept" {}\n');
    const refusedBeside = await xp(['import', beside, '--database-url', url()], { cwd: beside });
    expect(refusedBeside.code).toBe(1);
    expect(refusedBeside.stderr).toContain('already holds other.xp');
    expect(existsSync(join(beside, 'main.xp'))).toBe(false);
    // an unreachable server: a clear error, no stack trace, no file
    const empty = join(tempDir(), 'out');
    mkdirSync(empty);
    const down = await xp(['import', empty, '--database-url', 'postgres://postgres:x@127.0.0.1:1/postgres'], { cwd: empty });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('cannot connect');
    expect(down.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(empty, 'main.xp'))).toBe(false);
    // an unknown database in --databases
    const unknown = await xp(['import', '--out', '-', '--databases', 'no_such_db_xp', '--database-url', url()], { cwd: empty });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('--databases: no database "no_such_db_xp"');
    // --force overwrites
    const forced = await xp(['import', dir, '--force', '--databases', 'template1', '--include', 'no-role-matches', '--database-url', url()], { cwd: dir });
    expectOk(forced);
    expect(readFileSync(join(dir, 'main.xp'), 'utf8')).toMatch(/^# Written by `xp import`/);
  });
});
