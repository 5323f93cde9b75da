-- The data-loss guard: xplane.data_loss_many counts, by kind, every user object that dropping
-- a database, a schema or an extension would destroy (xplane.data_loss_sql), and delete_*
-- refuse while it is not zero, unless allow_data_loss. dblink work commits: clean up.
select plan(34);

create temp table t as select current_database() || '_dl1' as db1, current_database() || '_dl2' as db2, current_database() || '_dl3' as db3, current_database() || '_dl4' as db4;
create function pg_temp.loss(p_kind text, p_name text, p_database text default null) returns jsonb language sql as $$
  select xplane.data_loss_many(jsonb_build_array(jsonb_build_object('kind', p_kind, 'name', p_name, 'database', p_database))) -> 0
$$;
create function pg_temp.remote(p_db text, p_sql text) returns jsonb language sql as $$
  select xplane.remote_query('default', p_db, p_sql)
$$;

select is(xplane.data_loss_kinds('{"kinds": {"view": 1, "index": 2, "policy": 3, "large object": 2}}'), '2 indexes, 2 large objects, 3 policies, 1 view',
  'kinds and counts as text, pluralised');
select is((xplane.create_database(db1, '{}')).status_code, 'success', 'a database') from t;
select is(pg_temp.loss('Database', db1), '{"count": 0, "tables": 0, "kinds": {}, "names": []}'::jsonb,
  'a new database holds nothing (plpgsql and public come from initdb)') from t;

-- A database holding a view, a sequence at 1000, a function, an enum type and a large object,
-- but no table.
select lives_ok(format($$select xplane.remote_exec('default', %L, %L)$$, db1,
  'create view v as select 1 as x; create sequence seq; '
  'create function f() returns int language sql as ''select 1''; create type mood as enum (''ok'', ''sad''); '
  'do $do$ begin perform setval(''seq'', 1000); perform lo_from_bytea(0, ''\x01''::bytea); end $do$'), 'a view, a sequence, a function, an enum and a large object') from t;
select is(pg_temp.loss('Database', db1) -> 'kinds', '{"view": 1, "sequence": 1, "function": 1, "type": 1, "large object": 1}'::jsonb,
  'every kind counted once: no array type, rowtype or rewrite rule counted apart') from t;
select is((pg_temp.loss('Database', db1) ->> 'tables')::int, 0, 'none of them a table') from t;
select matches((xplane.delete_database(db1, '{}')).message,
  '^refusing to drop database \S+: that would destroy 1 function, 1 large object, 1 sequence, 1 type, 1 view \(.*public\.seq.*\)\. Set allow_data_loss = true',
  'delete_database refuses, listing kinds and counts') from t;
select is(pg_temp.remote(db1, $$(select pg_catalog.to_jsonb(last_value) from public.seq)$$), '1000'::jsonb, 'and the sequence is still there, at 1000') from t;

-- Parts are counted with what they belong to: a table with a serial key, an index, a trigger,
-- a policy, a default and a rule is one table (its sequence is owned by the column).
select lives_ok(format($$select xplane.remote_exec('default', %L, %L)$$, db1,
  'create schema app; create table app.t (id serial primary key, v text default ''x'' check (v <> '''')); create index on app.t (v); '
  'create function app.trg() returns trigger language plpgsql as ''begin return new; end''; '
  'create trigger t_trg before insert on app.t for each row execute function app.trg(); '
  'alter table app.t enable row level security; create policy p on app.t using (true); '
  'create rule r as on update to app.t do also notify app_t; create statistics app.st on id, v from app.t'), 'a table with its parts') from t;
select is(pg_temp.loss('Schema', 'app', db1) -> 'kinds', '{"table": 1, "function": 1}'::jsonb, 'schema: the table (with its parts) and the function') from t;
-- A view elsewhere that reads the table goes with it (DROP SCHEMA … CASCADE).
select lives_ok(format($$select xplane.remote_exec('default', %L, 'create view public.app_view as select id from app.t')$$, db1), 'a view in public reading app.t') from t;
select is(pg_temp.loss('Schema', 'app', db1) -> 'kinds', '{"table": 1, "function": 1, "view": 1}'::jsonb, 'schema: what depends on it in other schemas is counted too') from t;
select is((pg_temp.loss('Schema', 'app', db1) -> 'names'), '["app.t", "app.trg()", "public.app_view"]'::jsonb, 'tables first, then the others by name') from t;
select is(pg_temp.loss('Database', db1) -> 'kinds', '{"view": 2, "sequence": 1, "function": 2, "type": 1, "large object": 1, "table": 1}'::jsonb, 'database: the schemas themselves are not counted') from t;

-- A schema with only a function.
select lives_ok(format($$select xplane.remote_exec('default', %L, 'create schema only_f; create function only_f.g() returns int language sql as ''select 2''')$$, db1), 'a schema holding a function') from t;
select is((xplane.delete_schema('only_f', jsonb_build_object('database', db1))).message,
  format('refusing to drop schema only_f in database %s: that would destroy 1 function (only_f.g()). Set allow_data_loss = true (xp destroy --allow-data-loss, or xplane.delete(…, p_allow_data_loss => true)) to drop it with its data.', db1),
  'delete_schema refuses a schema holding only a function') from t;
select is(xplane.observe_resource('Schema', 'only_f', jsonb_build_object('database', db1)) ->> 'owner', current_user::text, 'and keeps it') from t;

-- An extension a column depends on: the column, not the extension's own objects.
select lives_ok(format($$select xplane.remote_exec('default', %L, 'create extension citext; create table public.users (id int, email citext)')$$, db1), 'citext and a column of its type') from t;
select is(pg_temp.loss('Extension', 'citext', db1) -> 'kinds', '{"table column": 1}'::jsonb, 'extension: the dependent column') from t;
select is((xplane.delete_extension('citext', jsonb_build_object('database', db1))).status_code, 'error', 'delete_extension refuses') from t;
select matches((xplane.delete_extension('citext', jsonb_build_object('database', db1))).message, '^refusing to drop extension citext .* 1 table column \(public\.users\.email\)', 'naming the column') from t;
select is(pg_temp.loss('Database', db1) -> 'kinds' -> 'extension', '1'::jsonb, 'database: an extension xp does not manage counts as one object, its members not at all') from t;

-- An extension xp manages there is not counted (xp drops it first); nor is a database that
-- refuses connections counted as empty.
select is((xplane.create_database(db2, '{}')).status_code, 'success', 'a second database') from t;
insert into xplane.managed_resources (stack, kind, name, database, spec)
  select 'dl_test', 'Extension', 'pgcrypto', db2, jsonb_build_object('database', db2) from t;
select lives_ok(format($$select xplane.remote_exec('default', %L, 'create extension pgcrypto; create extension hstore')$$, db2), 'a managed and an unmanaged extension') from t;
select is(pg_temp.loss('Database', db2) -> 'kinds', '{"extension": 1}'::jsonb, 'only the unmanaged one counts') from t;
select is((xplane.update_database(db2, '{"allow_connections": false}')).status_code, 'updated', 'db2 refuses connections') from t, lateral xplane.remote_disconnect('default', db2);
select is(pg_temp.loss('Database', db2), 'null'::jsonb, 'a database that cannot be read is not checked (null), never counted as empty') from t;

-- Event triggers and publications.
select lives_ok(format($$select xplane.remote_exec('default', %L, %L)$$, db3,
  'create function on_ddl() returns event_trigger language plpgsql as ''begin end''; create event trigger et on ddl_command_end execute function on_ddl(); '
  'create publication pub'), 'an event trigger and a publication')
  from t, lateral xplane.create_database(db3, '{}');
select is(pg_temp.loss('Database', db3) -> 'kinds', '{"event trigger": 1, "function": 1, "publication": 1}'::jsonb, 'event triggers and publications count') from t;

-- Before DROP DATABASE (no transaction), delete_database counts again with the database
-- closed to other sessions: theirs are ended (an open transaction there never commits), its
-- own connection is kept for the count, and a refused database stays open.
select is((xplane.create_database(db4, '{}')).status_code, 'success', 'an empty database') from t;
select lives_ok(format($$select xplane.dblink_connect('dl_other', %L); select xplane.dblink_exec('dl_other', 'begin; create table pending (id int)')$$,
  xplane.connection_string('default', db4)), 'another session in it, with a table not yet committed') from t;
select is((xplane.delete_database(db4, '{}')).status_code, 'success', 'dropped: the other session ended, the count on its own connection was 0') from t;
select is((select (d.observed ->> 'allow_connections') from t, lateral xplane.delete_database(db1, '{}') d), 'true', 'a refused database still allows connections') from t;
select xplane.dblink_disconnect('dl_other');

select is((select count(*)::int from t, lateral (select xplane.delete_database(db1, '{"allow_data_loss": true}') union all select xplane.delete_database(db2, '{"allow_data_loss": true}')
                                                  union all select xplane.delete_database(db3, '{"allow_data_loss": true}')) d
            where (d.delete_database).status_code = 'success'), 3, 'cleanup');
delete from xplane.managed_resources where stack = 'dl_test';
select * from finish();
