-- Kind Schema: identity (database, name), owner/comment, data-loss refusal, missing database.
select plan(17);

create temp table t as select current_database() || '_s1' as db1, current_database() || '_s2' as db2;
select is((xplane.create_database(db1, '{}')).status_code, 'success', 'database 1') from t;
select is((xplane.create_database(db2, '{}')).status_code, 'success', 'database 2') from t;

select throws_ok($$select xplane.normalize_spec('Schema', '{}')$$, '22023', 'Schema.database: is required (the database the schema lives in)', 'database is required');
select is((xplane.create_schema('api', jsonb_build_object('database', db1, 'comment', 'public API'))).status_code, 'success', 'schema api in database 1') from t;
select is((xplane.create_schema('api', jsonb_build_object('database', db2))).status_code, 'success', 'schema api in database 2: the database is part of the identity') from t;
select is((xplane.create_schema('api', jsonb_build_object('database', db1))).status_code, 'already_exists', 'create again: already_exists') from t;
select is(xplane.observe_resource('Schema', 'api', jsonb_build_object('database', db1)),
  jsonb_build_object('database', db1, 'owner', current_user, 'comment', 'public API', 'public_privileges', '[]'::jsonb), 'observed in the spec''s shape') from t;
select is(
  (select jsonb_agg(e -> 'observed' ->> 'comment' order by ord) from jsonb_array_elements(xplane.observe_many(jsonb_build_array(
     jsonb_build_object('kind', 'Schema', 'name', 'api', 'spec', jsonb_build_object('database', db1)),
     jsonb_build_object('kind', 'Schema', 'name', 'nope', 'spec', jsonb_build_object('database', db1)),
     jsonb_build_object('kind', 'Schema', 'name', 'api', 'spec', jsonb_build_object('database', db2)),
     jsonb_build_object('kind', 'Database', 'name', db2, 'spec', '{}'::jsonb)))) with ordinality x(e, ord)),
  '["public API", null, null, null]'::jsonb, 'observe_many keeps input order across databases and kinds') from t;
select is((xplane.observe_many(jsonb_build_array(jsonb_build_object('kind', 'Schema', 'name', 'nope',
  'spec', jsonb_build_object('database', db1)))) -> 0 -> 'observed'), 'null'::jsonb, 'absent schema: observed null') from t;

select is((xplane.update_schema('api', jsonb_build_object('database', db1, 'comment', 'public API'))).status_code, 'no_change', 'no_change in sync') from t;
select is((xplane.update_schema('api', jsonb_build_object('database', db1, 'comment', null))).message, 'schema api updated: comment', 'update changes the comment') from t;
select is((xplane.create_schema('x', jsonb_build_object('database', current_database() || '_missing'))).status_code, 'dependency_not_ready',
  'a schema in a missing database: dependency_not_ready');

select lives_ok(format($$select xplane.remote_exec('default', %L, 'create table api.items (id int)')$$, db1), 'a user table in api') from t;
select matches((xplane.delete_schema('api', jsonb_build_object('database', db1))).message, 'refusing to drop schema api .*api.items.*allow_data_loss', 'delete refuses a schema holding data') from t;
select is((xplane.delete_schema('api', jsonb_build_object('database', db1, 'allow_data_loss', true))).status_code, 'success', 'allow_data_loss drops it (cascade)') from t;
select is((xplane.delete_schema('api', jsonb_build_object('database', db2))).status_code, 'success', 'empty schema dropped') from t;

select is((select count(*)::int from t, lateral (select xplane.delete_database(db1, '{}') union all select xplane.delete_database(db2, '{}')) d
            where (d.delete_database).status_code = 'success'), 2, 'cleanup');
select * from finish();
