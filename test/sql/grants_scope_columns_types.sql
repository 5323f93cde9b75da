-- Column privileges and privileges on types and domains are authoritative like the rest
-- (docs/kinds/role.md, "Authoritative, by deltas"): a hand-made column grant or type grant to a
-- managed role, on a table or type its grants do not name, in its scope, outside it, or in a
-- database its grants do not name, is seen (observe) and revoked (update); what it owns is not
-- a grant; declared ones cost no extra round trip; another role's entries do not hide it.
select plan(26);

create function pg_temp.n(p text) returns text language sql as $$ select p || '_' || right(current_database(), 8) $$;
create function pg_temp.g(p_extra jsonb default '[]') returns jsonb language sql as $$
  select jsonb_build_object('grants', jsonb_build_array(
    jsonb_build_object('database', current_database(), 'schema', 'ct_in', 'on', 'schema', 'privileges', '["USAGE"]'::jsonb),
    jsonb_build_object('database', current_database(), 'schema', 'ct_in', 'privileges', '["SELECT"]'::jsonb)) || p_extra)
$$;
-- what is observed beyond the declared USAGE and SELECT on ct_in: database.schema on objects.columns privileges
create function pg_temp.extra(p_role text, p_spec jsonb) returns text[] language sql as $$
  select coalesce(array_agg(x order by x collate "C"), '{}')
    from jsonb_array_elements(xplane.observe_resource('Role', p_role, p_spec) -> 'grants') g,
         format('%s.%s %s %s%s %s', case when g ->> 'database' = current_database() then 'here' else g ->> 'database' end,
                g ->> 'schema', g ->> 'on', g -> 'objects' ->> 0, coalesce('.' || (g -> 'columns' ->> 0), ''), g -> 'privileges') x
   where g ? 'objects'
$$;
-- the column and type privileges the role holds, the way a DBA checks them (aclexplode)
create function pg_temp.held(p_role text) returns text language sql as $$
  select concat_ws(',',
    (select string_agg(n.nspname || '.' || c.relname || '.' || t.attname || ':' || a.privilege_type, ','
                       order by n.nspname, c.relname, t.attname, a.privilege_type)
       from pg_class c join pg_namespace n on n.oid = c.relnamespace join pg_attribute t on t.attrelid = c.oid, aclexplode(t.attacl) a
      where n.nspname like 'ct\_%' and a.grantee = p_role::regrole),
    (select string_agg(n.nspname || '.' || t.typname || ':' || a.privilege_type, ',' order by n.nspname, t.typname)
       from pg_type t join pg_namespace n on n.oid = t.typnamespace, aclexplode(t.typacl) a
      where n.nspname like 'ct\_%' and a.grantee = p_role::regrole))
$$;
create function pg_temp.remote_calls() returns bigint language sql as $$
  select coalesce(pg_stat_get_xact_function_calls('xplane.remote_query(text,text,text,text[])'::regprocedure), 0)
$$;
set track_functions = 'pl';

select is(xplane.remote_exec('default', '', $$create schema ct_in; create table ct_in.t (a int, note text);
  create type ct_in.mood as enum ('ok'); revoke usage on type ct_in.mood from public;
  create schema ct_out; create table ct_out.t (a int, b int); create domain ct_out.dm as int; revoke usage on domain ct_out.dm from public;
  create schema ct_mine$$), 'CREATE SCHEMA', 'fixtures: a table and a type in ct_in, a table and a domain in ct_out');
select is(xplane.remote_exec('default', '', format('create database %I', pg_temp.n('ctdb'))), 'CREATE DATABASE', 'and a second database');
select is(xplane.remote_exec('default', pg_temp.n('ctdb'), $$create schema ct_far; create table ct_far.t (x int); create type ct_far.e as enum ('x')$$),
  'CREATE TYPE', 'a table and a type there');
select is((xplane.create_role(pg_temp.n('ct'), pg_temp.g())).status_code, 'success', 'a role with USAGE on ct_in and SELECT on its tables');
select is(xplane.remote_exec('default', '', format('alter schema ct_mine owner to %1$I; create table ct_mine.t (a int); alter table ct_mine.t owner to %1$I; '
  || 'create type ct_mine.e as enum (''x''); alter type ct_mine.e owner to %1$I; grant update (a) on ct_mine.t to %1$I', pg_temp.n('ct'))),
  'GRANT', 'it owns a table (with a column grant to itself) and a type');
select is(pg_temp.extra(pg_temp.n('ct'), pg_temp.g()), '{}', 'in sync, and what it owns is not a grant: nothing observed');

select is(xplane.remote_exec('default', '', format('grant update (note) on ct_in.t to %1$I; grant usage on type ct_in.mood to %1$I; '
  || 'grant select (b), references (b) on ct_out.t to %1$I; grant usage on domain ct_out.dm to %1$I', pg_temp.n('ct'))),
  'GRANT', 'by hand: a column and a type in its scope, a column and a domain outside it');
select is(xplane.remote_exec('default', pg_temp.n('ctdb'), format('grant insert (x) on ct_far.t to %1$I; grant usage on type ct_far.e to %1$I', pg_temp.n('ct'))),
  'GRANT', 'and in a database its grants do not name: a column and a type');
select ok(has_column_privilege(pg_temp.n('ct'), 'ct_in.t', 'note', 'UPDATE') and has_type_privilege(pg_temp.n('ct'), 'ct_in.mood', 'USAGE')
          and has_column_privilege(pg_temp.n('ct'), 'ct_out.t', 'b', 'SELECT') and has_type_privilege(pg_temp.n('ct'), 'ct_out.dm', 'USAGE'),
  'has_column_privilege, has_type_privilege: held');
select is(pg_temp.extra(pg_temp.n('ct'), pg_temp.g()),
  array[format('%s.ct_far tables t.x ["INSERT"]', pg_temp.n('ctdb')), format('%s.ct_far types e ["USAGE"]', pg_temp.n('ctdb')),
        'here.ct_in tables t.note ["UPDATE"]', 'here.ct_in types mood ["USAGE"]',
        'here.ct_out tables t.b ["REFERENCES", "SELECT"]', 'here.ct_out types dm ["USAGE"]'],
  'all seen, in both databases');
select is((xplane.update_role(pg_temp.n('ct'), pg_temp.g())).status_code, 'updated', 'update');
select ok(not has_column_privilege(pg_temp.n('ct'), 'ct_in.t', 'note', 'UPDATE') and not has_type_privilege(pg_temp.n('ct'), 'ct_in.mood', 'USAGE')
          and not has_column_privilege(pg_temp.n('ct'), 'ct_out.t', 'b', 'SELECT') and not has_column_privilege(pg_temp.n('ct'), 'ct_out.t', 'b', 'REFERENCES')
          and not has_type_privilege(pg_temp.n('ct'), 'ct_out.dm', 'USAGE')
          and has_column_privilege(pg_temp.n('ct'), 'ct_mine.t', 'a', 'UPDATE') and has_table_privilege(pg_temp.n('ct'), 'ct_in.t', 'SELECT'),
  'revoked here: the columns, the type and the domain; kept: SELECT on ct_in.t, what it owns');
select is(pg_temp.held(pg_temp.n('ct')), 'ct_mine.t.a:UPDATE', 'aclexplode: only its own column grant is left');
select is(xplane.remote_query('default', pg_temp.n('ctdb'), format(
  $q$(select json_build_array(exists (select 1 from pg_attribute t, aclexplode(t.attacl) a where t.attrelid = 'ct_far.t'::regclass and a.grantee = %1$L::regrole),
                              exists (select 1 from pg_type t, aclexplode(t.typacl) a where t.oid = 'ct_far.e'::regtype and a.grantee = %1$L::regrole)))$q$,
  pg_temp.n('ct'))), '[false, false]'::jsonb, 'revoked in the other database: the column and the type');
select is(pg_temp.extra(pg_temp.n('ct'), pg_temp.g()), '{}', 'nothing left to show');
select is((xplane.update_role(pg_temp.n('ct'), pg_temp.g())).status_code, 'no_change', 'and a second update changes nothing');

-- Declared column and type grants, in sync: no second pass (the cluster, the database, its
-- named objects: three round trips), and a hand-made grant on another column of that table seen.
create function pg_temp.gd() returns jsonb language sql as $$
  select pg_temp.g(jsonb_build_array(
    jsonb_build_object('database', current_database(), 'schema', 'ct_in', 'objects', '["t"]'::jsonb, 'columns', '["note"]'::jsonb, 'privileges', '["UPDATE"]'::jsonb),
    jsonb_build_object('database', current_database(), 'schema', 'ct_in', 'on', 'types', 'objects', '["mood"]'::jsonb, 'privileges', '["USAGE"]'::jsonb)))
$$;
select is((xplane.update_role(pg_temp.n('ct'), pg_temp.gd())).status_code, 'updated', 'a column and a type declared');
create temp table calls as select pg_temp.remote_calls() as before;
select is(pg_temp.extra(pg_temp.n('ct'), pg_temp.gd()), array['here.ct_in tables t.note ["UPDATE"]', 'here.ct_in types mood ["USAGE"]'],
  'observed as declared');
select is(pg_temp.remote_calls() - (select before from calls), 3::bigint, 'in three round trips: no second pass for what is declared');

-- In a batch where ct_out.t.b and the domain are another role's (declared, read for it
-- already): still seen for ct, revoked, the other role's left.
create function pg_temp.g2() returns jsonb language sql as $$
  select jsonb_build_object('grants', jsonb_build_array(
    jsonb_build_object('database', current_database(), 'schema', 'ct_out', 'objects', '["t"]'::jsonb, 'columns', '["b"]'::jsonb, 'privileges', '["SELECT"]'::jsonb),
    jsonb_build_object('database', current_database(), 'schema', 'ct_out', 'on', 'types', 'objects', '["dm"]'::jsonb, 'privileges', '["USAGE"]'::jsonb)))
$$;
select is((xplane.create_role(pg_temp.n('ct2'), pg_temp.g2())).status_code, 'success', 'a second role, with SELECT on ct_out.t.b and USAGE on the domain');
select is(xplane.remote_exec('default', '', format('grant select (b) on ct_out.t to %1$I; grant usage on domain ct_out.dm to %1$I', pg_temp.n('ct'))),
  'GRANT', 'by hand again, on the same column and domain, to the first role');
select is((select array_agg(x order by x collate "C")
             from jsonb_array_elements(xplane.observe_many(jsonb_build_array(
                    jsonb_build_object('kind', 'Role', 'name', pg_temp.n('ct'), 'spec', pg_temp.g()),
                    jsonb_build_object('kind', 'Role', 'name', pg_temp.n('ct2'), 'spec', pg_temp.g2()))) -> 0 -> 'observed' -> 'grants') g,
                  format('%s %s %s', g ->> 'schema', g -> 'objects' ->> 0, g -> 'privileges') x
            where g ? 'objects'),
  array['ct_in mood ["USAGE"]', 'ct_in t ["UPDATE"]', 'ct_out dm ["USAGE"]', 'ct_out t ["SELECT"]'],
  'observed together with the role that declares them: the first role''s are seen (and those it declared before)');

-- Default privileges on types declared in ct_in: USAGE on an existing type there is what they
-- give a new one, neither shown nor revoked (grants_objects_observed), so not read either.
create function pg_temp.g3() returns jsonb language sql as $$
  select pg_temp.g(jsonb_build_array(jsonb_build_object('database', current_database(), 'schema', 'ct_in', 'on', 'types', 'future', true,
                                                        'privileges', '["USAGE"]'::jsonb)))
$$;
select is((xplane.create_role(pg_temp.n('ct3'), pg_temp.g3())).status_code, 'success', 'a third role, with default USAGE on types in ct_in');
select is(xplane.remote_exec('default', '', format('grant usage on type ct_in.mood to %1$I', pg_temp.n('ct3'))), 'GRANT', 'by hand: USAGE on ct_in.mood');
truncate calls;
insert into calls select pg_temp.remote_calls();
select is(pg_temp.extra(pg_temp.n('ct3'), pg_temp.g3()), '{}', 'not shown');
select is(pg_temp.remote_calls() - (select before from calls), 2::bigint, 'and not read: two round trips');

select xplane.remote_exec('default', '', format('drop owned by %I', pg_temp.n('ct3')));
select xplane.delete_role(pg_temp.n('ct3'), '{}');
select xplane.delete_role(pg_temp.n('ct2'), '{}');
select xplane.remote_disconnect('default', pg_temp.n('ctdb'));
select xplane.remote_exec('default', '', format('drop database %I', pg_temp.n('ctdb')));
select xplane.remote_exec('default', '', format('drop owned by %I', pg_temp.n('ct')));
select xplane.delete_role(pg_temp.n('ct'), '{}');
select xplane.remote_exec('default', '', 'drop schema ct_in cascade; drop schema ct_out cascade; drop schema if exists ct_mine cascade');
select * from finish();
