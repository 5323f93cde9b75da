-- Object-level and column-level grants (objects, columns, on = "types"): normalised one entry
-- per object / column, granted, read back exactly, drift (a privilege revoked or added by hand
-- on an object or a column, a third grantor's grant) seen and healed; the whole-schema form
-- neither reports nor revokes what an object-level entry declares; missing objects wait.
select plan(35);

create function pg_temp.n(p text) returns text language sql as $$ select p || '_' || right(current_database(), 8) $$;
create function pg_temp.g(p_extra jsonb default '[]') returns jsonb language sql as $$
  select jsonb_build_object('grants', jsonb_build_array(
    jsonb_build_object('database', current_database(), 'schema', 'og', 'on', 'schema', 'privileges', '["USAGE"]'::jsonb),
    jsonb_build_object('database', current_database(), 'schema', 'og', 'privileges', '["SELECT"]'::jsonb),
    jsonb_build_object('database', current_database(), 'schema', 'og', 'objects', '["t1"]'::jsonb, 'privileges', '["INSERT", "update"]'::jsonb),
    jsonb_build_object('database', current_database(), 'schema', 'og', 'on', 'functions', 'objects', '["f(int, varchar)"]'::jsonb, 'privileges', '["EXECUTE"]'::jsonb),
    jsonb_build_object('database', current_database(), 'schema', 'og', 'on', 'types', 'objects', '["e", "d"]'::jsonb, 'privileges', '["USAGE"]'::jsonb),
    jsonb_build_object('database', current_database(), 'schema', 'og', 'on', 'sequences', 'objects', '["s1"]'::jsonb, 'privileges', '["USAGE"]'::jsonb),
    jsonb_build_object('database', current_database(), 'schema', 'og', 'objects', '["t2"]'::jsonb, 'columns', '["a"]'::jsonb, 'privileges', '["UPDATE", "REFERENCES"]'::jsonb))
    || p_extra)
$$;
create function pg_temp.in_sync(p_spec jsonb) returns boolean language sql as $$
  select xplane.observe_resource('Role', pg_temp.n('og'), p_spec) = xplane.normalize_spec('Role', p_spec) || '{"comment": null}'
$$;
-- what the role holds, the way a DBA checks it
create function pg_temp.held() returns text language sql as $$
  select concat_ws(',',
    (select string_agg(c.relname || ':' || a.privilege_type, ',' order by c.relname, a.privilege_type)
       from pg_class c, aclexplode(c.relacl) a
      where c.relnamespace = (select oid from pg_namespace where nspname = 'og') and a.grantee = pg_temp.n('og')::regrole),
    (select string_agg(c.relname || '.' || t.attname || ':' || a.privilege_type, ',' order by c.relname, t.attname, a.privilege_type)
       from pg_class c join pg_attribute t on t.attrelid = c.oid, aclexplode(t.attacl) a
      where c.relnamespace = (select oid from pg_namespace where nspname = 'og') and a.grantee = pg_temp.n('og')::regrole),
    case when has_function_privilege(pg_temp.n('og'), 'og.f(integer, character varying)', 'EXECUTE') then 'f:EXECUTE' end,
    (select string_agg(t.typname || ':' || a.privilege_type, ',' order by t.typname)
       from pg_type t, aclexplode(t.typacl) a
      where t.typnamespace = (select oid from pg_namespace where nspname = 'og') and a.grantee = pg_temp.n('og')::regrole))
$$;

-- normalisation
select is(jsonb_array_length(xplane.normalize_spec('Role', pg_temp.g()) -> 'grants'), 8, 'one entry per object and per column');
select is(xplane.normalize_spec('Role', pg_temp.g()) -> 'grants' -> 0,
  jsonb_build_object('database', current_database(), 'schema', 'og', 'on', 'functions', 'objects', '["f(integer, character varying)"]'::jsonb,
    'privileges', '["EXECUTE"]'::jsonb, 'future', false, 'future_owners', '[]'::jsonb, 'grant_option', false),
  'a function''s argument types as the server spells them');
select is(xplane.normalize_spec('Role', pg_temp.g()) -> 'grants' -> 4 -> 'privileges', '["INSERT", "UPDATE"]'::jsonb, 'privileges upper case, sorted');
select is(xplane.normalize_spec('Role', '{"grants": [{"database": "d", "schema": "s", "objects": ["t"], "columns": ["a"], "privileges": ["ALL"]}]}') -> 'grants' -> 0 -> 'privileges',
  '["INSERT", "REFERENCES", "SELECT", "UPDATE"]'::jsonb, 'ALL on columns: the four column privileges');
select ok(not (xplane.normalize_spec('Role', '{"grants": [{"database": "d", "schema": "s", "privileges": ["SELECT"]}]}') -> 'grants' -> 0) ? 'objects',
  'a whole-schema grant keeps its shape (specs of 0.6.0)');
select throws_ok($$select xplane.normalize_spec('Role', '{"grants": [{"database": "d", "schema": "s", "on": "types", "privileges": ["USAGE"]}]}')$$,
  '22023', 'Role.grants[0].objects: is required when on = "types" (the types and domains to grant on), unless future = true (default privileges on types created later)', 'types need objects');
select throws_ok($$select xplane.normalize_spec('Role', '{"grants": [{"database": "d", "schema": "s", "objects": ["a", "b"], "columns": ["x"], "privileges": ["SELECT"]}]}')$$,
  '22023', 'Role.grants[0].columns: needs on = "tables" and exactly one table in objects', 'columns: one table');
select throws_ok($$select xplane.normalize_spec('Role', '{"grants": [{"database": "d", "schema": "s", "objects": ["a"], "columns": ["x"], "privileges": ["DELETE"]}]}')$$,
  '22023', 'Role.grants[0].privileges: unknown privilege "DELETE" for columns (allowed: INSERT, REFERENCES, SELECT, UPDATE, ALL)', 'columns: column privileges only');
select throws_ok($$select xplane.normalize_spec('Role', '{"grants": [{"database": "d", "schema": "s", "on": "functions", "objects": ["f"], "privileges": ["EXECUTE"]}]}')$$,
  '22023', 'Role.grants[0].objects: function "f" needs its argument types, e.g. "f(integer, text)" or "f()"', 'functions need a signature');
select throws_ok($$select xplane.normalize_spec('Role', '{"grants": [{"database": "d", "schema": "s", "objects": ["t"], "future": true, "privileges": ["SELECT"]}]}')$$,
  '22023', 'Role.grants[0].future: applies to a whole schema, not to named objects (leave out objects, or future)', 'no future with objects');
select throws_ok($$select xplane.normalize_spec('Role', '{"grants": [{"database": "d", "schema": "s", "on": "schema", "objects": ["t"], "privileges": ["USAGE"]}]}')$$,
  '22023', 'Role.grants[0].objects: applies to tables, sequences, functions and types, not to "schema"', 'no objects on a schema');

select is(xplane.remote_exec('default', '', $$create schema og; create table og.t1 (id int); create table og.t2 (a int, b int);
  create table og.t3 (id int); create function og.f(int, varchar) returns int language sql as 'select 1'; revoke execute on function og.f(int, varchar) from public;
  create type og.e as enum ('x'); create domain og.d as int; create sequence og.s1$$), 'CREATE SEQUENCE', 'fixtures');
select is((xplane.create_role(pg_temp.n('og'), pg_temp.g())).status_code, 'success', 'create with object-level grants');
select is(pg_temp.held(), 's1:USAGE,t1:INSERT,t1:SELECT,t1:UPDATE,t2:SELECT,t3:SELECT,t2.a:REFERENCES,t2.a:UPDATE,f:EXECUTE,d:USAGE,e:USAGE',
  'held: the whole schema''s SELECT, t1''s INSERT and UPDATE, t2.a''s, f''s, the type''s and the domain''s');
select ok(has_column_privilege(pg_temp.n('og'), 'og.t2', 'a', 'UPDATE') and not has_column_privilege(pg_temp.n('og'), 'og.t2', 'b', 'UPDATE'),
  'has_column_privilege: a, not b');
select ok(pg_temp.in_sync(pg_temp.g()), 'observed equals the normalised spec');
select is((xplane.update_role(pg_temp.n('og'), pg_temp.g())).status_code, 'no_change', 'a second apply changes nothing');

-- drift on the objects, healed
select lives_ok(format($$select xplane.remote_exec('default', '', 'revoke insert on og.t1 from %1$I; grant delete on og.t1 to %1$I;
  grant update (b) on og.t2 to %1$I; revoke usage on type og.e from %1$I; grant insert on og.t3 to %1$I; grant select on og.s1 to %1$I')$$, pg_temp.n('og')),
  'drift: by hand on t1, t2.b, e, t3 and s1');
select ok(not pg_temp.in_sync(pg_temp.g()), 'the drift is a difference');
select is((select g -> 'privileges' from jsonb_array_elements(xplane.observe_resource('Role', pg_temp.n('og'), pg_temp.g()) -> 'grants') g
             where g -> 'objects' = '["t1"]' and not g ? 'columns'), '["DELETE", "UPDATE"]'::jsonb,
  'observed exactly on t1: DELETE, no INSERT (SELECT: the whole-schema form''s, not shown here)');
select is((xplane.update_role(pg_temp.n('og'), pg_temp.g())).status_code, 'updated', 'heal');
select is(pg_temp.held(), 's1:USAGE,t1:INSERT,t1:SELECT,t1:UPDATE,t2:SELECT,t3:SELECT,t2.a:REFERENCES,t2.a:UPDATE,f:EXECUTE,d:USAGE,e:USAGE', 'back as declared');
select ok(pg_temp.in_sync(pg_temp.g()), 'in sync');

-- the whole-schema form alone: INSERT on t1 is a difference there (authoritative per schema)
select ok(not pg_temp.in_sync('{"grants": []}'::jsonb || jsonb_build_object('grants', jsonb_build_array(pg_temp.g() -> 'grants' -> 0, pg_temp.g() -> 'grants' -> 1))),
  'without the object-level entry, t1''s INSERT is a difference of the whole schema');

-- a third grantor's grant on an object
select lives_ok(format($$select xplane.remote_exec('default', '', 'create role %1$I; grant usage on schema og to %1$I; grant delete on og.t1 to %1$I with grant option;
  set role %1$I; grant delete on og.t1 to %2$I; reset role')$$, pg_temp.n('og3'), pg_temp.n('og')), 'a third grantor grants DELETE on t1');
select ok(not pg_temp.in_sync(pg_temp.g()), 'seen');
select is((xplane.update_role(pg_temp.n('og'), pg_temp.g())).status_code, 'updated', 'heal');
select ok(not has_table_privilege(pg_temp.n('og'), 'og.t1', 'DELETE') and pg_temp.in_sync(pg_temp.g()), 'revoked as the third grantor, in sync');

-- the plan asks the server (missing_names): a missing table and column, a function by its normalised signature
select is(xplane.missing_names('default', '{}', '{}', '[]', '{}', '[]', jsonb_build_array(
    jsonb_build_object('database', current_database(), 'schema', 'og', 'on', 'tables', 'object', 'nope'),
    jsonb_build_object('database', current_database(), 'schema', 'og', 'on', 'tables', 'object', 't2', 'column', 'zz'),
    jsonb_build_object('database', current_database(), 'schema', 'og', 'on', 'tables', 'object', 't2', 'column', 'a'),
    jsonb_build_object('database', current_database(), 'schema', 'og', 'on', 'functions', 'object', 'f(int4, varchar)'),
    jsonb_build_object('database', current_database(), 'schema', 'og', 'on', 'types', 'object', 'd'),
    jsonb_build_object('database', current_database(), 'schema', 'no_schema', 'on', 'tables', 'object', 'x')), '{}', '[]') -> 'objects',
  jsonb_build_array(jsonb_build_object('database', current_database(), 'schema', 'og', 'on', 'tables', 'object', 'nope'),
                    jsonb_build_object('database', current_database(), 'schema', 'og', 'on', 'tables', 'object', 't2', 'column', 'zz')),
  'missing_names: the missing table and column, not the existing ones, nor those of a schema not there');
select ok(not xplane.missing_names('default', '{}', '{}', '[]', '{}', '[]', '[]', '{}', '[]') ? 'objects', 'no objects asked: no "objects" key');

-- objects that do not exist: the grants wait for them
select is((xplane.update_role(pg_temp.n('og'), pg_temp.g(jsonb_build_array(
    jsonb_build_object('database', current_database(), 'schema', 'og', 'objects', '["nope"]'::jsonb, 'privileges', '["SELECT"]'::jsonb),
    jsonb_build_object('database', current_database(), 'schema', 'og', 'objects', '["t2"]'::jsonb, 'columns', '["zz"]'::jsonb, 'privileges', '["SELECT"]'::jsonb)))))
  .message, format('role "%s": its grants wait for column "zz" of table "t2" in schema "og" of database "%s", table "nope" in schema "og" of database "%s"',
                          pg_temp.n('og'), current_database(), current_database()),
  'a missing table and column are named');
select is(pg_temp.held(), 's1:USAGE,t1:INSERT,t1:SELECT,t1:UPDATE,t2:SELECT,t3:SELECT,t2.a:REFERENCES,t2.a:UPDATE,f:EXECUTE,d:USAGE,e:USAGE', 'the rest untouched');

-- blocks removed: what they granted is revoked (types and columns too, which no whole-schema form covers)
select is((xplane.update_role(pg_temp.n('og'), jsonb_build_object('grants', jsonb_build_array(pg_temp.g() -> 'grants' -> 0, pg_temp.g() -> 'grants' -> 1))))
  .status_code, 'updated', 'the object-level blocks removed');
select is(pg_temp.held(), 't1:SELECT,t2:SELECT,t3:SELECT', 'only the whole schema''s SELECT is left: t1''s, t2.a''s, f''s and the types'' revoked');
select ok(pg_temp.in_sync(jsonb_build_object('grants', jsonb_build_array(pg_temp.g() -> 'grants' -> 0, pg_temp.g() -> 'grants' -> 1))), 'in sync');

select xplane.delete_role(pg_temp.n('og'), '{}');
select xplane.remote_exec('default', '', format('drop schema og cascade; drop role if exists %I', pg_temp.n('og3')));
select * from finish();
