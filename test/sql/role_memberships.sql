-- Membership options (normalize_memberships, membership_statements, member_options of
-- roles_catalog): admin on every version, inherit and set on PostgreSQL 16+ (a clear refusal
-- before), normalised so that they read back, drift by hand (WITH ADMIN OPTION, an option
-- revoked, a grant by another grantor) seen by spec_diff and healed by update and reconcile;
-- specs of 0.6.0 (member_of only) unchanged.
select plan(47);

create function pg_temp.n(p text) returns text language sql as $$ select p || '_' || right(current_database(), 8) $$;
create function pg_temp.v16() returns boolean language sql as $$ select current_setting('server_version_num')::int >= 160000 $$;
create function pg_temp.err(p_kind text, p_spec jsonb) returns text language plpgsql as $$
begin
  perform xplane.normalize_spec(p_kind::xplane.resource_kind, p_spec);
  return null;
exception when others then
  return sqlerrm;
end
$$;
create function pg_temp.id(p_name text) returns uuid language sql as $$ select id from xplane.managed_resources where name = p_name $$;
-- pg_auth_members as a DBA reads it: group:admin/inherit/set (inherit and set as PostgreSQL < 16 behaves: the member's INHERIT, SET always)
create function pg_temp.edges(p_member text) returns text[] language sql as $$
  select coalesce(array_agg(format('%s:%s/%s/%s', g.rolname, m.admin_option,
                   coalesce((to_jsonb(m) ->> 'inherit_option')::boolean, r.rolinherit), coalesce((to_jsonb(m) ->> 'set_option')::boolean, true))
                   order by g.rolname, m.admin_option), '{}')
    from pg_auth_members m join pg_roles g on g.oid = m.roleid join pg_roles r on r.oid = m.member
   where r.rolname = p_member
$$;
create function pg_temp.spec(p_extra jsonb default '[]') returns jsonb language sql as $$
  select jsonb_build_object('member_of', jsonb_build_array(pg_temp.n('g1')),
    'memberships', jsonb_build_array(jsonb_build_object('role', pg_temp.n('g2'), 'admin', true)) || p_extra)
$$;

create function pg_temp.count_members(p_group text, p_member text) returns int language sql as $$
  select count(*)::int from pg_auth_members m where m.roleid = (select oid from pg_roles where rolname = p_group)
     and m.member = (select oid from pg_roles where rolname = p_member)
$$;

-- Normalisation: one list of memberships (member_of), the options of those that are not a plain GRANT's.
select is(xplane.normalize_spec('Role', '{"member_of": ["b"], "memberships": [{"role": "a", "admin": true}, {"role": "b"}, {"role": "c", "set": true, "inherit": true}]}')
            - array['grants', 'members', 'login', 'superuser', 'createdb', 'createrole', 'replication', 'bypass_row_level_security', 'connection_limit', 'valid_until', 'settings', 'database_settings'],
  '{"member_of": ["a", "b", "c"], "inherit": true, "memberships": [{"role": "a", "admin": true, "inherit": true, "set": true}]}',
  'memberships merged into member_of; only options that differ from the defaults are kept');
select is(xplane.normalize_spec('Role', '{"inherit": false, "memberships": [{"role": "a"}, {"role": "b", "inherit": true}]}') -> 'memberships',
  '[{"role": "b", "admin": false, "inherit": true, "set": true}]', 'inherit defaults to the role''s own (what a plain GRANT gives)');
select is(xplane.normalize_spec('ServiceAccount', '{"database": "d", "memberships": [{"role": "a", "set": false}, {"role": "a", "set": false}]}') -> 'memberships',
  '[{"role": "a", "admin": false, "inherit": true, "set": false}]', 'service account: the same membership twice is merged');
select is(xplane.normalize_spec('Role', '{"member_of": ["a"]}') -> 'memberships', '[]', 'a 0.6.0 spec (member_of only): no options');
select is(pg_temp.err('Role', '{"memberships": [{"role": "a", "admin": true}, {"role": "a"}]}'),
  'Role.memberships[1]: the membership in "a" is declared twice with different options ({"set": true, "admin": true, "inherit": true} and {"set": true, "admin": false, "inherit": true})',
  'the same membership with different options is refused, at the second');
select is(pg_temp.err('Role', '{"memberships": [{"role": "a", "admin": "yes"}]}'), 'Role.memberships[0].admin: must be true or false, got "yes"', 'options are booleans');
select is(pg_temp.err('Role', '{"memberships": [{"admin": true}]}'), 'Role.memberships[0].role: is required: the role to be a member of', 'role is required');
select is(pg_temp.err('ServiceAccount', '{"database": "d", "memberships": [{"role": "a", "grantor": "x"}]}'),
  'ServiceAccount.memberships[0].grantor: unknown attribute (allowed: role, admin, inherit, set, granted_by)', 'unknown keys are refused');

select is(xplane.remote_exec('default', '', format('create role %I; create role %I; create role %I; create role %I',
  pg_temp.n('g1'), pg_temp.n('g2'), pg_temp.n('g3'), pg_temp.n('other'))), 'CREATE ROLE', 'groups made by hand');

-- Created with its options; observed as declared; no change on the next update.
select is((xplane.create_role(pg_temp.n('m'), pg_temp.spec())).status_code, 'success', 'a role with a membership WITH ADMIN OPTION');
select is(pg_temp.edges(pg_temp.n('m')), array[pg_temp.n('g1') || ':f/t/t', pg_temp.n('g2') || ':t/t/t'], 'pg_auth_members: admin on g2 only');
select is(xplane.observe_resource('Role', pg_temp.n('m'), pg_temp.spec()) - 'comment', xplane.normalize_spec('Role', pg_temp.spec()), 'observe equals the normalised spec');
select is((xplane.update_role(pg_temp.n('m'), pg_temp.spec())).status_code, 'no_change', 'update again: no_change');

-- WITH ADMIN OPTION by hand is drift; update revokes it (and only it).
select is(xplane.remote_exec('default', '', format('grant %I to %I with admin option', pg_temp.n('g1'), pg_temp.n('m'))), 'GRANT ROLE', 'WITH ADMIN OPTION by hand');
select is(xplane.spec_diff('Role', xplane.normalize_spec('Role', pg_temp.spec()), xplane.observe_resource('Role', pg_temp.n('m'), pg_temp.spec())),
  array['memberships'], 'seen: memberships differ');
select is((xplane.update_role(pg_temp.n('m'), pg_temp.spec())).status_code, 'updated', 'update heals it');
select is(pg_temp.edges(pg_temp.n('m')), array[pg_temp.n('g1') || ':f/t/t', pg_temp.n('g2') || ':t/t/t'], 'admin option revoked, membership kept');

-- Through the reconcile loop: the declared admin option revoked by hand comes back.
select isnt(xplane.apply('Role', pg_temp.n('r'), pg_temp.spec()), null, 'apply a role with options');
select is(xplane.remote_exec('default', '', format('revoke admin option for %I from %I', pg_temp.n('g2'), pg_temp.n('r'))), 'REVOKE ROLE', 'admin option revoked by hand');
select is((xplane.reconcile(pg_temp.id(pg_temp.n('r')))).status_code, 'updated', 'reconcile sees and heals it');
select is(pg_temp.edges(pg_temp.n('r')), array[pg_temp.n('g1') || ':f/t/t', pg_temp.n('g2') || ':t/t/t'], 'admin option back');

-- inherit and set: PostgreSQL 16+; refused, clearly and before any change, on older servers.
select is((xplane.update_role(pg_temp.n('m'), pg_temp.spec(jsonb_build_array(jsonb_build_object('role', pg_temp.n('g3'), 'inherit', false, 'set', false))))).status_code,
  case when pg_temp.v16() then 'updated' else 'error' end::xplane.status_code, 'a membership with inherit = false, set = false');
select is(pg_temp.edges(pg_temp.n('m')),
  case when pg_temp.v16() then array[pg_temp.n('g1') || ':f/t/t', pg_temp.n('g2') || ':t/t/t', pg_temp.n('g3') || ':f/f/f']
       else array[pg_temp.n('g1') || ':f/t/t', pg_temp.n('g2') || ':t/t/t'] end,
  'PostgreSQL 16+: granted WITH INHERIT FALSE, SET FALSE; before: nothing changed');
select is((xplane.create_role(pg_temp.n('new'), jsonb_build_object('memberships', jsonb_build_array(jsonb_build_object('role', pg_temp.n('g3'), 'set', false))))).message
            like '%needs PostgreSQL 16 or later%',
  not pg_temp.v16(), 'create: PostgreSQL < 16 says that set needs 16');
select case when pg_temp.v16() then is(xplane.remote_exec('default', '', format('grant %I to %I with inherit true, set true', pg_temp.n('g3'), pg_temp.n('m'))),
                                       'GRANT ROLE', 'INHERIT TRUE, SET TRUE by hand')
            else skip('inherit and set options need PostgreSQL 16', 1) end;
select case when pg_temp.v16() then is((xplane.update_role(pg_temp.n('m'), pg_temp.spec(jsonb_build_array(jsonb_build_object('role', pg_temp.n('g3'), 'inherit', false, 'set', false))))).status_code,
                                       'updated', 'update revokes them')
            else skip('inherit and set options need PostgreSQL 16', 1) end;

-- Several grantors (PostgreSQL 16+): an option any grantor gives counts; healing revokes each grantor's.
select case when pg_temp.v16() then is(xplane.remote_exec('default', '', format(
    'grant %1$I to %2$I with admin option; grant %1$I to %3$I with admin true granted by %2$I', pg_temp.n('g1'), pg_temp.n('other'), pg_temp.n('m'))),
    'GRANT ROLE', 'a second grant of g1, WITH ADMIN OPTION, by another grantor')
            else skip('several grantors need PostgreSQL 16', 1) end;
select case when pg_temp.v16() then is(xplane.spec_diff('Role', xplane.normalize_spec('Role', pg_temp.spec(jsonb_build_array(jsonb_build_object('role', pg_temp.n('g3'), 'inherit', false, 'set', false)))),
    xplane.observe_resource('Role', pg_temp.n('m'), pg_temp.spec(jsonb_build_array(jsonb_build_object('role', pg_temp.n('g3'), 'inherit', false, 'set', false))))),
    array['memberships'], 'seen')
            else skip('several grantors need PostgreSQL 16', 1) end;
select case when pg_temp.v16() then is((xplane.update_role(pg_temp.n('m'), pg_temp.spec(jsonb_build_array(jsonb_build_object('role', pg_temp.n('g3'), 'inherit', false, 'set', false))))).status_code,
    'updated', 'healed')
            else skip('several grantors need PostgreSQL 16', 1) end;
select is((select count(*)::int from pg_auth_members m where m.member = (select oid from pg_roles where rolname = pg_temp.n('m'))
             and m.roleid = (select oid from pg_roles where rolname = pg_temp.n('g1')) and m.admin_option), 0, 'no grant of g1 to m carries ADMIN any more');

-- Role.members: memberships in this role managed one by one, not authoritatively; the member's
-- own authoritative member_of leaves them alone.
select is(xplane.normalize_spec('Role', '{"members": [{"role": "b", "admin": true}, {"role": "a"}, {"role": "a", "set": true}]}') -> 'members',
  '[{"role": "a", "admin": false, "inherit": null, "set": true}, {"role": "b", "admin": true, "inherit": null, "set": true}]',
  'members: sorted, merged, inherit not managed unless set');
select is(pg_temp.err('Role', '{"members": [{"role": "a"}, {"role": "a", "admin": true}]}'),
  'Role.members[1]: the member "a" is declared twice with different options ({"set": true, "admin": false, "inherit": null} and {"set": true, "admin": true, "inherit": null})',
  'members: the same member with different options is refused, at the second');
select is(pg_temp.err('ServiceAccount', '{"database": "d", "members": []}'),
  'ServiceAccount.members: unknown attribute (allowed: database, password, schemas, grants, member_of, memberships, comment, login, superuser, createdb, createrole, replication, bypass_row_level_security, inherit, connection_limit, valid_until, settings, database_settings)',
  'members is a role''s, not a service account''s');
-- shared: a role with an authoritative member_of (another stack's, say), member of g1 only
select isnt(xplane.apply('Role', pg_temp.n('shared'), jsonb_build_object('member_of', jsonb_build_array(pg_temp.n('g1')))), null, 'the shared role, member_of = [g1]');
select isnt(xplane.apply('Role', pg_temp.n('readers'), jsonb_build_object('members', jsonb_build_array(jsonb_build_object('role', pg_temp.n('shared'), 'admin', true)))),
  null, 'readers: members = [shared WITH ADMIN OPTION]');
select is(pg_temp.edges(pg_temp.n('shared')), array[pg_temp.n('g1') || ':f/t/t', pg_temp.n('readers') || ':t/t/t'], 'pg_auth_members: shared is in g1 and in readers (admin)');
select is((xplane.reconcile(pg_temp.id(pg_temp.n('shared')))).status_code, 'no_change', 'shared''s authoritative member_of leaves readers'' membership alone');
select is(xplane.observe_resource('Role', pg_temp.n('shared'), jsonb_build_object('member_of', jsonb_build_array(pg_temp.n('g1')))) -> 'member_of',
  jsonb_build_array(pg_temp.n('g1')), 'and does not observe it as its own');
select is(xplane.remote_exec('default', '', format('grant %I to %I', pg_temp.n('g2'), pg_temp.n('shared'))), 'GRANT ROLE', 'a membership in g2 by hand');
select is((xplane.reconcile(pg_temp.id(pg_temp.n('shared')))).status_code, 'updated', 'is still revoked by shared''s member_of');
select is(pg_temp.edges(pg_temp.n('shared')), array[pg_temp.n('g1') || ':f/t/t', pg_temp.n('readers') || ':t/t/t'], 'g2 revoked, readers kept');
-- drift on the managed member: its admin option revoked by hand, healed by readers' reconcile
select is(xplane.remote_exec('default', '', format('revoke admin option for %I from %I', pg_temp.n('readers'), pg_temp.n('shared'))), 'REVOKE ROLE', 'admin option revoked by hand');
select is(xplane.spec_diff('Role', xplane.normalize_spec('Role', jsonb_build_object('members', jsonb_build_array(jsonb_build_object('role', pg_temp.n('shared'), 'admin', true)))),
  xplane.observe_resource('Role', pg_temp.n('readers'), jsonb_build_object('members', jsonb_build_array(jsonb_build_object('role', pg_temp.n('shared'), 'admin', true))))),
  array['members'], 'seen on readers');
select is((xplane.reconcile(pg_temp.id(pg_temp.n('readers')))).status_code, 'updated', 'healed by reconcile');
-- a member removed from the list: revoked (only that membership)
select isnt(xplane.apply('Role', pg_temp.n('readers'), '{"members": []}'), null, 'readers: members = []');
select is(pg_temp.count_members(pg_temp.n('readers'), pg_temp.n('shared')), 0, 'shared is no longer a member of readers; its other memberships stay');

select xplane.delete('Role', pg_temp.n('r'));
select xplane.delete('Role', pg_temp.n('readers'));
select xplane.delete('Role', pg_temp.n('shared'));
-- memberships_plain (role_states' shortcut) agrees with memberships_not_default on every
-- combination of options (true, false, absent), granted_by or not, one or two memberships,
-- and each p_inherit
select is((select count(*) from (
    select jsonb_strip_nulls(jsonb_build_object('admin', a, 'inherit', i, 'set', s, 'granted_by', g)) as o
      from (values (true), (false), (null)) va(a), (values (true), (false), (null)) vi(i),
           (values (true), (false), (null)) vs(s), (values ('x'), (null)) vg(g)) one,
    (select jsonb_strip_nulls(jsonb_build_object('admin', a, 'set', s)) as o
       from (values (true), (false), (null)) va(a), (values (true), (false), (null)) vs(s)) two,
    (values (true), (false), (null)) pi(inh),
    lateral (values (jsonb_build_object('r1', one.o)), (jsonb_build_object('r1', one.o, 'r2', two.o))) e(edges)
   where xplane.memberships_plain(e.edges, pi.inh) is distinct from (xplane.memberships_not_default(e.edges, pi.inh) = '[]'::jsonb)),
  0::bigint, 'memberships_plain says exactly when memberships_not_default finds nothing');

select xplane.delete_role(pg_temp.n('m'), '{}');
select xplane.delete_role(pg_temp.n('new'), '{}');
select xplane.remote_exec('default', '', format('drop role %I; drop role %I; drop role %I; drop role %I',
  pg_temp.n('g1'), pg_temp.n('g2'), pg_temp.n('g3'), pg_temp.n('other')));
select * from finish();
