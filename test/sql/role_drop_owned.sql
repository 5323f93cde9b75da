-- Dropping a role that owns objects and holds privileges in several databases: its objects
-- are reassigned to the role xp runs as (no data lost), its privileges dropped, then it goes.
select plan(8);

create function pg_temp.n(p text) returns text language sql as $$ select p || '_' || right(current_database(), 8) $$;

select is((xplane.create_role(pg_temp.n('own'), jsonb_build_object('grants', jsonb_build_array(
  jsonb_build_object('database', current_database(), 'schema', 'public', 'on', 'schema', 'privileges', jsonb_build_array('USAGE', 'CREATE')))))).status_code,
  'success', 'a role that may create tables');
select is(xplane.remote_exec('default', '', format('create database %I', pg_temp.n('otherdb'))), 'CREATE DATABASE', 'another database');
select is(xplane.remote_exec('default', '', format('set role %I; create table public.owned (id int); insert into public.owned values (1); reset role',
  pg_temp.n('own'))), 'RESET', 'it owns a table here');
select is(xplane.remote_exec('default', pg_temp.n('otherdb'), format('create table kept (id int); grant select on kept to %I', pg_temp.n('own'))),
  'GRANT', 'it holds a privilege in the other database');
select is((xplane.delete_role(pg_temp.n('own'), '{}')).message,
  format('role "%s" dropped after reassigning its objects and dropping its privileges in "%s", "%s"', pg_temp.n('own'),
         least(current_database(), pg_temp.n('otherdb')), greatest(current_database(), pg_temp.n('otherdb'))),
  'dropped, naming the databases where it had objects or privileges');
select ok(not exists (select 1 from pg_roles where rolname = pg_temp.n('own')), 'the role is gone');
select is((select pg_get_userbyid(relowner)::text from pg_class where oid = 'public.owned'::regclass), current_user::text,
  'its table now belongs to the role xp runs as');
select is((select count(*)::int from public.owned), 1, 'with its data');
select xplane.remote_disconnect('default', pg_temp.n('otherdb'));
select xplane.remote_exec('default', '', format('drop database %I', pg_temp.n('otherdb')));
select * from finish();
