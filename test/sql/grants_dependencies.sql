-- Grants on a schema or database that does not exist yet: the role is created, the result
-- is dependency_not_ready naming what is missing (reconcile retries), and once it exists
-- the next reconcile grants and reports success.
select plan(7);

create function pg_temp.n(p text) returns text language sql as $$ select p || '_' || right(current_database(), 8) $$;
create function pg_temp.spec() returns jsonb language sql as $$
  select jsonb_build_object('database', current_database(), 'schemas', jsonb_build_array('later'),
    'grants', jsonb_build_array(jsonb_build_object('schema', 'later', 'privileges', jsonb_build_array('SELECT'), 'future', true)))
$$;

select is((xplane.create_service_account(pg_temp.n('early'), pg_temp.spec())).status_code, 'dependency_not_ready',
  'grants on a missing schema: dependency_not_ready');
select matches((xplane.update_service_account(pg_temp.n('early'), pg_temp.spec())).message, 'wait for schema "later" in database',
  'the message names the missing schema');
select ok(exists (select 1 from pg_roles where rolname = pg_temp.n('early')) and has_database_privilege(pg_temp.n('early'), current_database(), 'CONNECT'),
  'the account exists with what could be granted');
select is(xplane.remote_exec('default', '', 'create schema later; create table later.t (id int)'), 'CREATE TABLE', 'the schema appears');
select is((xplane.update_service_account(pg_temp.n('early'), pg_temp.spec())).status_code, 'updated', 'next update grants');
-- No comment declared: not in the normalised spec; observed as none.
select ok(has_table_privilege(pg_temp.n('early'), 'later.t', 'SELECT')
          and xplane.observe_resource('ServiceAccount', pg_temp.n('early'), pg_temp.spec()) = xplane.normalize_spec('ServiceAccount', pg_temp.spec()) || '{"comment": null}',
  'granted and in sync');
select is((xplane.delete_service_account(pg_temp.n('early'), '{}')).status_code, 'success', 'delete');
select * from finish();
