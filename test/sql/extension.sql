-- Kind Extension: create with schema, version not compared when null, update, delete; cascade,
-- version upgrades, schema moves.
select plan(30);

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

-- cascade: what it requires
select is(xplane.normalize_spec('Extension', jsonb_build_object('database', 'x')) -> 'cascade', 'false'::jsonb, 'cascade defaults to false');
select throws_like($$select xplane.normalize_spec('Extension', '{"database": "x", "cascade": "yes"}')$$, 'Extension.cascade: %', 'cascade must be a bool');
select is((xplane.create_extension('earthdistance', jsonb_build_object('database', db))).status_code, 'dependency_not_ready',
  'without cascade, a missing required extension: dependency_not_ready (retried once it is created)') from t;
select matches((xplane.create_extension('earthdistance', jsonb_build_object('database', db))).message,
  '^required extension "cube" is not installed in database ".*": declare it in that database too \(extension "earthdistance" is created once it is there\), or set cascade = true',
  'the message names what is missing and both ways out') from t;
select is((xplane.create_extension('earthdistance', jsonb_build_object('database', db, 'cascade', true))).status_code, 'success', 'with cascade: created') from t;
select is(xplane.remote_query('default', db, $q$(select pg_catalog.jsonb_agg(extname::text order by extname) from pg_catalog.pg_extension where extname in ('cube', 'earthdistance'))$q$),
  '["cube", "earthdistance"]'::jsonb, 'pg_extension: cube installed by CASCADE') from t;
select is(xplane.spec_diff('Extension', xplane.normalize_spec('Extension', jsonb_build_object('database', db, 'cascade', true)),
  xplane.observe_resource('Extension', 'earthdistance', jsonb_build_object('database', db))), '{}'::text[], 'cascade is create-only: never a difference') from t;
select is((xplane.delete_extension('earthdistance', jsonb_build_object('database', db))).status_code, 'success', 'earthdistance dropped') from t;
select is((xplane.create_extension('earthdistance', jsonb_build_object('database', db))).status_code, 'success',
  'without cascade once cube is installed: created') from t;
select is((xplane.delete_extension('earthdistance', jsonb_build_object('database', db))).status_code, 'success', 'earthdistance dropped again') from t;
select is((xplane.delete_extension('cube', jsonb_build_object('database', db))).status_code, 'success', 'cube dropped') from t;

-- version upgrade: ALTER EXTENSION … UPDATE TO
select is((xplane.create_extension('citext', jsonb_build_object('database', db, 'version', '1.4'))).observed ->> 'version', '1.4', 'citext 1.4') from t;
select is(xplane.spec_diff('Extension', xplane.normalize_spec('Extension', jsonb_build_object('database', db, 'version', '1.5')),
  xplane.observe_resource('Extension', 'citext', jsonb_build_object('database', db))), '{version}'::text[], 'another version is a difference') from t;
select is((xplane.update_extension('citext', jsonb_build_object('database', db, 'version', '1.5'))).status_code, 'updated', 'update_extension: updated') from t;
select is(xplane.remote_query('default', db, $q$(select pg_catalog.to_jsonb(extversion::text) from pg_catalog.pg_extension where extname = 'citext')$q$),
  '"1.5"'::jsonb, 'pg_extension.extversion is the declared one') from t;
select lives_ok(format($$select xplane.remote_exec('default', %L, 'alter extension citext update to ''1.6''')$$, db), 'updated by hand') from t;
select is((xplane.update_extension('citext', jsonb_build_object('database', db, 'version', '1.5'))).status_code, 'invalid_spec',
  'a downgrade has no update path: invalid_spec (not retried)') from t;
select is(xplane.missing_names('default', '{}', '{}', '[{"name": "citext", "version": "1.5", "from": "1.6"}, {"name": "citext", "version": "1.6", "from": "1.4"}]',
  '{}', '[]', '[]', '{}', '[]') -> 'no_update_path', '[{"name": "citext", "version": "1.5", "from": "1.6"}]'::jsonb,
  'missing_names: 1.6 → 1.5 has no update path, 1.4 → 1.6 has one');
select is((xplane.delete_extension('citext', jsonb_build_object('database', db))).status_code, 'success', 'citext dropped') from t;

-- plpgsql is not relocatable: a move is refused by PostgreSQL (and by the plan: missing_names)
select is((xplane.update_extension('plpgsql', jsonb_build_object('database', db, 'schema', 'public'))).status_code, 'error',
  'moving a non-relocatable extension: error') from t;
select is(xplane.missing_names('default', '{}', '{}', '[]', '{}', '[]', '[]', '{}',
  '[{"name": "plpgsql", "version": "1.0"}, {"name": "pgcrypto", "version": "1.3"}]') -> 'not_relocatable',
  '[{"name": "plpgsql", "version": "1.0"}]'::jsonb, 'missing_names: plpgsql is not relocatable, pgcrypto is');

select is((xplane.delete_database(db, '{}')).status_code, 'success', 'cleanup') from t;
select * from finish();
