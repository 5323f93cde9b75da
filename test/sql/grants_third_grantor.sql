-- Privileges granted to a managed role by a third grantor (neither the owner nor xp's role,
-- holding the grant option): observed, and revoked where xp's grants are authoritative, as
-- that grantor (SET ROLE … REVOKE … RESET ROLE), on a schema and on the database, and on the
-- tables, sequences and functions of the whole-schema form (object by object: the grantor
-- holds nothing on the schema's other objects, so REVOKE … ON ALL TABLES as it would fail).
select plan(11);

create function pg_temp.n(p text) returns text language sql as $$ select p || '_' || right(current_database(), 8) $$;
create function pg_temp.g() returns jsonb language sql as $$
  select jsonb_build_object('grants', jsonb_build_array(
    jsonb_build_object('database', current_database(), 'schema', 'tg', 'on', 'schema', 'privileges', '["CREATE"]'::jsonb),
    jsonb_build_object('database', current_database(), 'on', 'database', 'privileges', '["TEMPORARY"]'::jsonb)))
$$;
create function pg_temp.in_sync() returns boolean language sql as $$
  select xplane.observe_resource('Role', pg_temp.n('tgr'), pg_temp.g()) = xplane.normalize_spec('Role', pg_temp.g()) || '{"comment": null}'
$$;
-- what the role holds itself (aclexplode; has_*_privilege would count PUBLIC's CONNECT)
create function pg_temp.holds() returns text language sql as $$
  select concat_ws(',',
    (select string_agg('tg:' || a.privilege_type, ',' order by a.privilege_type) from pg_namespace n, aclexplode(n.nspacl) a
      where n.nspname = 'tg' and a.grantee = pg_temp.n('tgr')::regrole),
    (select string_agg('db:' || a.privilege_type, ',' order by a.privilege_type) from pg_database d, aclexplode(d.datacl) a
      where d.datname = current_database() and a.grantee = pg_temp.n('tgr')::regrole))
$$;

select is(xplane.remote_exec('default', '', format('create role %1$I; create schema tg; grant usage on schema tg to %1$I with grant option; '
  || 'grant connect on database %2$I to %1$I with grant option', pg_temp.n('grantor'), current_database())), 'GRANT', 'fixtures: a grantor with the grant option');
select is((xplane.create_role(pg_temp.n('tgr'), pg_temp.g())).status_code, 'success', 'the managed role');
select is(xplane.remote_exec('default', '', format('set role %1$I; grant usage on schema tg to %2$I; grant connect on database %3$I to %2$I; reset role',
  pg_temp.n('grantor'), pg_temp.n('tgr'), current_database())), 'RESET', 'the grantor grants USAGE and CONNECT to it');
select is(pg_temp.holds(), 'tg:CREATE,tg:USAGE,db:CONNECT,db:TEMPORARY', 'held: the declared ones and the third grantor''s');
select ok(not pg_temp.in_sync(), 'the third grantor''s privileges are a difference');
select is((xplane.update_role(pg_temp.n('tgr'), pg_temp.g())).status_code, 'updated', 'update');
select ok(pg_temp.holds() = 'tg:CREATE,db:TEMPORARY' and pg_temp.in_sync(), 'revoked as the grantor: only the declared privileges left, in sync');

-- the whole-schema form: the grantor's grants on some objects of the schema
create function pg_temp.on_objects() returns text language sql as $$
  select coalesce(string_agg(x, ',' order by x), '') from (
    select c.relname || ':' || a.privilege_type || ' by ' || case when a.grantor = pg_temp.n('grantor')::regrole then 'grantor' else 'owner' end as x
      from pg_class c, aclexplode(c.relacl) a where c.relnamespace = 'tg'::regnamespace and a.grantee = pg_temp.n('tgr')::regrole
    union all
    select p.proname || ':' || a.privilege_type || ' by ' || case when a.grantor = pg_temp.n('grantor')::regrole then 'grantor' else 'owner' end
      from pg_proc p, aclexplode(p.proacl) a where p.pronamespace = 'tg'::regnamespace and a.grantee = pg_temp.n('tgr')::regrole) y
$$;
select is(xplane.remote_exec('default', '', format('create table tg.a (id int); create table tg.b (id int); create sequence tg.s; '
  || 'create function tg.f() returns int language sql as ''select 1''; '
  || 'grant select on tg.a to %1$I with grant option; grant usage on sequence tg.s to %1$I with grant option; '
  || 'grant execute on function tg.f() to %1$I with grant option; grant select on tg.a to %2$I; '
  || 'set role %1$I; grant select on tg.a to %2$I; grant usage on sequence tg.s to %2$I; grant execute on function tg.f() to %2$I; reset role',
  pg_temp.n('grantor'), pg_temp.n('tgr'))), 'RESET', 'the grantor grants on one table, a sequence, a function (the owner on the table too)');
select is(pg_temp.on_objects(), 'a:SELECT by grantor,a:SELECT by owner,f:EXECUTE by grantor,s:USAGE by grantor', 'held, from both grantors');
select is((xplane.update_role(pg_temp.n('tgr'), pg_temp.g())).status_code, 'updated', 'update: authoritative on the schema''s objects');
select ok(pg_temp.on_objects() = '' and pg_temp.in_sync(), 'revoked as the owner and, object by object, as the grantor: nothing left, in sync');

select xplane.delete_role(pg_temp.n('tgr'), '{}');
select xplane.remote_exec('default', '', format('drop schema tg cascade; revoke connect on database %2$I from %1$I cascade; drop role %1$I',
  pg_temp.n('grantor'), current_database()));
select * from finish();
