-- grants_catalog_sql (what xp plan reads) and import_grants_catalog_sql (what xp import reads)
-- share their CTEs and most of their keys (grants_catalog_ctes_sql, grants_catalog_select_sql).
-- On one state, read by a superuser and by a role that may act as some roles only (the SET /
-- MEMBER rule of act_as_mode_sql), both give the same database privileges, third grantors,
-- granted_by, default privileges and, per schema, owner, future_for, privileges, grantors and
-- defaults; and import's objects per privilege are grants_catalog's "held" of the roles
-- holding one, with grants_catalog's total (import's total less what the role owns).
select plan(10);

create function pg_temp.n(p text) returns text language sql as $$ select p || '_' || right(current_database(), 8) $$;
create function pg_temp.roles() returns text[] language sql as $$
  select array(select pg_temp.n(r) from unnest(array['gco', 'gcg1', 'gcg2', 'gcr1', 'gcr2', 'gcd', 'gcx']) r)
$$;
create function pg_temp.req(p_pairs boolean) returns jsonb language sql as $$
  select jsonb_build_object(current_database(), jsonb_build_object('roles', to_jsonb(pg_temp.roles()), 'schemas', s)
           || case when p_pairs then jsonb_build_object('pairs', (select jsonb_agg(jsonb_build_array(x, y))
                                                                     from unnest(pg_temp.roles()) x, jsonb_array_elements_text(s) y))
                   else '{}' end)
    from (select jsonb_build_array(pg_temp.n('gca'), pg_temp.n('gcb'), 'public') as s) q
$$;
create function pg_temp.plan_cat(p_config text) returns jsonb language sql as $$
  select xplane.grants_catalog(p_config, pg_temp.req(true), array[current_database()]) -> current_database()
$$;
create function pg_temp.import_cat(p_config text) returns jsonb language sql as $$
  select xplane.import_grants_catalog(p_config, pg_temp.req(false), array[current_database()]) -> current_database()
$$;
-- the keys both give (a key one of them lost shows as null)
create function pg_temp.shared(c jsonb) returns jsonb language sql as $$
  select (select jsonb_object_agg(k, c -> k)
            from unnest(array['me', 'db_owner', 'db_held', 'db_grantable', 'db_grantors', 'db_by', 'db_defaults', 'default_roles']) k)
      || jsonb_build_object('schemas', (select jsonb_object_agg(s.key, (select jsonb_object_agg(k, s.value -> k)
                                                                          from unnest(array['owner', 'future_for', 'held', 'grantable', 'grantors', 'by', 'defaults']) k))
                                          from jsonb_each(c -> 'schemas') s))
$$;
-- import's objects_held (per role and kind) against grants_catalog's objects: the entries
-- compared, and those that differ
create function pg_temp.objects(p_config text) returns int[] language sql as $$
  with p as (select pg_temp.plan_cat(p_config) as c), i as (select pg_temp.import_cat(p_config) as c),
  e as (select s.key as sch, r.key as rol, k.key as kind, k.value as held,
               (i.c -> 'schemas' -> s.key -> 'totals' ->> k.key)::int - coalesce((i.c -> 'schemas' -> s.key -> 'owned' -> r.key ->> k.key)::int, 0) as total,
               i.c -> 'schemas' -> s.key -> 'objects_grantable' -> r.key -> k.key as grantable
          from i, jsonb_each(i.c -> 'schemas') s, jsonb_each(s.value -> 'objects_held') r, jsonb_each(r.value) k)
  select array[count(*)::int, count(*) filter (where
           (p.c -> 'schemas' -> e.sch -> 'objects' -> e.rol -> e.kind -> 'held') is distinct from e.held
           or (p.c -> 'schemas' -> e.sch -> 'objects' -> e.rol -> e.kind ->> 'total')::int is distinct from e.total
           or (p.c -> 'schemas' -> e.sch -> 'objects' -> e.rol -> e.kind -> 'grantable') is distinct from e.grantable)::int]
    from e, p
$$;

-- gco owns schema gca; gcg1 and gcg2 grant with the grant option they hold; gcx, a plain
-- login role, is a member of gco and gcg1 (it may act as those), not of gcg2
select isnt(xplane.remote_exec('default', current_database(), format($f$
  create role %1$I; create role %2$I; create role %3$I; create role %4$I; create role %5$I; create role %6$I;
  create role %7$I login password 'gc-test'; grant %1$I, %2$I to %7$I;
  create schema %8$I authorization %1$I; create schema %9$I;
  create table %8$I.t1 (id int); create table %8$I.t2 (id int); create sequence %8$I.q;
  create function %8$I.f() returns int language sql as 'select 1'; alter table %8$I.t2 owner to %1$I;
  create table %9$I.t (id int);
  grant usage on schema %8$I to %4$I with grant option; grant create on schema %8$I to %5$I;
  grant usage, create on schema %8$I to %2$I, %3$I with grant option;
  grant select on all tables in schema %8$I to %4$I; grant select on %8$I.t1 to %2$I, %3$I with grant option;
  grant usage on sequence %8$I.q to %5$I; grant usage on schema %9$I to %4$I; grant select on %9$I.t to %5$I;
  grant connect, temporary on database %10$I to %2$I, %3$I with grant option; grant create on database %10$I to %4$I with grant option;
  set role %2$I; grant usage on schema %8$I to %5$I; grant select on %8$I.t1 to %5$I; grant connect on database %10$I to %5$I; reset role;
  set role %3$I; grant create on schema %8$I to %4$I; grant select on %8$I.t1 to %4$I; grant temporary on database %10$I to %5$I; reset role;
  alter default privileges for role %1$I in schema %8$I grant select on tables to %6$I;
  alter default privileges for role %1$I grant execute on functions to %6$I;
  alter default privileges for role %3$I in schema %8$I grant insert on tables to %4$I;
  alter default privileges for role %3$I grant usage on types to %5$I;
  alter default privileges in schema %9$I grant select on tables to %5$I$f$,
  pg_temp.n('gco'), pg_temp.n('gcg1'), pg_temp.n('gcg2'), pg_temp.n('gcr1'), pg_temp.n('gcr2'), pg_temp.n('gcd'), pg_temp.n('gcx'),
  pg_temp.n('gca'), pg_temp.n('gcb'), current_database())), null, 'fixtures: schema, object and database privileges, third grantors, default privileges');
select lives_ok(format($$ select xplane.upsert_provider_config(%L, (select connection from xplane.provider_configs where name = 'default')
                                 || jsonb_build_object('user', %L, 'password', 'gc-test')) $$, pg_temp.n('gcs'), pg_temp.n('gcx')),
  'a provider config that connects as the plain role');

select is(pg_temp.shared(pg_temp.import_cat('default')), pg_temp.shared(pg_temp.plan_cat('default')),
  'as a superuser: the keys both catalogs give are the same');
select is(jsonb_build_array(pg_temp.plan_cat('default') -> 'db_grantors' -> pg_temp.n('gcr2'),
                            pg_temp.plan_cat('default') -> 'schemas' -> pg_temp.n('gca') -> 'grantors',
                            pg_temp.plan_cat('default') -> 'schemas' -> pg_temp.n('gca') -> 'defaults' -> pg_temp.n('gcr1') -> 'tables'),
  jsonb_build_array(jsonb_build_array(pg_temp.n('gcg1'), pg_temp.n('gcg2')),
                    jsonb_build_object(pg_temp.n('gcr1'), jsonb_build_array(pg_temp.n('gcg2')), pg_temp.n('gcr2'), jsonb_build_array(pg_temp.n('gcg1'))),
                    jsonb_build_object(pg_temp.n('gcg2'), jsonb_build_array('INSERT'))),
  'as a superuser: every third grantor, and the default privileges of every creator (not a vacuous comparison)');
select ok((pg_temp.objects('default'))[1] >= 4 and (pg_temp.objects('default'))[2] = 0,
  'as a superuser: import''s objects per privilege are grants_catalog''s (held, grantable, total)');

select is(pg_temp.shared(pg_temp.import_cat(pg_temp.n('gcs'))), pg_temp.shared(pg_temp.plan_cat(pg_temp.n('gcs'))),
  'as the plain role: the keys both catalogs give are the same');
select is(jsonb_build_array(pg_temp.plan_cat(pg_temp.n('gcs')) -> 'db_grantors' -> pg_temp.n('gcr2'),
                            pg_temp.plan_cat(pg_temp.n('gcs')) -> 'schemas' -> pg_temp.n('gca') -> 'grantors',
                            pg_temp.plan_cat(pg_temp.n('gcs')) -> 'schemas' -> pg_temp.n('gca') -> 'future_for',
                            pg_temp.plan_cat(pg_temp.n('gcs')) -> 'schemas' -> pg_temp.n('gca') -> 'defaults' -> pg_temp.n('gcr1')),
  jsonb_build_array(jsonb_build_array(pg_temp.n('gcg1')),
                    jsonb_build_object(pg_temp.n('gcr2'), jsonb_build_array(pg_temp.n('gcg1'))),
                    to_jsonb(array(select r from unnest(array[pg_temp.n('gco'), pg_temp.n('gcx')]) r order by r)),
                    null::jsonb),
  'as the plain role: only the grantors and creators it may act as');
select ok((pg_temp.objects(pg_temp.n('gcs')))[1] >= 4 and (pg_temp.objects(pg_temp.n('gcs')))[2] = 0,
  'as the plain role: import''s objects per privilege are grants_catalog''s (held, grantable, total)');

create function pg_temp.act_as_mode() returns text language plpgsql as $$
declare
  v text;
begin
  execute 'select ' || xplane.act_as_mode_sql() into v;
  return v;
end
$$;
select is(pg_temp.act_as_mode(), case when current_setting('server_version_num')::int >= 160000 then 'SET' else 'MEMBER' end,
  'act_as_mode_sql: SET from PostgreSQL 16 on, MEMBER before');
select xplane.remote_disconnect(pg_temp.n('gcs'), current_database());
-- (drop owned by one role at a time: by several, a default ACL naming two of them is dropped twice)
select is(xplane.remote_exec('default', current_database(), format('drop schema %1$I cascade; drop schema %2$I cascade; %3$s drop role %4$s',
    pg_temp.n('gca'), pg_temp.n('gcb'), (select string_agg(format('drop owned by %I cascade;', r), ' ') from unnest(pg_temp.roles()) r),
    (select string_agg(quote_ident(r), ', ') from unnest(pg_temp.roles()) r))),
  'DROP ROLE', 'clean up');
select * from finish();
