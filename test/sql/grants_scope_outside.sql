-- What a role's grants are authoritative over (docs/kinds/role.md, "Authoritative, by
-- deltas"): its scope, and wherever it holds anything. A hand-made grant to a managed role on a
-- schema its grants do not name, on a table there, default privileges there, or anything in a
-- database its grants do not name, is seen (observe) and revoked (update); what it owns, and
-- what global default privileges it declares give it on new objects, are not grants.
select plan(18);

create function pg_temp.n(p text) returns text language sql as $$ select p || '_' || right(current_database(), 8) $$;
create function pg_temp.g(p_schemas text[]) returns jsonb language sql as $$
  select jsonb_build_object('grants', (select jsonb_agg(jsonb_build_object('database', current_database(), 'schema', s, 'on', 'schema',
                                                                           'privileges', '["USAGE"]'::jsonb)) from unnest(p_schemas) s))
$$;
create function pg_temp.obs(p_spec jsonb) returns jsonb language sql as $$
  select xplane.observe_resource('Role', pg_temp.n('gs'), p_spec) -> 'grants'
$$;
-- what is observed beyond the declared USAGE on in1: database, schema, on, privileges, future
create function pg_temp.extra(p_spec jsonb) returns text[] language sql as $$
  select coalesce(array_agg(format('%s.%s %s %s%s', g ->> 'database', coalesce(g ->> 'schema', '-'), g ->> 'on',
                                   g -> 'privileges', case when (g ->> 'future')::boolean then ' future' else '' end)
                            order by 1), '{}')
    from jsonb_array_elements(pg_temp.obs(p_spec)) g
   where not (g ->> 'on' = 'schema' and g ->> 'schema' = 'in1')
$$;

select is(xplane.remote_exec('default', '', 'create schema in1; create schema out1; create table out1.t (a int); create schema mine'),
  'CREATE SCHEMA', 'fixtures: two schemas, a table in the second');
select is(xplane.remote_exec('default', '', format('create database %I', pg_temp.n('odb'))), 'CREATE DATABASE', 'and a second database');
select is((xplane.create_role(pg_temp.n('gs'), pg_temp.g('{in1}'))).status_code, 'success', 'a role with USAGE on in1 only');
select is(pg_temp.extra(pg_temp.g('{in1}')), '{}', 'in sync: nothing else observed');
select is(xplane.remote_exec('default', '', format('alter schema mine owner to %1$I; create table mine.t (a int); alter table mine.t owner to %1$I',
                                                   pg_temp.n('gs'))), 'ALTER TABLE', 'it owns a schema and a table in it');
select is(pg_temp.extra(pg_temp.g('{in1}')), '{}', 'what it owns is not a grant: nothing observed');

select is(xplane.remote_exec('default', '', format('grant usage on schema out1 to %1$I; grant select on out1.t to %1$I; '
  || 'alter default privileges in schema out1 grant insert on tables to %1$I; grant create on database %2$I to %1$I',
  pg_temp.n('gs'), current_database())), 'GRANT', 'by hand: USAGE on out1, SELECT on out1.t, default INSERT in out1, CREATE on the database');
select is(xplane.remote_exec('default', pg_temp.n('odb'), format('grant connect on database %1$I to %2$I; create schema far; grant usage on schema far to %2$I',
  pg_temp.n('odb'), pg_temp.n('gs'))), 'GRANT', 'and in a database its grants do not name: CONNECT, USAGE on a schema');
select is(pg_temp.extra(pg_temp.g('{in1}')),
  (select array_agg(x order by x) from unnest(array[format('%s.- database ["CREATE"]', current_database()),
        format('%s.out1 schema ["USAGE"]', current_database()),
        format('%s.out1 tables ["INSERT", "SELECT"] future', current_database()),
        format('%s.- database ["CONNECT"]', pg_temp.n('odb')),
        format('%s.far schema ["USAGE"]', pg_temp.n('odb'))]::text[]) x),
  'all seen, in both databases');
select is((xplane.update_role(pg_temp.n('gs'), pg_temp.g('{in1}'))).status_code, 'updated', 'update');
select ok(not has_database_privilege(pg_temp.n('gs'), current_database(), 'CREATE')
          and not has_schema_privilege(pg_temp.n('gs'), 'out1', 'USAGE')
          and not has_table_privilege(pg_temp.n('gs'), 'out1.t', 'SELECT')
          and not exists (select 1 from pg_default_acl d join pg_namespace n on n.oid = d.defaclnamespace
                           where n.nspname = 'out1' and d.defaclacl::text like '%' || pg_temp.n('gs') || '%')
          and has_schema_privilege(pg_temp.n('gs'), 'mine', 'USAGE') and has_table_privilege(pg_temp.n('gs'), 'mine.t', 'SELECT'),
  'revoked here: CREATE, USAGE on out1, SELECT on out1.t, the default privilege; kept: what it owns');
select is(xplane.remote_query('default', pg_temp.n('odb'), format(
  $q$(select json_build_array(exists (
        select 1 from pg_database d, aclexplode(d.datacl) a where d.datname = %2$L and a.grantee = %1$L::regrole),
      has_schema_privilege(%1$L, 'far', 'USAGE')))$q$, pg_temp.n('gs'), pg_temp.n('odb'))),
  '[false, false]'::jsonb, 'revoked in the other database: its own CONNECT (PUBLIC''s stays), USAGE on far');
select is(pg_temp.extra(pg_temp.g('{in1}')), '{}', 'nothing left to show');
select is((xplane.update_role(pg_temp.n('gs'), pg_temp.g('{in1}'))).status_code, 'no_change', 'and a second update changes nothing');

-- In a batch where out1 and the other database are another role's scope (read for it
-- already): still seen for gs.
create function pg_temp.g2() returns jsonb language sql as $$
  select jsonb_build_object('grants', pg_temp.g('{out1}') -> 'grants' || jsonb_build_array(
    jsonb_build_object('database', pg_temp.n('odb'), 'on', 'database', 'privileges', '["CONNECT"]'::jsonb)))
$$;
select is((xplane.create_role(pg_temp.n('gs2'), pg_temp.g2())).status_code, 'success', 'a second role, with USAGE on out1 and CONNECT on the other database');
select is(xplane.remote_exec('default', '', format('grant usage on schema out1 to %1$I; grant select on out1.t to %1$I; '
  || 'alter default privileges in schema out1 grant insert on tables to %1$I; grant connect on database %2$I to %1$I',
  pg_temp.n('gs'), pg_temp.n('odb'))), 'GRANT', 'by hand again, on out1 and on the other database');
select is((select array_agg(format('%s.%s %s %s', g ->> 'database' = current_database(), g ->> 'schema', g ->> 'on', g -> 'privileges') order by 1)
             from jsonb_array_elements(xplane.observe_many(jsonb_build_array(
                    jsonb_build_object('kind', 'Role', 'name', pg_temp.n('gs'), 'spec', pg_temp.g('{in1}')),
                    jsonb_build_object('kind', 'Role', 'name', pg_temp.n('gs2'), 'spec', pg_temp.g2()))) -> 0 -> 'observed' -> 'grants') g),
  array['f. database ["CONNECT"]', 't.in1 schema ["USAGE"]', 't.out1 schema ["USAGE"]', 't.out1 tables ["INSERT", "SELECT"]'],
  'observed together with the role whose scope they are: the hand-made grants to the first one are seen');
select ok((xplane.update_role(pg_temp.n('gs'), pg_temp.g('{in1}'))).status_code = 'updated'
          and not has_schema_privilege(pg_temp.n('gs'), 'out1', 'USAGE') and not has_table_privilege(pg_temp.n('gs'), 'out1.t', 'SELECT')
          and has_schema_privilege(pg_temp.n('gs2'), 'out1', 'USAGE'), 'and revoked, the other role''s left');

select xplane.delete_role(pg_temp.n('gs2'), '{}');
select xplane.remote_disconnect('default', pg_temp.n('odb'));
select xplane.remote_exec('default', '', format('drop database %I', pg_temp.n('odb')));
select xplane.remote_exec('default', '', format('drop owned by %I', pg_temp.n('gs')));
select xplane.delete_role(pg_temp.n('gs'), '{}');
select xplane.remote_exec('default', '', 'drop schema in1; drop schema out1 cascade; drop schema if exists mine cascade');
select * from finish();
