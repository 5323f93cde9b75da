-- PUBLIC as a grantee: public_privileges of Database and Schema. Normalised and validated,
-- observed with aclexplode (grantee 0), applied at create, drift healed by update and by
-- reconcile_all, never compared when the spec does not name it (specs of 0.6.0).
select plan(27);

create temp table t as select current_database() || '_pub' as db;
create function pg_temp.public_db(p_db text) returns text language sql as $$
  select coalesce(string_agg(a.privilege_type, ',' order by a.privilege_type), '')
    from pg_database d, aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a where d.datname = p_db and a.grantee = 0
$$;

-- normalisation and validation
select is(xplane.normalize_spec('Database', '{"public_privileges": ["temp", "connect", "CONNECT"]}') -> 'public_privileges',
  '["CONNECT", "TEMPORARY"]'::jsonb, 'upper case, TEMP = TEMPORARY, de-duplicated, sorted');
select is(xplane.normalize_spec('Schema', '{"database": "x", "public_privileges": ["all"]}') -> 'public_privileges',
  '["CREATE", "USAGE"]'::jsonb, 'ALL expands to every privilege of a schema');
select ok(not xplane.normalize_spec('Database', '{}') ? 'public_privileges', 'absent: not managed, not in the normalised spec');
select ok(not xplane.normalize_spec('Database', '{"public_privileges": null}') ? 'public_privileges', 'null: not managed either');
select is(xplane.normalize_spec('Database', '{"public_privileges": []}') -> 'public_privileges', '[]'::jsonb, '[]: PUBLIC holds nothing');
select throws_ok($$select xplane.normalize_spec('Database', '{"public_privileges": ["SELECT"]}')$$, '22023',
  'Database.public_privileges: unknown privilege "SELECT" for a database (allowed: CONNECT, CREATE, TEMPORARY, ALL)', 'an unknown privilege names the field');
select throws_ok($$select xplane.normalize_spec('Schema', '{"database": "x", "public_privileges": "USAGE"}')$$, '22023',
  'Schema.public_privileges: must be a list of privileges, got "USAGE"', 'not a list');

-- database: created without PUBLIC's defaults
select is((xplane.create_database(db, '{"public_privileges": []}')).status_code, 'success', 'create with public_privileges = []') from t;
select is(pg_temp.public_db(db), '', 'PUBLIC holds nothing on it (aclexplode)') from t;
select ok(not has_database_privilege('public', db, 'CONNECT') and not has_database_privilege('public', db, 'TEMPORARY'),
  'has_database_privilege(public) agrees') from t;
select is(xplane.observe_resource('Database', db, '{"public_privileges": []}') -> 'public_privileges', '[]'::jsonb, 'observed: []') from t;
select is((xplane.update_database(db, '{"public_privileges": []}')).status_code, 'no_change', 'in sync: no_change') from t;
-- a spec that does not name it (0.6.0) is not compared, whatever PUBLIC holds
select is((xplane.update_database(db, '{}')).status_code, 'no_change', 'without the key: never compared') from t;

-- drift by hand, healed by update
select lives_ok(format($$select xplane.remote_exec('default', '', 'grant connect, temporary on database %I to public')$$, db), 'drift: GRANT … TO PUBLIC') from t;
select is(xplane.observe_resource('Database', db, '{"public_privileges": ["CONNECT"]}') -> 'public_privileges', '["CONNECT", "TEMPORARY"]'::jsonb,
  'the drift is observed') from t;
select is((xplane.update_database(db, '{"public_privileges": ["connect"]}')).message, format('database %s updated: public_privileges', db), 'update heals it') from t;
select is(pg_temp.public_db(db), 'CONNECT', 'PUBLIC holds exactly CONNECT') from t;

-- schema: at create, and the hardening of schema public
select is((xplane.create_schema('pub_api', jsonb_build_object('database', db, 'public_privileges', '["USAGE"]'::jsonb))).status_code, 'success',
  'create a schema with public_privileges') from t;
select is(xplane.remote_query('default', db, $$(select to_jsonb(has_schema_privilege('public', 'pub_api', 'USAGE')) || to_jsonb(has_schema_privilege('public', 'pub_api', 'CREATE')))$$),
  '[true, false]'::jsonb, 'PUBLIC has USAGE, not CREATE (has_schema_privilege)') from t;
select lives_ok(format($$select xplane.remote_exec('default', %L, 'grant create on schema public to public')$$, db), 'schema public: CREATE to PUBLIC by hand (the pre-15 default)') from t;
select is((xplane.update_schema('public', jsonb_build_object('database', db, 'owner', xplane.remote_query('default', db,
    $$(select to_jsonb(pg_get_userbyid(nspowner)) from pg_namespace where nspname = 'public')$$) #>> '{}', 'public_privileges', '["USAGE"]'::jsonb))).message,
  'schema public updated: public_privileges', 'REVOKE CREATE ON SCHEMA public FROM PUBLIC, declared') from t;
select is(xplane.remote_query('default', db, $$(select to_jsonb(has_schema_privilege('public', 'public', 'CREATE')))$$), 'false'::jsonb,
  'PUBLIC can no longer create in schema public') from t;

-- reconcile_all heals drift of a managed database
select ok(xplane.apply('Database', db, '{"public_privileges": []}', 'default', 'pub_stack') is not null, 'managed, with public_privileges = []') from t;
select lives_ok(format($$select xplane.remote_exec('default', '', 'grant temporary on database %I to public'); update xplane.managed_resources set next_reconcile_at = now() where name = %L$$, db, db), 'drift, due now') from t;
select cmp_ok(xplane.reconcile_all('pub_stack'), '>=', 1, 'reconcile_all');
select is(pg_temp.public_db(db), '', 'reconcile_all revoked it') from t;
select ok(xplane.delete('Database', db), 'cleanup') from t;
select * from finish();
