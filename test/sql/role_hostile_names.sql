-- Hostile names: every identifier reaches SQL quoted, every literal as a literal.
select plan(13);

create function pg_temp.n(p text) returns text language sql as $$ select p || '_' || right(current_database(), 8) $$;
create function pg_temp.evil() returns text language sql as $$ select pg_temp.n('x"; drop role postgres; --') $$;
create function pg_temp.quote() returns text language sql as $$ select pg_temp.n('it''s') $$;
create function pg_temp.spec() returns jsonb language sql as $$
  select jsonb_build_object('member_of', jsonb_build_array(pg_temp.quote()),
    'comment', 'it''s "quoted"; drop table x; --',
    'settings', jsonb_build_object('my.x', 'a''b "c"; reset all', 'search_path', '"we""ird sch''ema", public'),
    'grants', jsonb_build_array(
      jsonb_build_object('database', current_database(), 'schema', 'we"ird sch''ema', 'privileges', jsonb_build_array('SELECT'), 'future', true),
      jsonb_build_object('database', current_database(), 'schema', 'we"ird sch''ema', 'on', 'schema', 'privileges', jsonb_build_array('USAGE'))))
$$;

select is(xplane.remote_exec('default', '', 'create schema "we""ird sch''ema"; create table "we""ird sch''ema"."t''1" (id int)'),
  'CREATE TABLE', 'a schema and a table with quotes in their names');
select is((xplane.create_role(pg_temp.quote(), '{}')).status_code, 'success', 'create role it''s…');
select is((xplane.create_role(pg_temp.evil(), pg_temp.spec())).status_code, 'success', 'create role x"; drop role postgres; --…');
select ok(exists (select 1 from pg_roles where rolname = pg_temp.evil()) and exists (select 1 from pg_roles where rolname = 'postgres'),
  'the role exists under its exact name; postgres is still there');
select is(xplane.observe_resource('Role', pg_temp.evil(), pg_temp.spec()), xplane.normalize_spec('Role', pg_temp.spec()),
  'observed equals the normalised spec');
select is((select setconfig from pg_db_role_setting where setrole = (select oid from pg_roles where rolname = pg_temp.evil())),
  array['my.x=a''b "c"; reset all', 'search_path="we""ird sch''ema", public'], 'settings stored verbatim');
select is(shobj_description((select oid from pg_roles where rolname = pg_temp.evil()), 'pg_authid'), 'it''s "quoted"; drop table x; --', 'comment stored verbatim');
select ok(has_table_privilege(pg_temp.evil(), '"we""ird sch''ema"."t''1"', 'SELECT'), 'grant on a table in the hostile schema');
select is((xplane.update_role(pg_temp.evil(), pg_temp.spec())).status_code, 'no_change', 'update: no_change');
select is((xplane.create_service_account(pg_temp.n('sa '' "x'), jsonb_build_object('database', current_database(),
  'schemas', jsonb_build_array('we"ird sch''ema'), 'member_of', jsonb_build_array(pg_temp.evil())))).status_code,
  'success', 'a service account with a hostile name, in a hostile schema, member of the hostile role');
select is((xplane.delete_service_account(pg_temp.n('sa '' "x'), '{}')).status_code, 'success', 'delete it');
select ok((xplane.delete_role(pg_temp.evil(), '{}')).status_code = 'success' and (xplane.delete_role(pg_temp.quote(), '{}')).status_code = 'success',
  'delete both roles');
select matches((xplane.create_role(pg_temp.n('bad'), '{"settings": {"my.x\"; drop": "1"}}')).message,
  '^Role\.settings\.my\.x"; drop: a custom setting name is', 'a hostile setting name is refused, naming it');
select * from finish();
