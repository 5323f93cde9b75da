-- Default privileges everywhere: global ones (a grant without schema: ALTER DEFAULT PRIVILEGES
-- without IN SCHEMA, pg_default_acl rows of namespace 0), on schemas (global only) and on types
-- (IN SCHEMA and global). Normalised and refused with the field named; created, read back
-- exactly, objects created later usable; drift by hand (revoked, or given by an undeclared
-- creator, or on a kind not declared) seen and healed by update and by the reconcile loop.
select plan(33);

create function pg_temp.n(p text) returns text language sql as $$ select p || '_' || right(current_database(), 8) $$;
create function pg_temp.id(p_name text) returns uuid language sql as $$ select id from xplane.managed_resources where name = p_name $$;
create function pg_temp.spec() returns jsonb language sql as $$
  select jsonb_build_object('grants', jsonb_build_array(
    -- global: tables xp's role creates, functions the creator creates
    jsonb_build_object('database', current_database(), 'on', 'tables', 'privileges', '["SELECT"]'::jsonb, 'future', true),
    jsonb_build_object('database', current_database(), 'on', 'functions', 'privileges', '["EXECUTE"]'::jsonb, 'future', true,
                       'future_owners', jsonb_build_array(pg_temp.n('maker'))),
    jsonb_build_object('database', current_database(), 'on', 'schemas', 'privileges', '["USAGE"]'::jsonb, 'future', true),
    -- types IN SCHEMA (PostgreSQL has no GRANT ON ALL TYPES: default privileges only)
    jsonb_build_object('database', current_database(), 'schema', 'gd', 'on', 'types', 'privileges', '["USAGE"]'::jsonb, 'future', true,
                       'future_owners', jsonb_build_array(pg_temp.n('maker'))),
    jsonb_build_object('database', current_database(), 'schema', 'gd', 'on', 'schema', 'privileges', '["USAGE"]'::jsonb)))
$$;
create function pg_temp.in_sync() returns boolean language sql as $$
  select xplane.observe_resource('Role', pg_temp.n('gr'), pg_temp.spec()) = xplane.normalize_spec('Role', pg_temp.spec()) || '{"comment": null}'
$$;
-- what pg_default_acl gives the role, as a DBA reads it: creator/schema/type=privileges
create function pg_temp.defaults() returns text[] language sql as $$
  select coalesce(array_agg(x order by x collate "C"), '{}') from (
    select format('%s/%s/%s=%s', case when d.defaclrole = current_user::regrole then 'me' else 'maker' end,
                  coalesce(nullif(d.defaclnamespace, 0)::regnamespace::text, '*'), d.defaclobjtype, a.privilege_type) as x
      from pg_default_acl d, aclexplode(d.defaclacl) a
     where a.grantee = pg_temp.n('gr')::regrole) y
$$;
create function pg_temp.bad(p_grant jsonb) returns text language plpgsql as $$
begin
  perform xplane.normalize_spec('Role', jsonb_build_object('grants', jsonb_build_array(jsonb_build_object('database', 'd') || p_grant)));
  return 'accepted';
exception when sqlstate '22023' then
  return sqlerrm;
end
$$;

-- the language: what is accepted, what is refused (naming the field)
select is(xplane.normalize_spec('Role', jsonb_build_object('grants', jsonb_build_array(
    jsonb_build_object('database', 'd', 'on', 'tables', 'privileges', '["select"]'::jsonb, 'future', true)))) -> 'grants',
  '[{"on": "tables", "future": true, "schema": null, "database": "d", "privileges": ["SELECT"], "grant_option": false, "future_owners": []}]'::jsonb,
  'a grant without schema with future: global default privileges, normalised');
select is(pg_temp.bad('{"on": "tables", "privileges": ["SELECT"]}'),
  'Role.grants[0].schema: is required when on = "tables", unless future = true (global default privileges, for objects created later in any schema)',
  'without schema and without future: refused at the schema');
select is(pg_temp.bad('{"on": "schemas", "schema": "s", "privileges": ["USAGE"], "future": true}'),
  'Role.grants[0].schema: must be absent when on = "schemas" (PostgreSQL has no default privileges on schemas IN SCHEMA)',
  'on schemas IN SCHEMA: refused');
select is(pg_temp.bad('{"on": "schemas", "privileges": ["USAGE"]}'),
  'Role.grants[0].future: must be true when on = "schemas" (default privileges on schemas created later; for one schema, on = "schema")',
  'on schemas without future: refused');
select is(pg_temp.bad('{"on": "types", "schema": "s", "privileges": ["USAGE"]}'),
  'Role.grants[0].objects: is required when on = "types" (the types and domains to grant on), unless future = true (default privileges on types created later)',
  'types without objects nor future: refused');
select is(pg_temp.bad('{"on": "schemas", "privileges": ["SELECT"], "future": true}'),
  'Role.grants[0].privileges: unknown privilege "SELECT" for schemas (allowed: CREATE, USAGE, ALL)', 'privileges of schemas');
select is(pg_temp.bad('{"on": "tables", "privileges": ["SELECT"], "future": true, "grant_option": true}'),
  'Role.grants[0].grant_option: applies to existing objects; default privileges are granted without it', 'no grant option on default privileges');
select is(pg_temp.bad('{"on": "schema", "privileges": ["USAGE"], "future": true}'),
  'Role.grants[0].schema: is required when on = "schema"', 'on schema still needs its schema');

select is(xplane.remote_exec('default', '', format('create role %1$I; create schema gd; grant create, usage on schema gd to %1$I; grant create on database %2$I to %1$I',
  pg_temp.n('maker'), current_database())), 'GRANT', 'fixtures: schema gd and a role that creates things');
select is((xplane.create_role(pg_temp.n('gr'), pg_temp.spec())).status_code, 'success', 'create');
select is(pg_temp.defaults(), array['maker/*/f=EXECUTE', 'maker/gd/T=USAGE', 'me/*/f=EXECUTE', 'me/*/n=USAGE', 'me/*/r=SELECT', 'me/gd/T=USAGE'],
  'pg_default_acl: global rows (namespace 0) for tables, functions, schemas; IN SCHEMA rows for types; xp''s role and the creator');
select ok(pg_temp.in_sync(), 'observed equals the normalised spec');
select is((xplane.update_role(pg_temp.n('gr'), pg_temp.spec())).status_code, 'no_change', 'update again: no_change');
-- a global row holds the built-in defaults too (the creator's own EXECUTE, PUBLIC's): not the creator's grants
select is(jsonb_path_query_array(xplane.observe_resource('Role', pg_temp.n('maker'), jsonb_build_object('grants', jsonb_build_array(pg_temp.spec() -> 'grants' -> 4))) -> 'grants',
            '$[*] ? (@.future == true)'), '[]'::jsonb,
  'the creator of a global row is not seen holding its own privileges there');

-- objects created later, in any schema, carry the privileges
select is(xplane.remote_exec('default', '', format('create schema gd_later; create table gd_later.t (id int); '
  || 'set role %1$I; create function gd.f() returns int language sql as ''select 1''; create type gd.mood as enum (''ok''); reset role',
  pg_temp.n('maker'))), 'RESET', 'objects created later by xp''s role and by the creator');
select ok(has_table_privilege(pg_temp.n('gr'), 'gd_later.t', 'SELECT'), 'a table xp creates in any schema: SELECT');
select ok(has_schema_privilege(pg_temp.n('gr'), 'gd_later', 'USAGE'), 'a schema xp creates: USAGE');
select ok(has_function_privilege(pg_temp.n('gr'), 'gd.f()', 'EXECUTE'), 'a function the creator creates: EXECUTE');
select ok(has_type_privilege(pg_temp.n('gr'), 'gd.mood', 'USAGE'), 'a type the creator creates in gd: USAGE');
select ok(pg_temp.in_sync(), 'still in sync: what a declared global default gives on gd.f (gd is in scope) is not revoked');

-- drift by hand: a declared one revoked, an undeclared kind given, an undeclared creator
select is(xplane.remote_exec('default', '', format(
  'alter default privileges revoke select on tables from %1$I; alter default privileges grant usage on sequences to %1$I; '
  || 'alter default privileges for role %2$I grant select on tables to %1$I', pg_temp.n('gr'), pg_temp.n('maker'))),
  'ALTER DEFAULT PRIVILEGES', 'drift by hand');
select is(jsonb_path_query_array(xplane.observe_resource('Role', pg_temp.n('gr'), pg_temp.spec()) -> 'grants',
            '$[*] ? (@.schema == null && (@.on == "tables" || @.on == "sequences"))'),
  jsonb_build_array(
    jsonb_build_object('on', 'sequences', 'future', true, 'schema', null, 'database', current_database(), 'privileges', '["USAGE"]'::jsonb,
                       'grant_option', false, 'future_owners', '[]'::jsonb),
    jsonb_build_object('on', 'tables', 'future', true, 'schema', null, 'database', current_database(), 'privileges', '[]'::jsonb,
                       'grant_option', false, 'future_owners', jsonb_build_array(pg_temp.n('maker')))),
  'observed: SELECT gone, the undeclared sequences and creator show');
select is(xplane.spec_diff('Role', xplane.normalize_spec('Role', pg_temp.spec()), xplane.observe_resource('Role', pg_temp.n('gr'), pg_temp.spec())),
  array['grants'], 'a difference of grants');
select is((xplane.update_role(pg_temp.n('gr'), pg_temp.spec())).status_code, 'updated', 'update heals it');
select is(pg_temp.defaults(), array['maker/*/f=EXECUTE', 'maker/gd/T=USAGE', 'me/*/f=EXECUTE', 'me/*/n=USAGE', 'me/*/r=SELECT', 'me/gd/T=USAGE'],
  'pg_default_acl as declared again');
select ok(pg_temp.in_sync(), 'in sync');

-- through the reconcile loop: types IN SCHEMA revoked by hand, given by hand globally
select isnt(xplane.apply('Role', pg_temp.n('gr'), pg_temp.spec()), null, 'managed through apply');
select is(xplane.remote_exec('default', '', format(
  'alter default privileges in schema gd revoke usage on types from %1$I; alter default privileges grant usage on types to %1$I', pg_temp.n('gr'))),
  'ALTER DEFAULT PRIVILEGES', 'drift by hand on types');
select is((xplane.reconcile(pg_temp.id(pg_temp.n('gr')))).status_code, 'updated', 'reconcile sees and heals it');
select is(pg_temp.defaults(), array['maker/*/f=EXECUTE', 'maker/gd/T=USAGE', 'me/*/f=EXECUTE', 'me/*/n=USAGE', 'me/*/r=SELECT', 'me/gd/T=USAGE'],
  'pg_default_acl as declared after reconcile');

-- a block removed: its default privileges are revoked (authoritative within the database);
-- PostgreSQL then deletes the rows that are back to the built-in defaults
select is((xplane.update_role(pg_temp.n('gr'), jsonb_build_object('grants', jsonb_build_array(pg_temp.spec() -> 'grants' -> 4)))).status_code, 'updated',
  'only the schema grant left');
select is(pg_temp.defaults(), '{}'::text[], 'every default privilege of the role revoked');
select is((select count(*)::int from pg_default_acl d where d.defaclrole = pg_temp.n('maker')::regrole), 0,
  'no row left behind (back to the built-in defaults)');

select xplane.delete_role(pg_temp.n('gr'), '{}');
select xplane.remote_exec('default', '', format('drop schema gd cascade; drop schema gd_later cascade; drop owned by %1$I; drop role %1$I', pg_temp.n('maker')));
select * from finish();
