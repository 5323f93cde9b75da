-- granted_by on memberships (membership_entries, memberships_observed, membership_edge_statements,
-- membership_grantor_check): the grantor recorded in pg_auth_members. Normalised and refused
-- with the field named; created exactly (the grantor's grant alone, none of xp's role); drift
-- (the grantor's grant revoked and made again by xp's role, another grantor's grant next to it
-- on 16+) seen by spec_diff and healed by update and reconcile; what PostgreSQL asks of the
-- grantor (ADMIN OPTION on 16+, a superuser naming it before 16) refused with a clear error.
select plan(32);

create function pg_temp.n(p text) returns text language sql as $$ select p || '_' || right(current_database(), 8) $$;
create function pg_temp.v16() returns boolean language sql as $$ select current_setting('server_version_num')::int >= 160000 $$;
create function pg_temp.err(p_spec jsonb) returns text language plpgsql as $$
begin
  perform xplane.normalize_spec('Role', p_spec);
  return 'accepted';
exception when others then
  return sqlerrm;
end
$$;
create function pg_temp.id(p_name text) returns uuid language sql as $$ select id from xplane.managed_resources where name = p_name $$;
-- pg_auth_members as a DBA reads it: group by grantor admin (the group and grantor as "g"/"by"/"me" for xp's role)
create function pg_temp.grants(p_member text) returns text[] language sql as $$
  select coalesce(array_agg(format('%s by %s%s', case g.rolname when pg_temp.n('g') then 'g' else g.rolname end,
                   case when m.grantor = (select oid from pg_roles where rolname = pg_temp.n('by')) then 'by'
                        when m.grantor = current_user::regrole or m.grantor = 10 then 'me' else pg_get_userbyid(m.grantor) end,
                   case when m.admin_option then ' admin' else '' end) order by 1), '{}')
    from pg_auth_members m join pg_roles g on g.oid = m.roleid join pg_roles r on r.oid = m.member
   where r.rolname = p_member
$$;
create function pg_temp.spec(p_admin boolean default false) returns jsonb language sql as $$
  select jsonb_build_object('memberships', jsonb_build_array(jsonb_build_object('role', pg_temp.n('g'), 'granted_by', pg_temp.n('by'), 'admin', p_admin)))
$$;
create function pg_temp.in_sync(p_name text, p_spec jsonb) returns boolean language sql as $$
  select xplane.observe_resource('Role', p_name, p_spec) - 'comment' = xplane.normalize_spec('Role', p_spec)
$$;

-- The language
select is(xplane.normalize_spec('Role', '{"memberships": [{"role": "a", "granted_by": "x"}]}') -> 'memberships',
  '[{"role": "a", "admin": false, "inherit": true, "set": true, "granted_by": "x"}]',
  'granted_by kept (a membership with the options of a plain GRANT too)');
select is(xplane.normalize_spec('Role', '{"memberships": [{"role": "a", "granted_by": "x"}]}') -> 'member_of', '["a"]', 'and in member_of');
select is(xplane.normalize_spec('Role', '{"memberships": [{"role": "a"}]}') -> 'memberships', '[]',
  'without granted_by: as before (no entry for a plain GRANT)');
select is(pg_temp.err('{"memberships": [{"role": "a", "granted_by": ""}]}'), 'Role.memberships[0].granted_by: must not be empty', 'an empty grantor: refused at the field');
select is(pg_temp.err('{"memberships": [{"role": "a", "granted_by": 3}]}'), 'Role.memberships[0].granted_by: must be a string, got 3', 'not a name: refused at the field');
select is(pg_temp.err('{"memberships": [{"role": "a", "granted_by": "x"}, {"role": "a"}]}'),
  'Role.memberships[1]: the membership in "a" is declared twice with different options ({"set": true, "admin": false, "inherit": true, "granted_by": "x"} and {"set": true, "admin": false, "inherit": true})',
  'two blocks for one membership with different grantors: refused at the second');
select is(pg_temp.err('{"members": [{"role": "a", "granted_by": "x"}]}'), 'Role.members[0].granted_by: unknown attribute (allowed: role, admin, inherit, set)',
  'not on members (granted by xp''s role)');

select is(xplane.remote_exec('default', '', format('create role %1$I; create role %2$I; grant %1$I to %2$I with admin option; create role %3$I',
  pg_temp.n('g'), pg_temp.n('by'), pg_temp.n('lacks'))), 'CREATE ROLE', 'fixtures: a group, a grantor holding ADMIN on it, a role without');

-- Created exactly: the grantor's grant, none of xp's role
select is((xplane.create_role(pg_temp.n('m'), pg_temp.spec())).status_code, 'success', 'create a role whose membership is granted by another role');
select is(pg_temp.grants(pg_temp.n('m')), array['g by by'], 'pg_auth_members: one grant, by the grantor');
select ok(pg_temp.in_sync(pg_temp.n('m'), pg_temp.spec()), 'observed equals the normalised spec');
select is((xplane.update_role(pg_temp.n('m'), pg_temp.spec())).status_code, 'no_change', 'update again: no_change');

-- Options of the grantor's grant
select is((xplane.update_role(pg_temp.n('m'), pg_temp.spec(true))).status_code, 'updated', 'admin = true');
select is(pg_temp.grants(pg_temp.n('m')), array['g by by admin'], 'the grantor''s grant carries the admin option');
select ok(pg_temp.in_sync(pg_temp.n('m'), pg_temp.spec(true)), 'in sync');

-- Drift: revoked, then granted again by xp's role
select is(xplane.remote_exec('default', '', format('revoke %1$I from %2$I%3$s; grant %1$I to %2$I', pg_temp.n('g'), pg_temp.n('m'),
  case when pg_temp.v16() then format(' granted by %I', pg_temp.n('by')) else '' end)), 'GRANT ROLE', 'by hand: revoked, granted again by xp''s role');
select is(xplane.spec_diff('Role', xplane.normalize_spec('Role', pg_temp.spec(true)), xplane.observe_resource('Role', pg_temp.n('m'), pg_temp.spec(true))),
  array['memberships'], 'seen: memberships differ');
select is((xplane.update_role(pg_temp.n('m'), pg_temp.spec(true))).status_code, 'updated', 'update heals it');
select is(pg_temp.grants(pg_temp.n('m')), array['g by by admin'], 'the grantor''s grant alone again');
select ok(pg_temp.in_sync(pg_temp.n('m'), pg_temp.spec(true)), 'in sync again');

-- PostgreSQL 16+: another grantor's grant next to the grantor's
select is(xplane.remote_exec('default', '', format('grant %I to %I', pg_temp.n('g'), pg_temp.n('m'))), 'GRANT ROLE', 'by hand: xp''s role grants it too');
select is(xplane.observe_resource('Role', pg_temp.n('m'), pg_temp.spec(true)) -> 'memberships' -> 0 -> 'granted_by',
  case when pg_temp.v16() then jsonb_build_array(pg_temp.n('by'), (select rolname from pg_roles where oid = 10)) else to_jsonb(pg_temp.n('by')) end,
  'observed: both grantors (16+; before 16 a second GRANT changes nothing)');
select is((xplane.update_role(pg_temp.n('m'), pg_temp.spec(true))).status_code, case when pg_temp.v16() then 'updated' else 'no_change' end::xplane.status_code,
  'update: the other grantor''s grant revoked (16+)');
select is(pg_temp.grants(pg_temp.n('m')), array['g by by admin'], 'the grantor''s grant alone');

-- Through the reconcile loop
select isnt(xplane.apply('Role', pg_temp.n('r'), pg_temp.spec()), null, 'apply a role whose membership is granted by another role');
select is(xplane.remote_exec('default', '', format('revoke %1$I from %2$I%3$s; grant %1$I to %2$I', pg_temp.n('g'), pg_temp.n('r'),
  case when pg_temp.v16() then format(' granted by %I', pg_temp.n('by')) else '' end)), 'GRANT ROLE', 'by hand: granted by xp''s role instead');
select is((xplane.reconcile(pg_temp.id(pg_temp.n('r')))).status_code, 'updated', 'reconcile sees and heals it');
select is(pg_temp.grants(pg_temp.n('r')), array['g by by'], 'the grantor''s grant alone');
select is((xplane.reconcile(pg_temp.id(pg_temp.n('r')))).status_code, 'no_change', 'reconcile again: no_change');

-- What PostgreSQL asks of the grantor, said clearly before anything changes
select is((xplane.create_role(pg_temp.n('bad'), jsonb_build_object('memberships', jsonb_build_array(
    jsonb_build_object('role', pg_temp.n('g'), 'granted_by', pg_temp.n('lacks')))))).message,
  case when pg_temp.v16() then format('granted_by = %1$s: %1$s does not hold ADMIN OPTION on role %2$s, so it cannot grant it Hint: make %1$s a member of %2$s with admin = true first (a membership block), or name another grantor [SQLSTATE 42501]', pg_temp.n('lacks'), pg_temp.n('g'))
       else format('role "%s" created', pg_temp.n('bad')) end,
  'a grantor without ADMIN OPTION on the group: refused on 16+ (before 16 PostgreSQL records any grantor a superuser names)');
select is(xplane.remote_exec('default', '', format('create role %1$I; grant %2$I to %1$I', pg_temp.n('nonsuper'), pg_temp.n('by'))),
  'GRANT ROLE', 'a role that is not superuser, member of the grantor (with SET)');
create function pg_temp.check_as(p_role text) returns text language plpgsql as $$
declare
  v_check text := (xplane.membership_grantor_check(pg_temp.n('by'), pg_temp.n('g')))[1];
begin
  execute format('set local role %I', p_role);
  execute v_check;
  reset role;
  return 'allowed';
exception when others then
  return sqlerrm;
end
$$;
select is(pg_temp.check_as(pg_temp.n('nonsuper')),
  case when pg_temp.v16() then 'allowed'
       else format('granted_by = %s: before PostgreSQL 16 only a superuser may record another role as the grantor of a membership, and xp''s role is not one', pg_temp.n('by')) end,
  'as a role that may act as the grantor: allowed on 16+, refused before 16 (a superuser only)');

select xplane.delete_role(pg_temp.n('m'), '{}');
select xplane.delete_role(pg_temp.n('r'), '{}');
select xplane.delete_role(pg_temp.n('bad'), '{}');
select xplane.remote_exec('default', '', format('drop role %I; drop role %I; drop role %I; drop role %I',
  pg_temp.n('nonsuper'), pg_temp.n('lacks'), pg_temp.n('by'), pg_temp.n('g')));
select * from finish();
