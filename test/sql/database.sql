-- Kind Database: normalize, observe, create/update/delete with every status code.
-- Names derive from current_database() (unique per run); dblink work commits, so clean up.
select plan(29);

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
  '{"encoding": "UTF8", "comment": "shop''s data", "connection_limit": 10, "allow_connections": true}'::jsonb,
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

select * from finish();
