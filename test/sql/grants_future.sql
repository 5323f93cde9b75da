-- Default privileges ("future"): for the schema owner and the role xp runs as; tables created
-- after the apply are readable; read back exactly; authoritative; removable.
select plan(14);

create function pg_temp.n(p text) returns text language sql as $$ select p || '_' || right(current_database(), 8) $$;
create function pg_temp.g(p_future boolean, p_privs jsonb default '["SELECT"]') returns jsonb language sql as $$
  select jsonb_build_object('grants', jsonb_build_array(
    jsonb_build_object('database', current_database(), 'schema', 'rep', 'privileges', p_privs, 'future', p_future),
    jsonb_build_object('database', current_database(), 'schema', 'rep', 'on', 'sequences', 'privileges', '["USAGE"]'::jsonb, 'future', p_future),
    jsonb_build_object('database', current_database(), 'schema', 'rep', 'on', 'schema', 'privileges', '["USAGE"]'::jsonb)))
$$;
-- The specs declare no comment (not managed: not in the normalised spec); the role has none.
create function pg_temp.in_sync(p_spec jsonb) returns boolean language sql as $$
  select xplane.observe_resource('Role', pg_temp.n('fut'), p_spec) = xplane.normalize_spec('Role', p_spec) || '{"comment": null}'
$$;

-- The schema belongs to another role: default privileges are set for it and for us.
select is(xplane.remote_exec('default', '', format('create role %1$I; create schema rep authorization %1$I; create table rep.old (id int)',
  pg_temp.n('owner'))), 'CREATE TABLE', 'fixtures: schema rep owned by another role');
select is((xplane.create_role(pg_temp.n('fut'), pg_temp.g(true))).status_code, 'success', 'create with future = true');
select ok(pg_temp.in_sync(pg_temp.g(true)), 'observed equals the normalised spec, future included');
select is((select count(*)::int from pg_default_acl d
            where d.defaclnamespace = 'rep'::regnamespace and d.defaclobjtype = 'r'
              and exists (select 1 from aclexplode(d.defaclacl) a where a.grantee = pg_temp.n('fut')::regrole)),
  2, 'default privileges for tables exist for the schema owner and for the role xp runs as');

select is(xplane.remote_exec('default', '', format('create table rep.by_us (id int); set role %I; create table rep.by_owner (id int); '
  || 'create sequence rep.seq_by_owner; reset role', pg_temp.n('owner'))), 'RESET', 'tables created after the apply, by us and by the owner');
select ok(has_table_privilege(pg_temp.n('fut'), 'rep.by_us', 'SELECT') and has_table_privilege(pg_temp.n('fut'), 'rep.by_owner', 'SELECT'),
  'the role can read tables created later');
select ok(has_sequence_privilege(pg_temp.n('fut'), 'rep.seq_by_owner', 'USAGE'), 'and use sequences created later');
select ok(pg_temp.in_sync(pg_temp.g(true)), 'no perpetual diff after new tables');
select is((xplane.update_role(pg_temp.n('fut'), pg_temp.g(true))).status_code, 'no_change', 'apply again: no_change');

-- Authoritative: an extra default privilege added by hand is revoked.
select is(xplane.remote_exec('default', '', format('alter default privileges in schema rep grant insert on tables to %I', pg_temp.n('fut'))),
  'ALTER DEFAULT PRIVILEGES', 'drift: INSERT added to default privileges by hand');
select ok(not pg_temp.in_sync(pg_temp.g(true)), 'the drift is a difference');
select is((xplane.update_role(pg_temp.n('fut'), pg_temp.g(true))).status_code, 'updated', 'heal');

-- future = false removes the default privileges, keeps the grants on existing tables.
select is((xplane.update_role(pg_temp.n('fut'), pg_temp.g(false))).status_code, 'updated', 'future = false');
select ok(pg_temp.in_sync(pg_temp.g(false))
          and not exists (select 1 from pg_default_acl d, aclexplode(d.defaclacl) a where a.grantee = pg_temp.n('fut')::regrole)
          and has_table_privilege(pg_temp.n('fut'), 'rep.by_owner', 'SELECT'),
  'default privileges gone, existing grants kept, in sync');

select xplane.delete_role(pg_temp.n('fut'), '{}');
select xplane.remote_exec('default', '', format('drop schema rep cascade; drop role %I', pg_temp.n('owner')));
select * from finish();
