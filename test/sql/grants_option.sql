-- WITH GRANT OPTION (grant_option): granted, read back exactly, drift both ways (the option
-- revoked by hand, the option added by hand where it is not declared) seen and healed; the
-- privilege itself is kept when only its option goes.
select plan(13);

create function pg_temp.n(p text) returns text language sql as $$ select p || '_' || right(current_database(), 8) $$;
create function pg_temp.g(p_option boolean) returns jsonb language sql as $$
  select jsonb_build_object('grants', jsonb_build_array(
    jsonb_build_object('database', current_database(), 'schema', 'go', 'privileges', '["SELECT"]'::jsonb, 'grant_option', p_option),
    jsonb_build_object('database', current_database(), 'schema', 'go', 'on', 'schema', 'privileges', '["USAGE"]'::jsonb, 'grant_option', p_option),
    jsonb_build_object('database', current_database(), 'on', 'database', 'privileges', '["CONNECT"]'::jsonb, 'grant_option', p_option)))
$$;
create function pg_temp.in_sync(p_spec jsonb) returns boolean language sql as $$
  select xplane.observe_resource('Role', pg_temp.n('go'), p_spec) = xplane.normalize_spec('Role', p_spec) || '{"comment": null}'
$$;
-- what the role holds WITH GRANT OPTION: on go.t1, schema go, this database
create function pg_temp.grantable() returns text language sql as $$
  select concat_ws(',',
    (select string_agg('t1:' || a.privilege_type, ',') from pg_class c, aclexplode(c.relacl) a
      where c.oid = (select oid from pg_class where relname = 't1' and relnamespace = (select oid from pg_namespace where nspname = 'go'))
        and a.grantee = pg_temp.n('go')::regrole and a.is_grantable),
    (select string_agg('go:' || a.privilege_type, ',') from pg_namespace n, aclexplode(n.nspacl) a
      where n.nspname = 'go' and a.grantee = pg_temp.n('go')::regrole and a.is_grantable),
    (select string_agg('db:' || a.privilege_type, ',') from pg_database d, aclexplode(d.datacl) a
      where d.datname = current_database() and a.grantee = pg_temp.n('go')::regrole and a.is_grantable))
$$;

select is(xplane.normalize_spec('Role', pg_temp.g(true)) -> 'grants' -> 0 -> 'grant_option', 'true'::jsonb, 'grant_option normalised');
select is(xplane.normalize_spec('Role', '{"grants": [{"database": "d", "schema": "s", "privileges": ["SELECT"]}]}') -> 'grants' -> 0 -> 'grant_option',
  'false'::jsonb, 'grant_option: false when not set (specs of 0.6.0)');
select throws_ok($$select xplane.normalize_spec('Role', '{"grants": [{"database": "d", "schema": "s", "privileges": ["SELECT"], "grant_option": "yes"}]}')$$,
  '22023', 'Role.grants[0].grant_option: must be true or false', 'grant_option must be a boolean');

select is(xplane.remote_exec('default', '', 'create schema go; create table go.t1 (id int)'), 'CREATE TABLE', 'fixtures');
select is((xplane.create_role(pg_temp.n('go'), pg_temp.g(true))).status_code, 'success', 'create with grant_option');
select is(pg_temp.grantable(), 't1:SELECT,go:USAGE,db:CONNECT', 'held WITH GRANT OPTION on the table, the schema and the database');
select ok(pg_temp.in_sync(pg_temp.g(true)), 'observed equals the normalised spec');

select lives_ok(format($$select xplane.remote_exec('default', '', 'revoke grant option for select on go.t1 from %I')$$, pg_temp.n('go')), 'drift: the option revoked by hand');
select ok(not pg_temp.in_sync(pg_temp.g(true)), 'the drift is a difference');
select is((xplane.update_role(pg_temp.n('go'), pg_temp.g(true))).status_code, 'updated', 'heal');
select ok(pg_temp.grantable() = 't1:SELECT,go:USAGE,db:CONNECT' and pg_temp.in_sync(pg_temp.g(true)), 'back, in sync');

-- declared without it: the option goes, the privileges stay
select is((xplane.update_role(pg_temp.n('go'), pg_temp.g(false))).status_code, 'updated', 'grant_option = false');
select ok(pg_temp.grantable() = '' and has_table_privilege(pg_temp.n('go'), 'go.t1', 'SELECT') and pg_temp.in_sync(pg_temp.g(false)),
  'no grant option left, SELECT kept, in sync');

select xplane.delete_role(pg_temp.n('go'), '{}');
select xplane.remote_exec('default', '', 'drop schema go cascade');
select * from finish();
