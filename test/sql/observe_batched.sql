-- Batched observe of databases, schemas and extensions: round trips grow with the number of
-- databases (and kinds), never with the number of resources.
select plan(12);

create temp table t as select current_database() || '_b1' as db1, current_database() || '_b2' as db2;
create function pg_temp.items(p_schemas int) returns jsonb language sql as $$
  select jsonb_agg(x order by ord) from (
    select 1 as ord, jsonb_build_object('kind', 'Database', 'name', d, 'spec', '{}'::jsonb) as x from t, unnest(array[db1, db2]) d
    union all
    select 2, jsonb_build_object('kind', 'Schema', 'name', 's' || i, 'spec', jsonb_build_object('database', d))
      from t, unnest(array[db1, db2]) d, generate_series(1, p_schemas) i
    union all
    select 3, jsonb_build_object('kind', 'Extension', 'name', e, 'spec', jsonb_build_object('database', d))
      from t, unnest(array[db1, db2]) d, unnest(array['pgcrypto', 'citext', 'hstore']) e) q
$$;
create function pg_temp.remote_calls() returns bigint language sql as $$
  select coalesce(pg_stat_get_xact_function_calls('xplane.remote_query(text,text,text,text[])'::regprocedure), 0)
$$;
create function pg_temp.observe_cost(p_schemas int) returns bigint language plpgsql as $$
declare
  v_before bigint := pg_temp.remote_calls();
begin
  perform xplane.observe_many(pg_temp.items(p_schemas));
  return pg_temp.remote_calls() - v_before;
end
$$;
set track_functions = 'pl';

select is((select count(*)::int from t, unnest(array[db1, db2]) d where (xplane.create_database(d, '{}')).status_code = 'success'), 2, 'two databases');
select is((select count(*)::int from t, generate_series(1, 3) i where (xplane.create_schema('s' || i, jsonb_build_object('database', db1))).status_code = 'success'), 3, 'three schemas in the first');
select is(pg_temp.observe_cost(5), 7::bigint, '2 databases, 10 schemas, 6 extensions: 7 queries (1 for databases, per kind 1 + 1 per database)');
select is(pg_temp.observe_cost(40), 7::bigint, '80 schemas: still 7 queries');
select is((select count(*)::int from jsonb_array_elements(xplane.observe_many(pg_temp.items(5))) o
            where o ->> 'kind' = 'Schema' and o -> 'observed' <> 'null'::jsonb), 3, 'the three existing schemas are observed, the others absent');
select is(cardinality(xplane.dblink_get_connections()), 3, 'dblink connections: one per database touched (maintenance + 2), reused');

-- An invalid spec gets its own error; the valid items around it are normalised and observed.
create temp table mixed as select xplane.observe_many(jsonb_build_array(
  jsonb_build_object('kind', 'Schema', 'name', 's1', 'spec', jsonb_build_object('database', db1)),
  jsonb_build_object('kind', 'Schema', 'name', 's2', 'spec', jsonb_build_object('database', db1, 'colour', 'red')),
  jsonb_build_object('kind', 'Role', 'name', 'r_bad', 'spec', '{"connection_limit": "many"}'::jsonb))) as o from t;
select is((select jsonb_agg(jsonb_build_object('name', e ->> 'name', 'database', e -> 'database', 'normalized', e -> 'normalized' is not null and e -> 'normalized' <> 'null',
                                               'observed', e -> 'observed' <> 'null', 'error', e ? 'error') order by n)
             from mixed, jsonb_array_elements(o) with ordinality x(e, n)),
  (select jsonb_build_array(
     jsonb_build_object('name', 's1', 'database', db1, 'normalized', true, 'observed', true, 'error', false),
     jsonb_build_object('name', 's2', 'database', db1, 'normalized', false, 'observed', false, 'error', true),
     jsonb_build_object('name', 'r_bad', 'database', '', 'normalized', false, 'observed', false, 'error', true)) from t),
  'observe_many: each invalid spec has its error, the valid ones their normalised and observed state');
select matches((select o -> 1 ->> 'error' from mixed), '^Schema\.colour', 'the error names the field');

-- reconcile_all over resources in sync: one batched observe, no action, no per-resource query.
select is((select count(*)::int from jsonb_array_elements(pg_temp.items(12)) i
            where xplane.apply((i ->> 'kind')::xplane.resource_kind, i ->> 'name', i -> 'spec', 'default', 'batched') is not null), 32,
  '32 resources applied');
create temp table before as select pg_temp.remote_calls() as q,
  coalesce(pg_stat_get_xact_function_calls('xplane.remote_exec(text,text,text)'::regprocedure), 0) as e;
select is(xplane.reconcile_all('batched'), 32, 'reconcile_all takes all 32');
select is((select (pg_temp.remote_calls() - q, coalesce(pg_stat_get_xact_function_calls('xplane.remote_exec(text,text,text)'::regprocedure), 0) - e)::text from before),
  '(7,0)', 'in sync: 7 queries and no statement for 32 resources');
select is((select count(*)::int from t, unnest(array[db1, db2]) d where (xplane.delete_database(d, '{}')).status_code = 'success'), 2, 'cleanup');
select * from finish();
