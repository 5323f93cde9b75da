-- Kind Database: normalize, observe, create/update/delete with every status code.
-- Names derive from current_database() (unique per run); dblink work commits, so clean up.
select plan(58);

create temp table t as select current_database() || '_db' as db, current_database() || '_db2' as db2;

-- normalize
select is(xplane.normalize_spec('Database', '{}') ->> 'encoding', 'UTF8', 'encoding defaults to UTF8');
select is(xplane.normalize_spec('Database', '{"encoding": "utf-8"}') ->> 'encoding', 'UTF8', 'encoding spelled canonically');
select is(xplane.normalize_spec('Database', '{}') ->> 'owner', current_user::text, 'owner defaults to the current user');
select is(xplane.normalize_spec('Database', '{"comment": ""}') -> 'comment', 'null'::jsonb, 'an empty comment is no comment, as PostgreSQL stores it (no perpetual diff)');
select is((xplane.normalize_spec('Database', '{}') ->> 'connection_limit')::int, -1, 'connection_limit defaults to -1');
select throws_ok($$select xplane.normalize_spec('Database', '{"connection_limit": "ten"}')$$, '22023',
  'Database.connection_limit: must be an integer, got "ten"', 'a wrong type names the field');
select throws_like($$select xplane.normalize_spec('Database', '{"ownr": "x"}')$$, 'Database.ownr: unknown attribute%', 'an unknown attribute is refused by name');
select throws_like($$select xplane.normalize_spec('Database', '{"encoding": "KLINGON"}')$$, 'Database.encoding: unknown encoding%', 'an unknown encoding is refused');

-- create
select is((xplane.create_database(db, '{"comment": "shop''s data", "connection_limit": 10}')).status_code, 'success', 'create_database: success') from t;
select is((xplane.create_database(db, '{}')).status_code, 'already_exists', 'create_database again: already_exists') from t;
select is(xplane.observe_resource('Database', db, '{}') - 'owner' - 'lc_collate' - 'lc_ctype',
  '{"encoding": "UTF8", "comment": "shop''s data", "connection_limit": 10, "allow_connections": true,
    "is_template": false, "tablespace": "pg_default", "settings": {}, "public_privileges": ["CONNECT", "TEMPORARY"]}'::jsonb,
  'observe_resource reads pg_database in the spec''s shape') from t;
select ok(xplane.observe_resource('Database', db2, '{}') is null, 'observe_resource: null when absent') from t;
select is(xplane.spec_diff('Database', xplane.normalize_spec('Database', '{"comment": "shop''s data", "connection_limit": 10}'),
  xplane.observe_resource('Database', db, '{}')), '{}'::text[], 'a plan right after create is empty') from t;

-- update
select is((xplane.update_database(db, '{"comment": "shop''s data", "connection_limit": 10}')).status_code, 'no_change', 'update_database: no_change when in sync') from t;
select is((xplane.update_database(db, '{"comment": null, "connection_limit": 5, "allow_connections": false}')).status_code, 'updated', 'update_database: updated') from t;
select is((select (datconnlimit, datallowconn, shobj_description(oid, 'pg_database'))::text from pg_database where datname = t.db),
  '(5,f,)', 'connection_limit, allow_connections and comment changed') from t;
select is((xplane.update_database(db, '{"encoding": "LATIN1"}')).status_code, 'invalid_spec', 'changing encoding is refused') from t;
select matches((xplane.update_database(db, '{"encoding": "LATIN1"}')).message, '^Database.encoding is immutable', 'the refusal names the field') from t;
select matches((xplane.update_database(db, '{"lc_collate": "C"}')).message, '^Database.lc_collate is immutable', 'lc_collate is immutable too') from t;
select is((xplane.update_database(db2, '{}')).status_code, 'not_found', 'update_database: not_found when absent') from t;
select is((xplane.update_database(db, '{"owner": "no_such_role_xp"}')).status_code, 'dependency_not_ready', 'a missing owner role: dependency_not_ready') from t;

-- delete: refuses user data
select is((xplane.update_database(db, '{"allow_connections": true}')).status_code, 'updated', 'allow connections again') from t;
select lives_ok(format($$select xplane.remote_exec('default', %L, 'create table orders (id int)')$$, db), 'a user table in the database') from t;
select matches((xplane.delete_database(db, '{}')).message, 'refusing to drop database .* would destroy 1 table \(public.orders\).*allow_data_loss', 'delete refuses a database holding user tables, naming them') from t;
select is((xplane.delete_database(db, '{"allow_data_loss": true}')).status_code, 'success', 'delete with allow_data_loss drops it') from t;
select is((xplane.delete_database(db, '{}')).status_code, 'not_found', 'delete again: not_found') from t;
select is((xplane.delete_database(current_database(), '{"allow_data_loss": true}')).status_code, 'error', 'the control database is never dropped');

-- a database with another encoding/locale is created from template0 automatically
select is((xplane.create_database(db2, '{"encoding": "LATIN1", "lc_collate": "C", "lc_ctype": "C"}')).observed ->> 'encoding', 'LATIN1', 'other encoding: created from template0') from t;
select is((xplane.delete_database(db2, '{}')).status_code, 'success', 'empty database dropped without allow_data_loss') from t;

-- is_template, tablespace, settings: normalised
select is(xplane.normalize_spec('Database', '{}') -> 'is_template', 'false'::jsonb, 'is_template defaults to false');
select is(xplane.normalize_spec('Database', '{}') -> 'tablespace', 'null'::jsonb, 'tablespace defaults to null (the template''s, not compared)');
select is(xplane.normalize_spec('Database', '{}') -> 'settings', '{}'::jsonb, 'settings default to none (authoritative)');
select is(xplane.normalize_spec('Database', '{"settings": {"WORK_MEM": "64MB", "search_path": "app, \"$user\"", "myapp.tenant": 7}}') -> 'settings',
  '{"work_mem": "64MB", "search_path": "app, \"$user\"", "myapp.tenant": "7"}'::jsonb, 'settings normalised as for roles: canonical names, list quoting, text values');
select throws_like($$select xplane.normalize_spec('Database', '{"settings": {"no_such_setting": "1"}}')$$,
  'Database.settings.no_such_setting: unknown setting%', 'an unknown setting is refused by name');
select throws_like($$select xplane.normalize_spec('Database', '{"is_template": "yes"}')$$, 'Database.is_template: %', 'is_template must be a bool');
select throws_like($$select xplane.normalize_spec('Database', format('{"tablespace": "%s"}', repeat('t', 64))::jsonb)$$,
  'Database.tablespace: %', 'a tablespace name longer than 63 bytes is refused');
select throws_like($$select xplane.normalize_spec('Database', '{"tablespace": "pg_global"}')$$,
  'Database.tablespace: pg_global holds the shared catalogs%', 'pg_global is refused by name (PostgreSQL would refuse it at apply)');
select is(xplane.spec_diff('Database', xplane.normalize_spec('Database', '{}'), '{"tablespace": "elsewhere"}'), '{}'::text[],
  'a null tablespace is not compared');
select is(xplane.spec_diff('Database', xplane.normalize_spec('Database', '{"tablespace": "pg_default"}'), '{"tablespace": "elsewhere"}'),
  '{tablespace}'::text[], 'a declared tablespace is compared');

-- created with them
select is((xplane.create_database(db, '{"is_template": true, "tablespace": "pg_default", "settings": {"work_mem": "64MB", "search_path": "app, public"}}')).status_code,
  'success', 'create_database with is_template, tablespace and settings') from t;
select is((select datistemplate from pg_database where datname = t.db), true, 'pg_database.datistemplate') from t;
select is((select spcname::text from pg_database d join pg_tablespace s on s.oid = d.dattablespace where datname = t.db), 'pg_default', 'pg_database.dattablespace') from t;
select is((select array_agg(c order by c) from pg_db_role_setting s, unnest(s.setconfig) c
            where s.setdatabase = (select oid from pg_database where datname = t.db) and s.setrole = 0),
  array['search_path=app, public', 'work_mem=64MB'], 'pg_db_role_setting holds the settings, for every role') from t;
select is(xplane.spec_diff('Database', xplane.normalize_spec('Database', '{"is_template": true, "settings": {"work_mem": "64MB", "search_path": "app, public"}}'),
  xplane.observe_resource('Database', db, '{}')), '{}'::text[], 'a plan right after create is empty (settings read back as normalised)') from t;

-- drift made by hand is seen, and update heals it
select lives_ok(format($$select xplane.remote_exec('default', '', 'alter database %I with is_template false; alter database %I set statement_timeout = ''5s''; alter database %I reset work_mem')$$, db, db, db),
  'drift by hand: is_template off, a setting added, one removed') from t;
select is(xplane.spec_diff('Database', xplane.normalize_spec('Database', '{"is_template": true, "settings": {"work_mem": "64MB", "search_path": "app, public"}}'),
  xplane.observe_resource('Database', db, '{}')), '{is_template,settings}'::text[], 'the drift is seen, attribute by attribute') from t;
select is((xplane.update_database(db, '{"is_template": true, "settings": {"work_mem": "64MB", "search_path": "app, public"}}')).status_code, 'updated', 'update_database heals it') from t;
select is((select (datistemplate, (select array_agg(c order by c) from pg_db_role_setting s, unnest(s.setconfig) c
                                    where s.setdatabase = d.oid and s.setrole = 0))::text
             from pg_database d where datname = t.db),
  '(t,"{""search_path=app, public"",work_mem=64MB}")', 'the catalog is the declaration again') from t;
select is((xplane.update_database(db, '{"is_template": true, "settings": {"work_mem": "64MB", "search_path": "app, public"}}')).status_code, 'no_change', 'then in sync') from t;
select lives_ok(format($$select xplane.remote_exec('default', '', 'alter role current_user in database %I set work_mem = ''1MB''')$$, db),
  'a setting of one role in that database (ALTER ROLE … IN DATABASE: not the database''s)') from t;
select is((xplane.observe_resource('Database', db, '{}') -> 'settings' ->> 'work_mem'), '64MB', 'observed settings are the database''s own, for every role') from t;
select lives_ok(format($$select xplane.remote_exec('default', '', 'alter role current_user in database %I reset all')$$, db), 'cleanup of that role setting') from t;
select is((xplane.update_database(db, '{"is_template": true}')).status_code, 'updated', 'settings = {} resets them all') from t;
select is((select count(*)::int from pg_db_role_setting where setdatabase = (select oid from pg_database where datname = t.db)), 0, 'no setting left') from t;
select is((xplane.update_database(db, '{"tablespace": "pg_default", "is_template": true}')).status_code, 'no_change', 'tablespace already the declared one: no_change') from t;

-- a template database is dropped (PostgreSQL refuses to drop one while it is a template)
select is((xplane.delete_database(db, '{}')).status_code, 'success', 'a template database is dropped') from t;
select ok(not exists (select 1 from pg_database where datname = t.db), 'gone from pg_database') from t;

-- the plan asks the server: an unknown tablespace, a setting value it refuses, a non-relocatable extension moved
select is(xplane.missing_names('default', '{}', '{}', '[]', '{}', '[{"name": "work_mem", "value": "lots"}]', '[]',
  array['pg_default', 'xp_no_such_tablespace'], '[{"name": "plpgsql", "version": "1.0"}]') - 'database_locales' - 'superuser' - 'server_version_num',
  jsonb_build_object('databases', '[]'::jsonb, 'schemas', '[]'::jsonb, 'roles', '[]'::jsonb, 'extensions', '[]'::jsonb, 'locales', '[]'::jsonb,
    'tablespaces', '["xp_no_such_tablespace"]'::jsonb, 'no_update_path', '[]'::jsonb, 'not_relocatable', '[{"name": "plpgsql", "version": "1.0"}]'::jsonb,
    'settings', '[{"name": "work_mem", "value": "lots", "problem": "invalid value for parameter \"work_mem\": \"lots\""}]'::jsonb),
  'missing_names: the unknown tablespace, the refused setting value, the extension that cannot move');

select * from finish();
