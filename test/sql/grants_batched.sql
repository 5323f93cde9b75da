-- Batched observe: for a batch of roles and service accounts with grants in two databases,
-- observe_many makes one cluster-wide query plus one query per database (both kinds together),
-- however many resources there are.
select plan(4);

create function pg_temp.n(p text) returns text language sql as $$ select p || '_' || right(current_database(), 8) $$;
create function pg_temp.items(p_count int) returns jsonb language sql as $$
  select jsonb_agg(x) from (
    select jsonb_build_object('kind', 'Role', 'name', pg_temp.n('br' || i), 'spec', jsonb_build_object('grants', jsonb_build_array(
      jsonb_build_object('database', current_database(), 'schema', 'public', 'privileges', jsonb_build_array('SELECT')),
      jsonb_build_object('database', pg_temp.n('bdb'), 'schema', 'public', 'privileges', jsonb_build_array('SELECT'))))) as x
      from generate_series(1, p_count) i
    union all
    select jsonb_build_object('kind', 'ServiceAccount', 'name', pg_temp.n('bs' || i), 'spec', jsonb_build_object(
      'database', current_database(), 'schemas', jsonb_build_array('public'), 'grants', jsonb_build_array(
      jsonb_build_object('database', pg_temp.n('bdb'), 'schema', 'public', 'privileges', jsonb_build_array('SELECT')))))
      from generate_series(1, p_count) i) t
$$;
create function pg_temp.remote_calls() returns bigint language sql as $$
  select coalesce(pg_stat_get_xact_function_calls('xplane.remote_query(text,text,text,text[])'::regprocedure), 0)
$$;

set track_functions = 'pl';
select is(xplane.remote_exec('default', '', format('create database %I', pg_temp.n('bdb'))), 'CREATE DATABASE', 'a second database');
select is((select count(*)::int from jsonb_array_elements(pg_temp.items(6)) i
            where (xplane.run_action('create', (i ->> 'kind')::xplane.resource_kind, i ->> 'name', i -> 'spec')).status_code = 'success'),
  12, 'six roles and six service accounts with grants in both databases');

create temp table calls as select pg_temp.remote_calls() as before;
-- No comment declared: not in the normalised spec; observed as none.
select is((select count(*)::int from jsonb_array_elements(xplane.observe_many(pg_temp.items(6))) o
            where o -> 'observed' = o -> 'normalized' || '{"comment": null}'), 12, 'observe_many: all twelve observed equal to their normalised specs');
select is(pg_temp.remote_calls() - (select before from calls), 3::bigint,
  'three round trips for twelve resources: Roles and ServiceAccounts together, one for the roles and one per database');

select count(xplane.run_action('delete', (i ->> 'kind')::xplane.resource_kind, i ->> 'name', '{}')) from jsonb_array_elements(pg_temp.items(6)) i;
select xplane.remote_disconnect('default', pg_temp.n('bdb'));
select xplane.remote_exec('default', '', format('drop database %I', pg_temp.n('bdb')));
select * from finish();
