-- What a role's grants are authoritative over (docs/kinds/role.md, "Limits": grants outside
-- the role's scope are not read). In a database its grants name: the privileges on the
-- database itself and its global default privileges are read and revoked when not declared,
-- whatever schema the grants name; a schema they do not name is not read, so a hand-made grant
-- there is neither shown nor revoked. Naming the schema brings it into the scope.
select plan(8);

create function pg_temp.n(p text) returns text language sql as $$ select p || '_' || right(current_database(), 8) $$;
create function pg_temp.g(p_schemas text[]) returns jsonb language sql as $$
  select jsonb_build_object('grants', (select jsonb_agg(jsonb_build_object('database', current_database(), 'schema', s, 'on', 'schema',
                                                                           'privileges', '["USAGE"]'::jsonb)) from unnest(p_schemas) s))
$$;
create function pg_temp.diff(p_schemas text[]) returns jsonb language sql as $$
  select jsonb_path_query_array(xplane.observe_resource('Role', pg_temp.n('gs'), pg_temp.g(p_schemas)) -> 'grants', '$[*] ? (@.on != "schema" || @.schema != "in1")')
$$;

select is(xplane.remote_exec('default', '', 'create schema in1; create schema out1'), 'CREATE SCHEMA', 'fixtures: two schemas');
select is((xplane.create_role(pg_temp.n('gs'), pg_temp.g('{in1}'))).status_code, 'success', 'a role with USAGE on in1 only');
select is(xplane.remote_exec('default', '', format('grant usage on schema out1 to %1$I; grant create on database %2$I to %1$I; '
  || 'alter default privileges grant select on tables to %1$I', pg_temp.n('gs'), current_database())),
  'ALTER DEFAULT PRIVILEGES', 'by hand: USAGE on out1, CREATE on the database, a global default privilege');
select is(pg_temp.diff('{in1}'),
  jsonb_build_array(xplane.grant_entry(current_database(), null, 'database', '{CREATE}', false),
                    xplane.grant_entry(current_database(), null, 'tables', '{SELECT}', true)),
  'seen: the database privilege and the global default privilege; not seen: USAGE on out1 (outside the scope)');
select is((xplane.update_role(pg_temp.n('gs'), pg_temp.g('{in1}'))).status_code, 'updated', 'update');
select ok(not has_database_privilege(pg_temp.n('gs'), current_database(), 'CREATE') and has_schema_privilege(pg_temp.n('gs'), 'out1', 'USAGE')
          and pg_temp.diff('{in1}') = '[]', 'revoked: CREATE and the default privilege; left: USAGE on out1, not read');
select is((xplane.update_role(pg_temp.n('gs'), pg_temp.g('{in1}')
            || jsonb_build_object('grants', pg_temp.g('{in1}') -> 'grants' || jsonb_build_array(jsonb_build_object(
                 'database', current_database(), 'schema', 'out1', 'privileges', '["SELECT"]'::jsonb))))).status_code,
  'updated', 'out1 named (a grant on its tables): in the scope now');
select ok(not has_schema_privilege(pg_temp.n('gs'), 'out1', 'USAGE'), 'USAGE on out1, not declared, revoked');

select xplane.delete_role(pg_temp.n('gs'), '{}');
select xplane.remote_exec('default', '', 'drop schema in1; drop schema out1');
select * from finish();
