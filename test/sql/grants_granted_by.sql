-- granted_by on default privileges: a creator's own default privileges (ALTER DEFAULT PRIVILEGES
-- FOR ROLE creator …), without those of xp's role (global) or of the schema's future_for (on
-- types IN SCHEMA). Normalised and refused with the field named; created exactly (no row of
-- xp's role); drift (xp's role giving it too, the creator's revoked) seen and healed; a grantor
-- xp's role may not act as refused with a clear error.
select plan(38);

create function pg_temp.n(p text) returns text language sql as $$ select p || '_' || right(current_database(), 8) $$;
create function pg_temp.spec() returns jsonb language sql as $$
  select jsonb_build_object('grants', jsonb_build_array(
    jsonb_build_object('database', current_database(), 'on', 'tables', 'privileges', '["SELECT"]'::jsonb, 'future', true,
                       'granted_by', pg_temp.n('maker')),
    jsonb_build_object('database', current_database(), 'schema', 'gb', 'on', 'types', 'privileges', '["USAGE"]'::jsonb, 'future', true,
                       'granted_by', pg_temp.n('maker')),
    jsonb_build_object('database', current_database(), 'schema', 'gb', 'on', 'schema', 'privileges', '["USAGE"]'::jsonb)))
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
create function pg_temp.bad(p_grants jsonb) returns text language plpgsql as $$
begin
  perform xplane.normalize_spec('Role', jsonb_build_object('grants', p_grants));
  return 'accepted';
exception when sqlstate '22023' then
  return sqlerrm;
end
$$;

-- the language
select is(xplane.normalize_spec('Role', jsonb_build_object('grants', jsonb_build_array(
    jsonb_build_object('database', 'd', 'on', 'functions', 'privileges', '["execute"]'::jsonb, 'future', true, 'granted_by', 'maker')))) -> 'grants',
  '[{"on": "functions", "future": true, "schema": null, "database": "d", "privileges": ["EXECUTE"], "grant_option": false, "future_owners": [], "granted_by": "maker"}]'::jsonb,
  'granted_by on a global default privilege: kept in the normalised entry');
select is(xplane.normalize_spec('Role', jsonb_build_object('grants', jsonb_build_array(
    jsonb_build_object('database', 'd', 'on', 'tables', 'privileges', '["SELECT"]'::jsonb, 'future', true)))) -> 'grants' -> 0 ? 'granted_by',
  false, 'without granted_by: no key (configurations of 0.6.0 plan empty)');
select is(pg_temp.bad('[{"database": "d", "schema": "s", "privileges": ["SELECT"], "granted_by": "maker"}]'),
  'Role.grants[0].granted_by: applies to a grant on a schema, a database or named objects (objects), and to default privileges only (future = true without schema, on = "schemas", or on = "types" without objects); not to every object of a schema (name them in objects), nor to columns',
  'on the objects of a schema: refused at the attribute');
select is(pg_temp.bad('[{"database": "d", "schema": "s", "privileges": ["SELECT"], "future": true, "granted_by": "maker"}]'),
  'Role.grants[0].granted_by: applies to a grant on a schema, a database or named objects (objects), and to default privileges only (future = true without schema, on = "schemas", or on = "types" without objects); not to every object of a schema (name them in objects), nor to columns',
  'on tables of a schema with future (GRANT on existing objects too): refused');
select is(pg_temp.bad('[{"database": "d", "schema": "s", "objects": ["t"], "columns": ["c"], "privileges": ["SELECT"], "granted_by": "maker"}]'),
  'Role.grants[0].granted_by: applies to a grant on a schema, a database or named objects (objects), and to default privileges only (future = true without schema, on = "schemas", or on = "types" without objects); not to every object of a schema (name them in objects), nor to columns',
  'on columns: refused');
select is(xplane.normalize_spec('Role', jsonb_build_object('grants', jsonb_build_array(
    jsonb_build_object('database', 'd', 'schema', 's', 'objects', '["t"]'::jsonb, 'privileges', '["select"]'::jsonb, 'granted_by', 'g'),
    jsonb_build_object('database', 'd', 'schema', 's', 'on', 'schema', 'privileges', '["usage"]'::jsonb, 'granted_by', 'g')))) -> 'grants',
  '[{"on": "schema", "future": false, "schema": "s", "database": "d", "privileges": ["USAGE"], "grant_option": false, "future_owners": [], "granted_by": "g"},
    {"on": "tables", "future": false, "schema": "s", "objects": ["t"], "database": "d", "privileges": ["SELECT"], "grant_option": false, "future_owners": [], "granted_by": "g"}]'::jsonb,
  'on a schema and on named objects: kept in the normalised entries');
select is(pg_temp.bad('[{"database": "d", "on": "tables", "privileges": ["SELECT"], "future": true, "granted_by": ""}]'),
  'Role.grants[0].granted_by: must not be empty', 'an empty name: refused');
select is(pg_temp.bad('[{"database": "d", "on": "tables", "privileges": ["SELECT"], "future": true, "granted_by": "a"},
                        {"database": "d", "on": "tables", "privileges": ["INSERT"], "future": true}]'),
  'Role.grants[1].granted_by: differs from that of another grant block on d (tables): one grantor per target (merge the blocks, or name the same grantor)',
  'two blocks for one target with different creators: refused at the second');
select is(jsonb_array_length(xplane.normalize_spec('Role', jsonb_build_object('grants', '[{"database": "d", "on": "tables", "privileges": ["SELECT"], "future": true, "granted_by": "a"},
    {"database": "d", "on": "tables", "privileges": ["INSERT"], "future": true, "granted_by": "a"}]'::jsonb)) -> 'grants'), 1,
  'two blocks naming the same creator: merged');

select is(xplane.remote_exec('default', '', format('create role %1$I; create schema gb; grant create, usage on schema gb to %1$I',
  pg_temp.n('maker'))), 'GRANT', 'fixtures: schema gb and a role that creates things');
select is((xplane.create_role(pg_temp.n('gr'), pg_temp.spec())).status_code, 'success', 'create');
select is(pg_temp.defaults(), array['maker/*/r=SELECT', 'maker/gb/T=USAGE'],
  'pg_default_acl: the creator''s rows only, none of xp''s role');
select ok(pg_temp.in_sync(), 'observed equals the normalised spec');
select is((xplane.update_role(pg_temp.n('gr'), pg_temp.spec())).status_code, 'no_change', 'update again: no_change');
select is(xplane.remote_exec('default', '', format('set role %1$I; create table gb.t (id int); create type gb.mood as enum (''ok''); reset role',
  pg_temp.n('maker'))), 'RESET', 'objects the creator creates later');
select ok(has_table_privilege(pg_temp.n('gr'), 'gb.t', 'SELECT') and has_type_privilege(pg_temp.n('gr'), 'gb.mood', 'USAGE'),
  'they carry the privileges');

-- drift by hand: xp's role gives it too, the creator's revoked
select is(xplane.remote_exec('default', '', format(
  'alter default privileges grant select on tables to %1$I; alter default privileges for role %2$I in schema gb revoke usage on types from %1$I',
  pg_temp.n('gr'), pg_temp.n('maker'))), 'ALTER DEFAULT PRIVILEGES', 'drift by hand');
select is(jsonb_path_query_array(xplane.observe_resource('Role', pg_temp.n('gr'), pg_temp.spec()) -> 'grants', '$[*] ? (@.future == true)'),
  jsonb_build_array(
    jsonb_build_object('on', 'tables', 'future', true, 'schema', null, 'database', current_database(), 'privileges', '["SELECT"]'::jsonb,
                       'grant_option', false, 'future_owners', jsonb_build_array(current_user), 'granted_by', pg_temp.n('maker'))),
  'observed: xp''s role shows as another creator of tables; the creator''s USAGE on types is gone (no entry)');
select is((xplane.update_role(pg_temp.n('gr'), pg_temp.spec())).status_code, 'updated', 'update heals it');
select is(pg_temp.defaults(), array['maker/*/r=SELECT', 'maker/gb/T=USAGE'], 'pg_default_acl as declared again');
select ok(pg_temp.in_sync(), 'in sync');

-- granted_by on a schema, a database and a named table: made as the grantor (SET ROLE)
create function pg_temp.gspec(p_by text) returns jsonb language sql as $$
  select jsonb_build_object('grants', jsonb_build_array(
    jsonb_build_object('database', current_database(), 'on', 'database', 'privileges', '["CONNECT"]'::jsonb, 'granted_by', p_by),
    jsonb_build_object('database', current_database(), 'schema', 'gs', 'on', 'schema', 'privileges', '["USAGE"]'::jsonb, 'granted_by', p_by),
    jsonb_build_object('database', current_database(), 'schema', 'gs', 'objects', '["t"]'::jsonb, 'privileges', '["SELECT"]'::jsonb,
                       'granted_by', p_by)))
$$;
-- what the reader holds, as a DBA reads it: object privilege by grantor
create function pg_temp.acl() returns text[] language sql as $$
  select coalesce(array_agg(x order by x collate "C"), '{}') from (
    select format('%s %s by %s', o, a.privilege_type, case when a.grantor = pg_temp.n('giver')::regrole then 'giver' else 'other' end) as x
      from (select 'database' as o, datacl as acl from pg_database where datname = current_database()
            union all select 'schema', nspacl from pg_namespace where nspname = 'gs'
            union all select 'table', relacl from pg_class where oid = to_regclass('gs.t')) z, aclexplode(z.acl) a
     where a.grantee = pg_temp.n('rd')::regrole) y
$$;
select is(xplane.remote_exec('default', '', format('create role %1$I; create role %2$I; create schema gs; create table gs.t (id int); '
  || 'grant usage on schema gs to %1$I with grant option; grant select on gs.t to %1$I with grant option; '
  || 'grant connect on database %3$I to %1$I with grant option', pg_temp.n('giver'), pg_temp.n('poor'), current_database())),
  'GRANT', 'fixtures: a grantor holding the grant option, and one that holds nothing');
select is((xplane.create_role(pg_temp.n('rd'), pg_temp.gspec(pg_temp.n('giver')))).status_code, 'success', 'create');
select is(pg_temp.acl(), array['database CONNECT by giver', 'schema USAGE by giver', 'table SELECT by giver'],
  'aclexplode: each privilege granted by the grantor, none by xp');
select ok(xplane.observe_resource('Role', pg_temp.n('rd'), pg_temp.gspec(pg_temp.n('giver'))) -> 'grants'
          = xplane.normalize_spec('Role', pg_temp.gspec(pg_temp.n('giver'))) -> 'grants', 'observed equals the normalised spec');
select is((xplane.update_role(pg_temp.n('rd'), pg_temp.gspec(pg_temp.n('giver')))).status_code, 'no_change', 'update again: no_change');
-- drift: the grantor's grants revoked and made by xp instead
select is(xplane.remote_exec('default', '', format('set role %1$I; revoke usage on schema gs from %2$I; revoke select on gs.t from %2$I; reset role; '
  || 'grant usage on schema gs to %2$I; grant select on gs.t to %2$I', pg_temp.n('giver'), pg_temp.n('rd'))), 'GRANT', 'drift by hand');
select is(pg_temp.acl(), array['database CONNECT by giver', 'schema USAGE by other', 'table SELECT by other'], 'made by another grantor now');
select is(jsonb_path_query_array(xplane.observe_resource('Role', pg_temp.n('rd'), pg_temp.gspec(pg_temp.n('giver'))) -> 'grants', '$[*].granted_by'),
  jsonb_build_array(pg_temp.n('giver')), 'observed: granted_by shows only where the grantor granted it (the database)');
select is((xplane.update_role(pg_temp.n('rd'), pg_temp.gspec(pg_temp.n('giver')))).status_code, 'updated', 'update heals it');
select is(pg_temp.acl(), array['database CONNECT by giver', 'schema USAGE by giver', 'table SELECT by giver'],
  'granted by the grantor again, the other grants revoked');
select is((xplane.update_role(pg_temp.n('rd'), pg_temp.gspec(pg_temp.n('giver')))).status_code, 'no_change', 'then no_change');
-- a grantor without the grant option: a clear error, nothing granted by xp in its place
-- (the first step to run names the first privilege it lacks: the database's, the schema's or the table's)
select matches((xplane.update_role(pg_temp.n('rd'), pg_temp.gspec(pg_temp.n('poor')))).message,
  format('^granted_by = %s: %s does not hold (CONNECT on database %s|USAGE on schema gs|SELECT on table gs\.t) WITH GRANT OPTION, so it cannot grant it',
         pg_temp.n('poor'), pg_temp.n('poor'), quote_ident(current_database())),
  'a grantor lacking the grant option: the error names it and what it lacks');
select is(pg_temp.acl(), array['database CONNECT by giver', 'schema USAGE by giver', 'table SELECT by giver'], 'and nothing changed');
select is((xplane.delete_role(pg_temp.n('rd'), '{}')).status_code, 'success', 'delete: what the grantor granted is revoked as it first (DROP OWNED does not reach it)');
select xplane.remote_exec('default', '', format('drop schema gs cascade; revoke connect on database %3$I from %1$I cascade; drop role %1$I; drop role %2$I',
  pg_temp.n('giver'), pg_temp.n('poor'), current_database()));

-- a grantor xp's role may not act as: a clear error, before anything changes
create temp table gb_check as select xplane.grantor_check_sql(pg_temp.n('maker')) as sql, pg_temp.n('maker') as maker, pg_temp.n('lowly') as lowly;
select is(xplane.remote_exec('default', '', format('create role %I', pg_temp.n('lowly'))), 'CREATE ROLE', 'a role that is no member of the creator');
select set_config('xp_test.lowly', pg_temp.n('lowly'), false);
do $$ begin execute format('grant select on gb_check to %I', current_setting('xp_test.lowly')); end $$;
select set_config('role', current_setting('xp_test.lowly'), false);
select throws_ok((select sql from gb_check), '42501',
  format('granted_by = %s: xp''s role %s may not act as %s', (select maker from gb_check), (select lowly from gb_check), (select maker from gb_check)),
  'the grantor check names the grantor and xp''s role');
reset role;
select lives_ok((select sql from gb_check), 'and passes for a role that may act as it');
drop table gb_check;
-- (here: this transaction's GRANT on gb_check holds a lock on the role until it ends)
do $$ begin execute format('drop role %I', current_setting('xp_test.lowly')); end $$;

select xplane.delete_role(pg_temp.n('gr'), '{}');
select xplane.remote_exec('default', '', format('drop schema gb cascade; drop owned by %1$I; drop role %1$I', pg_temp.n('maker')));
select * from finish();
