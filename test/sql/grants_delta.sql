-- Grants: exact read-back, deltas (GRANT/REVOKE of the difference only), authoritative revoke
-- within the schemas the spec names, ALL TABLES convergence, database grants.
select plan(26);

create function pg_temp.n(p text) returns text language sql as $$ select p || '_' || right(current_database(), 8) $$;
create function pg_temp.g(p_tables jsonb, p_extra jsonb default '[]') returns jsonb language sql as $$
  select jsonb_build_object('grants', jsonb_build_array(
      jsonb_build_object('database', current_database(), 'schema', 'app', 'privileges', p_tables),
      jsonb_build_object('database', current_database(), 'schema', 'app', 'on', 'schema', 'privileges', jsonb_build_array('usage')),
      jsonb_build_object('database', current_database(), 'on', 'database', 'privileges', jsonb_build_array('CONNECT')))
    || p_extra)
$$;
create function pg_temp.delta(p_spec jsonb) returns jsonb language sql as $$
  select xplane.grants_delta(pg_temp.n('g'), xplane.normalize_spec('Role', p_spec) -> 'grants', '[]',
    xplane.role_batch_catalog('default', jsonb_build_array(jsonb_build_object('name', pg_temp.n('g'),
      'scope', xplane.normalize_spec('Role', p_spec) -> 'grants'))) -> 'grants')
$$;
-- The specs declare no comment (not managed: not in the normalised spec); the role has none.
create function pg_temp.in_sync(p_spec jsonb) returns boolean language sql as $$
  select xplane.observe_resource('Role', pg_temp.n('g'), p_spec) = xplane.normalize_spec('Role', p_spec) || '{"comment": null}'
$$;

select is(xplane.remote_exec('default', '', 'create schema app; create schema other; create table app.t1 (id int); '
  || 'create table app.t2 (id int); create view app.v1 as select 1 as x; create sequence app.s1; '
  || 'create function app.f1() returns int language sql as $f$ select 1 $f$; create table other.o1 (id int)'), 'CREATE TABLE', 'fixtures');

select is((xplane.create_role(pg_temp.n('g'), pg_temp.g('["SELECT"]', jsonb_build_array(
    jsonb_build_object('database', current_database(), 'schema', 'app', 'on', 'sequences', 'privileges', jsonb_build_array('ALL')),
    jsonb_build_object('database', current_database(), 'schema', 'app', 'on', 'functions', 'privileges', jsonb_build_array('execute')))))).status_code,
  'success', 'create a role with grants on tables, sequences, functions, schema, database');
select ok(pg_temp.in_sync(pg_temp.g('["SELECT"]', jsonb_build_array(
    jsonb_build_object('database', current_database(), 'schema', 'app', 'on', 'sequences', 'privileges', jsonb_build_array('ALL')),
    jsonb_build_object('database', current_database(), 'schema', 'app', 'on', 'functions', 'privileges', jsonb_build_array('execute'))))),
  'observed grants equal the normalised spec (ALL expanded, PUBLIC EXECUTE not counted)');
select ok(has_table_privilege(pg_temp.n('g'), 'app.t1', 'SELECT') and has_table_privilege(pg_temp.n('g'), 'app.v1', 'SELECT')
          and not has_table_privilege(pg_temp.n('g'), 'app.t1', 'INSERT'), 'SELECT on every table and view, nothing more');
select ok(has_sequence_privilege(pg_temp.n('g'), 'app.s1', 'USAGE,SELECT,UPDATE'), 'ALL on sequences');

-- Removing the sequences/functions blocks revokes them (the schema stays in scope).
select is((xplane.update_role(pg_temp.n('g'), pg_temp.g('["SELECT"]'))).status_code, 'updated', 'drop two grant blocks: updated');
select ok(not has_sequence_privilege(pg_temp.n('g'), 'app.s1', 'USAGE'), 'sequence privileges revoked');
select ok(pg_temp.in_sync(pg_temp.g('["SELECT"]')), 'in sync after revoke');

-- A delta: adding INSERT grants INSERT only; nothing is revoked on the way.
select is(pg_temp.delta(pg_temp.g('["SELECT", "INSERT"]')),
  jsonb_build_array(jsonb_build_object('database', current_database(), 'lock', format('schema:%s.app', current_database()),
    'sql', format('grant INSERT on all tables in schema app to %I', pg_temp.n('g')))), 'the delta is one GRANT INSERT');
select is((xplane.update_role(pg_temp.n('g'), pg_temp.g('["SELECT", "INSERT"]'))).status_code, 'updated', 'apply the delta');
select is((xplane.update_role(pg_temp.n('g'), pg_temp.g('["SELECT", "INSERT"]'))).status_code, 'no_change', 'again: no_change');

-- Authoritative: a privilege granted by hand in a named schema is revoked; in another schema
-- too (grants_scope_outside.sql).
select is(xplane.remote_exec('default', '', format('grant update on app.t1 to %1$I; grant delete on other.o1 to %1$I; revoke select on app.t2 from %1$I',
  pg_temp.n('g'))), 'REVOKE', 'drift by hand');
select is((select g -> 'privileges' from jsonb_array_elements(xplane.observe_resource('Role', pg_temp.n('g'), pg_temp.g('["SELECT", "INSERT"]')) -> 'grants') g
            where g ->> 'on' = 'tables' and g ->> 'schema' = 'app'), '["INSERT", "UPDATE"]', 'observed: SELECT no longer on every table, UPDATE held but undesired');
select is(pg_temp.delta(pg_temp.g('["SELECT", "INSERT"]')) -> 0 ->> 'sql',
  format('grant SELECT on all tables in schema app to %1$I; revoke UPDATE on all tables in schema app from %1$I', pg_temp.n('g')),
  'the delta re-grants SELECT and revokes UPDATE');
select is((xplane.update_role(pg_temp.n('g'), pg_temp.g('["SELECT", "INSERT"]'))).status_code, 'updated', 'heal');
select ok(not has_table_privilege(pg_temp.n('g'), 'app.t1', 'UPDATE') and has_table_privilege(pg_temp.n('g'), 'app.t2', 'SELECT'),
  'UPDATE revoked, SELECT back on t2');
select ok(not has_table_privilege(pg_temp.n('g'), 'other.o1', 'DELETE'), 'DELETE on a table of a schema the spec does not name revoked');

-- ALL TABLES converges: a table created later (no future) shows as a difference until applied.
select is(xplane.remote_exec('default', '', 'create table app.t3 (id int)'), 'CREATE TABLE', 'a new table');
select ok(not pg_temp.in_sync(pg_temp.g('["SELECT", "INSERT"]')), 'the new table is a difference');
select is((xplane.update_role(pg_temp.n('g'), pg_temp.g('["SELECT", "INSERT"]'))).status_code, 'updated', 'update grants on it');
select ok(pg_temp.in_sync(pg_temp.g('["SELECT", "INSERT"]')) and has_table_privilege(pg_temp.n('g'), 'app.t3', 'INSERT'), 'in sync');

-- Removing every grant on a schema (and on the database) revokes them: the previous scope
-- stays authoritative until it is clean.
create function pg_temp.only_other() returns jsonb language sql as $$
  select jsonb_build_object('grants', jsonb_build_array(
    jsonb_build_object('database', current_database(), 'schema', 'other', 'privileges', jsonb_build_array('DELETE'))))
$$;
select is(xplane.spec_diff('Role', xplane.normalize_spec('Role', pg_temp.only_other()),
                           xplane.observe_resource('Role', pg_temp.n('g'), pg_temp.only_other())), array['grants'],
  'the plan shows the grants on app and on the database as differences');
select is((xplane.update_role(pg_temp.n('g'), pg_temp.only_other())).status_code, 'updated', 'apply without the app blocks');
select ok(not has_table_privilege(pg_temp.n('g'), 'app.t1', 'SELECT') and not has_schema_privilege(pg_temp.n('g'), 'app', 'USAGE')
          and not exists (select 1 from pg_database d, aclexplode(d.datacl) a where d.datname = current_database()
                           and a.grantee = (select oid from pg_roles where rolname = pg_temp.n('g'))),
  'privileges on app and on the database revoked');
select ok(pg_temp.in_sync(pg_temp.only_other()), 'in sync');

select is((xplane.delete_role(pg_temp.n('g'), '{}')).status_code, 'success', 'a role holding privileges is dropped (DROP OWNED)');
select * from finish();
