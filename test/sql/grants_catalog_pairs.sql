-- The objects of a schema are counted for the roles whose scope names that schema, not for
-- every role of the batch: with a table in each of 1,000 tenant schemas, counting every role
-- against every schema (2,000 × 1,000) made a no-op plan take minutes. Eight tenants, each a
-- schema with a table and a role granted SELECT on its tables: eight entries, not 64.
select plan(4);

create function pg_temp.n(p text) returns text language sql as $$ select p || '_' || right(current_database(), 8) $$;
create function pg_temp.items() returns jsonb language sql as $$
  select jsonb_agg(jsonb_build_object('kind', 'Role', 'name', pg_temp.n('gp' || i), 'spec', jsonb_build_object('grants', jsonb_build_array(
           jsonb_build_object('database', current_database(), 'schema', pg_temp.n('gps' || i), 'on', 'schema', 'privileges', jsonb_build_array('USAGE')),
           jsonb_build_object('database', current_database(), 'schema', pg_temp.n('gps' || i), 'on', 'tables', 'privileges', jsonb_build_array('SELECT'))))))
    from generate_series(1, 8) i
$$;

select lives_ok($$ select xplane.remote_exec('default', current_database(), string_agg(format('create schema %1$I; create table %1$I.t (id int)', pg_temp.n('gps' || i)), '; '))
                     from generate_series(1, 8) i $$, 'eight schemas with a table each');
select is((select count(*)::int from jsonb_array_elements(pg_temp.items()) i
            where (xplane.run_action('create', 'Role', i ->> 'name', i -> 'spec')).status_code = 'success'),
  8, 'eight roles, each granted USAGE and SELECT in its own schema');

select is((select count(*)::int
             from jsonb_each(xplane.role_batch_catalog('default',
                    (select jsonb_agg(jsonb_build_object('name', i ->> 'name', 'scope', xplane.normalize_spec('Role', i -> 'spec') -> 'grants'))
                       from jsonb_array_elements(pg_temp.items()) i)) -> 'grants' -> current_database() -> 'schemas') s,
                  jsonb_each(s.value -> 'objects') o),
  8, 'role_batch_catalog: the objects of each schema counted for its own role only (8 entries, not 8 × 8)');

select is((select count(*)::int from jsonb_array_elements(xplane.observe_many(pg_temp.items())) o
            where o -> 'observed' -> 'grants' = o -> 'normalized' -> 'grants'),
  8, 'observe_many: each role''s grants observed as declared');

select count(xplane.run_action('delete', 'Role', i ->> 'name', '{}')) from jsonb_array_elements(pg_temp.items()) i;
select xplane.remote_exec('default', current_database(), string_agg(format('drop schema %I cascade', pg_temp.n('gps' || i)), '; '))
  from generate_series(1, 8) i;
select * from finish();
