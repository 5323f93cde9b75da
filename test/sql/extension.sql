-- Kind Extension: create with schema, version not compared when null, update, delete.
select plan(9);

create temp table t as select current_database() || '_ext' as db;
select is((xplane.create_database(db, '{}')).status_code, 'success', 'database') from t;
select is((xplane.create_extension('pgcrypto', jsonb_build_object('database', db))).status_code, 'success', 'pgcrypto created') from t;
select is(xplane.observe_resource('Extension', 'pgcrypto', jsonb_build_object('database', db)) ->> 'schema', 'public', 'observed in its default schema') from t;
select is(xplane.spec_diff('Extension', xplane.normalize_spec('Extension', jsonb_build_object('database', db)),
  xplane.observe_resource('Extension', 'pgcrypto', jsonb_build_object('database', db))), '{}'::text[], 'version and schema null: not compared') from t;
select lives_ok(format($$select xplane.remote_exec('default', %L, 'create schema crypto')$$, db), 'a schema to move it to') from t;
select is((xplane.update_extension('pgcrypto', jsonb_build_object('database', db, 'schema', 'crypto'))).observed ->> 'schema', 'crypto', 'update moves it (SET SCHEMA)') from t;
select is((xplane.create_extension('no_such_extension_xp', jsonb_build_object('database', db))).status_code, 'error', 'an unavailable extension: error') from t;
select is((xplane.delete_extension('pgcrypto', jsonb_build_object('database', db))).status_code, 'success', 'dropped') from t;
select is((xplane.delete_database(db, '{}')).status_code, 'success', 'cleanup') from t;
select * from finish();
