-- Default privileges for other creators (future_owners): ALTER DEFAULT PRIVILEGES FOR ROLE each
-- of them, read back exactly from pg_default_acl, tables they create later readable; a
-- creator's default privileges changed by hand, or given by an undeclared one, are drift
-- and get revoked; future_owners without future is refused.
select plan(14);

create function pg_temp.n(p text) returns text language sql as $$ select p || '_' || right(current_database(), 8) $$;
create function pg_temp.g(p_owners jsonb, p_future boolean default true) returns jsonb language sql as $$
  select jsonb_build_object('grants', jsonb_build_array(
    jsonb_build_object('database', current_database(), 'schema', 'fo', 'privileges', '["SELECT"]'::jsonb, 'future', p_future,
                       'future_owners', p_owners),
    jsonb_build_object('database', current_database(), 'schema', 'fo', 'on', 'schema', 'privileges', '["USAGE"]'::jsonb)))
$$;
create function pg_temp.in_sync(p_spec jsonb) returns boolean language sql as $$
  select xplane.observe_resource('Role', pg_temp.n('rd'), p_spec) = xplane.normalize_spec('Role', p_spec) || '{"comment": null}'
$$;
create function pg_temp.defaults_of(p_creator text) returns text language sql as $$
  select coalesce(string_agg(a.privilege_type, ',' order by a.privilege_type), '')
    from pg_default_acl d, aclexplode(d.defaclacl) a
   where d.defaclnamespace = (select oid from pg_namespace where nspname = 'fo') and d.defaclobjtype = 'r' and d.defaclrole = p_creator::regrole
     and a.grantee = pg_temp.n('rd')::regrole
$$;

select throws_ok($$select xplane.normalize_spec('Role', pg_temp.g('["x"]', false))$$, '22023',
  'Role.grants[0].future_owners: needs future = true (default privileges for objects these roles create later)', 'future_owners needs future');
select is(xplane.normalize_spec('Role', pg_temp.g('["b", "a", "b"]')) -> 'grants' -> 1 -> 'future_owners', '["a", "b"]'::jsonb,
  'future_owners sorted and de-duplicated');
select is(xplane.normalize_spec('Role', pg_temp.g('[]')) -> 'grants' -> 0 -> 'future_owners', '[]'::jsonb, 'every normalised grant carries future_owners');

select is(xplane.remote_exec('default', '', format('create role %1$I; create role %2$I; create schema fo; grant create, usage on schema fo to %1$I, %2$I',
  pg_temp.n('app_owner'), pg_temp.n('other'))), 'GRANT', 'fixtures: schema fo, where two other roles create tables');
select is((xplane.create_role(pg_temp.n('rd'), pg_temp.g(jsonb_build_array(pg_temp.n('app_owner'))))).status_code, 'success', 'create with future_owners');
select is(pg_temp.defaults_of(pg_temp.n('app_owner')), 'SELECT', 'pg_default_acl: SELECT for tables app_owner creates');
select ok(pg_temp.in_sync(pg_temp.g(jsonb_build_array(pg_temp.n('app_owner')))), 'observed equals the normalised spec');

select is(xplane.remote_exec('default', '', format('set role %I; create table fo.by_app_owner (id int); reset role', pg_temp.n('app_owner'))),
  'RESET', 'app_owner creates a table later');
select ok(has_table_privilege(pg_temp.n('rd'), 'fo.by_app_owner', 'SELECT'), 'the role can read it (has_table_privilege)');

-- drift: app_owner's default privileges revoked by hand; another creator's given by hand
select is(xplane.remote_exec('default', '', format('alter default privileges for role %1$I in schema fo revoke select on tables from %3$I; '
  || 'alter default privileges for role %2$I in schema fo grant select on tables to %3$I', pg_temp.n('app_owner'), pg_temp.n('other'), pg_temp.n('rd'))),
  'ALTER DEFAULT PRIVILEGES', 'drift by hand');
select is(xplane.observe_resource('Role', pg_temp.n('rd'), pg_temp.g(jsonb_build_array(pg_temp.n('app_owner')))) -> 'grants' -> 1 -> 'future_owners',
  jsonb_build_array(pg_temp.n('other')), 'observed: the undeclared creator shows, the one that lost it does not');
select is((xplane.update_role(pg_temp.n('rd'), pg_temp.g(jsonb_build_array(pg_temp.n('app_owner'))))).status_code, 'updated', 'heal');
select ok(pg_temp.defaults_of(pg_temp.n('app_owner')) = 'SELECT' and pg_temp.defaults_of(pg_temp.n('other')) = ''
          and pg_temp.in_sync(pg_temp.g(jsonb_build_array(pg_temp.n('app_owner')))), 'back: app_owner gives SELECT, other nothing, in sync');
select is((xplane.update_role(pg_temp.n('rd'), pg_temp.g(jsonb_build_array(pg_temp.n('app_owner'))))).status_code, 'no_change', 'apply again: no_change');

select xplane.delete_role(pg_temp.n('rd'), '{}');
select xplane.remote_exec('default', '', format('drop schema fo cascade; drop owned by %1$I, %2$I; drop role %1$I, %2$I', pg_temp.n('app_owner'), pg_temp.n('other')));
select * from finish();
