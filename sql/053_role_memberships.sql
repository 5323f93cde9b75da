-- Memberships of Role and ServiceAccount: member_of with the options of `membership` blocks
-- (normalize_memberships, membership_statements), and a role's `members` managed one by one
-- (normalize_members, members_statements, xplane.member_edges), on the catalog read by
-- roles_catalog_sql (052_role_catalog.sql). docs/kinds/role.md, "Memberships".

create or replace function xplane.membership_entries(p_kind xplane.resource_kind, p_key text, p_list jsonb, p_inherit boolean,
                                                     p_role_is text, p_twice text)
returns jsonb language plpgsql stable set search_path = xplane, pg_catalog as $$
declare
  v_edges jsonb := '{}';
  v_e     jsonb;
  v_i     integer := 0;
  v_at    text;
  v_key   text;
  v_role  text;
  v_entry jsonb;
  v_by    text;
  -- granted_by: on memberships only (a role's members are granted by xp's role)
  v_keys  constant text[] := case when p_key = 'memberships' then array['role', 'admin', 'inherit', 'set', 'granted_by']
                                  else array['role', 'admin', 'inherit', 'set'] end;
begin
  -- A list of {role, admin, inherit, set[, granted_by]} (the spec key p_key: memberships or
  -- members; granted_by only on memberships), validated at p_key[i], as {role: {role, admin
  -- (false), inherit (p_inherit when not given), set (true)[, granted_by]}}. p_role_is: what
  -- `role` names, for its error; p_twice: the format (%s: the role) of the error for a role
  -- listed twice with different options.
  if jsonb_typeof(p_list) <> 'array' then
    perform xplane.invalid_spec(p_kind, p_key, 'must be a list of {role, admin, inherit, set}');
  end if;
  for v_e in select value from jsonb_array_elements(p_list) loop
    v_at := format('%s[%s]', p_key, v_i);
    v_i := v_i + 1;
    if jsonb_typeof(v_e) <> 'object' then
      perform xplane.invalid_spec(p_kind, v_at, 'must be an object {role, admin, inherit, set}');
    end if;
    select min(k) into v_key from jsonb_object_keys(v_e) k where not k = any (v_keys);
    if v_key is not null then
      perform xplane.invalid_spec(p_kind, v_at || '.' || v_key, format('unknown attribute (allowed: %s)', array_to_string(v_keys, ', ')));
    end if;
    if jsonb_typeof(v_e -> 'role') is distinct from 'string' then
      perform xplane.invalid_spec(p_kind, v_at || '.role', 'is required: ' || p_role_is);
    end if;
    v_role := v_e ->> 'role';
    if xplane.identifier_problem(v_role) is not null then
      perform xplane.invalid_spec(p_kind, v_at || '.role', format('%s %s', v_e -> 'role', xplane.identifier_problem(v_role)));
    end if;
    foreach v_key in array array['admin', 'inherit', 'set'] loop
      if jsonb_typeof(v_e -> v_key) not in ('boolean', 'null') then
        perform xplane.invalid_spec(p_kind, v_at || '.' || v_key, format('must be true or false, got %s', v_e -> v_key));
      end if;
    end loop;
    v_entry := jsonb_build_object('role', v_role,
      'admin', coalesce((v_e ->> 'admin')::boolean, false),
      'inherit', coalesce((v_e ->> 'inherit')::boolean, p_inherit),
      'set', coalesce((v_e ->> 'set')::boolean, true));
    -- granted_by: the role recorded as the grantor (GRANT … GRANTED BY it); null: xp's role
    v_by := case when v_e ? 'granted_by'
                 then xplane.spec_identifier(p_kind, jsonb_build_object(v_at || '.granted_by', v_e -> 'granted_by'), v_at || '.granted_by', null, true) end;
    if v_by is not null then
      v_entry := v_entry || jsonb_build_object('granted_by', v_by);
    end if;
    if v_edges ? v_role and v_edges -> v_role <> v_entry then
      perform xplane.invalid_spec(p_kind, v_at, format(p_twice || ' is declared twice with different options (%s and %s)',
        to_jsonb(v_role), (v_edges -> v_role) - 'role', v_entry - 'role'));
    end if;
    v_edges := v_edges || jsonb_build_object(v_role, v_entry);
  end loop;
  return v_edges;
end
$$;
comment on function xplane.membership_entries(xplane.resource_kind, text, jsonb, boolean, text, text) is
  'The one check of a list of memberships {role, admin, inherit, set} (memberships, members; granted_by on memberships only): located errors, defaults filled (inherit p_inherit), the same role twice with different options refused; as {role: entry}.';

create or replace function xplane.normalize_memberships(p_kind xplane.resource_kind, p_spec jsonb)
returns jsonb language plpgsql stable set search_path = xplane, pg_catalog as $$
declare
  v_member_of jsonb := xplane.spec_identifier_set(p_kind, p_spec, 'member_of');
  v_list      jsonb := p_spec -> 'memberships';
  v_inherit   boolean := xplane.spec_bool(p_kind, p_spec, 'inherit', true);
  v_edges     jsonb;
begin
  -- member_of: every membership (authoritative), sorted. memberships: the options of those
  -- whose options are not the defaults (admin false, inherit as the role's own INHERIT, set
  -- true: what a plain GRANT gives), sorted by role. A membership in both is merged (member_of
  -- says nothing about options); one listed twice with different options is refused.
  if v_list is null or v_list = 'null'::jsonb or v_list = '[]'::jsonb then
    return jsonb_build_object('member_of', v_member_of, 'memberships', '[]'::jsonb);
  end if;
  v_edges := xplane.membership_entries(p_kind, 'memberships', v_list, v_inherit, 'the role to be a member of', 'the membership in %s');
  return jsonb_build_object(
    'member_of', (select jsonb_agg(r order by r collate "C")
                    from (select jsonb_array_elements_text(v_member_of) r union select jsonb_object_keys(v_edges)) x),
    'memberships', xplane.memberships_not_default(v_edges, v_inherit));
end
$$;
comment on function xplane.normalize_memberships(xplane.resource_kind, jsonb) is
  'member_of (every membership, sorted) and memberships (the options {role, admin, inherit, set} of those whose options differ from a plain GRANT''s: admin false, inherit as the role''s INHERIT, set true; sorted by role) of a Role or ServiceAccount spec, validated.';

create or replace function xplane.memberships_plain(p_edges jsonb, p_inherit boolean)
returns boolean language sql immutable parallel safe as $$
  -- Whether every membership has what a plain GRANT gives (admin false, inherit = p_inherit,
  -- set true; null options: the defaults) and no granted_by: memberships_not_default keeps the
  -- others. An expression PostgreSQL inlines: role_states asks it of every role first, most of
  -- which have only plain memberships (test/sql/role_memberships.sql checks the two agree).
  select not jsonb_path_exists(coalesce(p_edges, '{}'::jsonb), (case
    when p_inherit then '$.* ? (@.admin == true || @.set == false || @.inherit == false || exists(@.granted_by))'
    when not p_inherit then '$.* ? (@.admin == true || @.set == false || @.inherit == true || exists(@.granted_by))'
    else '$.* ? (@.admin == true || @.set == false || @.inherit != null || exists(@.granted_by))' end)::jsonpath)
$$;
comment on function xplane.memberships_plain(jsonb, boolean) is
  'Whether every membership of {role: {admin, inherit, set[, granted_by]}} is a plain GRANT''s (memberships_not_default of them is empty), as one inlined expression.';

create or replace function xplane.memberships_not_default(p_edges jsonb, p_inherit boolean)
returns jsonb language sql immutable parallel safe as $$
  -- p_edges: {role: {admin, inherit, set}} (null options: the defaults). The ones that are not
  -- what a plain GRANT gives, as [{role, admin, inherit, set}] sorted by role: the one shape of
  -- memberships, desired (normalize_memberships) and observed (role_states).
  -- A membership with granted_by (declared, or observed where it is declared) is kept whatever
  -- its options. Which are plain: memberships_plain, the one rule.
  select coalesce(jsonb_agg(e order by e ->> 'role' collate "C"), '[]'::jsonb)
    from (select jsonb_build_object('role', o.key,
                   'admin', coalesce((o.value ->> 'admin')::boolean, false),
                   'inherit', coalesce((o.value ->> 'inherit')::boolean, p_inherit),
                   'set', coalesce((o.value ->> 'set')::boolean, true))
                 || case when o.value ? 'granted_by' then jsonb_build_object('granted_by', o.value -> 'granted_by') else '{}'::jsonb end as e
            from jsonb_each(coalesce(p_edges, '{}'::jsonb)) o
           where not xplane.memberships_plain(jsonb_build_object(o.key, o.value), p_inherit)) x
$$;
comment on function xplane.memberships_not_default(jsonb, boolean) is
  'Of memberships {role: {admin, inherit, set[, granted_by]}}, those whose options differ from a plain GRANT''s (admin false, inherit = p_inherit, set true) or that carry granted_by, as [{role, admin, inherit, set[, granted_by]}] sorted by role.';

create or replace function xplane.memberships_observed(p_options jsonb, p_desired jsonb, p_inherit boolean)
returns jsonb language sql immutable parallel safe set search_path = xplane, pg_catalog as $$
  -- The observed memberships of a role (p_options: the catalog's member_options, {group:
  -- {admin, inherit, set, grantors, …}}), in the shape of the desired ones (p_desired:
  -- normalize_memberships' memberships). granted_by is observed where it is declared: the
  -- grantor when one role granted the membership, else the grantors (sorted), so that a grant
  -- by another role (xp's, by hand) shows as a difference. Not declared: not observed (as
  -- before granted_by existed).
  select xplane.memberships_not_default(case when not coalesce(p_desired @? '$[*].granted_by', false) then p_options
    else (select jsonb_object_agg(o.key, case when d.value is null then o.value
                   else o.value || jsonb_build_object('granted_by',
                     case when jsonb_array_length(coalesce(o.value -> 'grantors', '[]')) = 1 then o.value -> 'grantors' -> 0
                          else (select coalesce(jsonb_agg(g order by g collate "C"), '[]'::jsonb)
                                  from jsonb_array_elements_text(coalesce(o.value -> 'grantors', '[]')) g) end) end)
            from jsonb_each(p_options) o
            left join jsonb_array_elements(p_desired) d(value) on d.value ->> 'role' = o.key and d.value ? 'granted_by') end,
    p_inherit)
$$;
comment on function xplane.memberships_observed(jsonb, jsonb, boolean) is
  'The observed memberships [{role, admin, inherit, set[, granted_by]}] of a role from the catalog''s member_options: memberships_not_default, with granted_by (the grantor, or the sorted grantors when several) where p_desired declares one.';

create or replace function xplane.membership_edge_statements(p_group text, p_member text, p_want jsonb, p_observed jsonb,
                                                             p_version integer, p_default_inherit boolean)
returns text[] language plpgsql stable set search_path = xplane, pg_catalog as $$
declare
  v_stmts text[] := '{}';
  v_with  text[];
  v_key   text;
  v_grant boolean := false;
  v_by    text := p_want ->> 'granted_by';
  v_as    text := case when p_want ? 'granted_by' then format(' granted by %I', p_want ->> 'granted_by') else '' end;
  v_before text[] := '{}';
  v_after  text[] := '{}';
begin
  -- One membership (p_member in p_group): GRANT it with the options p_want {admin, inherit, set}
  -- asks for, or bring the options of the existing one (p_observed: {admin, inherit, set,
  -- <option>_by: grantors, grantors}, null when absent) to them. inherit null: not managed. p_default_inherit:
  -- what a plain GRANT gives (null: not known, named whenever inherit is managed). p_version
  -- null: not known (then the options of PostgreSQL 16 are named only when they differ).
  -- p_want.granted_by: the membership is held by that role's grant alone (docs/kinds/role.md,
  -- "granted_by"): granted GRANTED BY it, its options brought to p_want; the grants of other
  -- grantors revoked after (PostgreSQL 16+), or replaced (before 16: one grant per membership).
  if p_version < 160000 and ((p_want ->> 'inherit') is not null and (p_want ->> 'inherit')::boolean is distinct from coalesce(p_default_inherit, (p_observed ->> 'inherit')::boolean)
                             or not (p_want ->> 'set')::boolean) then
    raise exception using errcode = 'feature_not_supported',
      message = format('membership of "%s" in "%s" with inherit = %s, set = %s needs PostgreSQL 16 or later (this server is %s: a membership inherits as the member''s own inherit says, and always allows SET ROLE)',
                       p_member, p_group, coalesce(p_want ->> 'inherit', 'not set'), p_want ->> 'set', p_version / 10000),
      hint = 'Leave inherit out (or make it the member''s own inherit) and set = true, or upgrade the server.';
  end if;
  if v_by is not null and p_observed is not null then
    if p_version >= 160000 then
      v_after := array(select format('revoke %I from %I granted by %I', p_group, p_member, g)
                         from jsonb_array_elements_text(coalesce(p_observed -> 'grantors', '[]')) g where g <> v_by order by 1);
    end if;
    if coalesce(p_observed -> 'grantors', '[]') ? v_by then
      -- the options of v_by's own grant
      p_observed := jsonb_build_object('admin', coalesce(p_observed -> 'admin_by', '[]') ? v_by,
                                       'admin_by', jsonb_build_array(v_by))
        || case when p_version >= 160000 then jsonb_build_object(
             'inherit', coalesce(p_observed -> 'inherit_by', '[]') ? v_by, 'inherit_by', jsonb_build_array(v_by),
             'set', coalesce(p_observed -> 'set_by', '[]') ? v_by, 'set_by', jsonb_build_array(v_by)) else '{}'::jsonb end;
    elsif p_version >= 160000 then
      p_observed := null;                         -- a new grant, by v_by, next to the others (revoked after)
    else
      v_before := array[format('revoke %I from %I', p_group, p_member)];   -- one grant per membership: replaced
      p_observed := null;
    end if;
  end if;
  if p_observed is null then
    -- a new membership: a plain GRANT gives the defaults; name only the options that differ
    v_with := array_remove(array[
      case when (p_want ->> 'admin')::boolean then 'admin true' end,
      case when (p_want ->> 'inherit') is not null and (p_want ->> 'inherit')::boolean is distinct from p_default_inherit
           then format('inherit %s', p_want ->> 'inherit') end,
      case when not (p_want ->> 'set')::boolean then 'set false' end], null);
    return xplane.membership_grantor_check(v_by, p_group) || v_before || (format('grant %I to %I', p_group, p_member) || case
      when cardinality(v_with) = 0 then ''
      when v_with = array['admin true'] then ' with admin option'       -- every version
      else ' with ' || array_to_string(v_with, ', ') end || v_as) || v_after;
  end if;
  -- an existing one: the options that differ (on PostgreSQL < 16 only admin exists)
  foreach v_key in array case when p_version >= 160000 then array['admin', 'inherit', 'set'] else array['admin'] end loop
    continue when (p_want ->> v_key) is null or coalesce((p_observed ->> v_key)::boolean, v_key = 'set') = (p_want ->> v_key)::boolean;
    if (p_want ->> v_key)::boolean then
      v_grant := true;
    elsif p_version >= 160000 then
      -- each grantor's grant (PostgreSQL 16+ keeps one per grantor; REVOKE removes only the current role's)
      v_stmts := v_stmts || array(select format('revoke %s option for %I from %I granted by %I', v_key, p_group, p_member, g)
                                    from jsonb_array_elements_text(coalesce(p_observed -> (v_key || '_by'), '[]')) g order by 1);
    else
      v_stmts := v_stmts || format('revoke admin option for %I from %I', p_group, p_member);
    end if;
  end loop;
  if v_grant then
    v_stmts := v_stmts || (case when p_version >= 160000
      -- every managed option named: a new grant of the current role must not bring a default back
      then format('grant %I to %I with admin %s, ', p_group, p_member, p_want ->> 'admin')
           || coalesce('inherit ' || (p_want ->> 'inherit') || ', ', '') || format('set %s', p_want ->> 'set')
      else format('grant %I to %I with admin option', p_group, p_member) end || v_as);
  end if;
  if v_by is not null and cardinality(v_stmts) > 0 then
    v_stmts := xplane.membership_grantor_check(v_by, p_group) || v_stmts;
  end if;
  return v_stmts || v_after;
end
$$;
comment on function xplane.membership_edge_statements(text, text, jsonb, jsonb, integer, boolean) is
  'GRANT / REVOKE … OPTION FOR [GRANTED BY each grantor] for one membership (p_member in p_group): granted with the options asked for when absent, its options brought to them when present; with granted_by, granted and changed GRANTED BY that role (after membership_grantor_check) and the other grantors'' grants revoked. inherit/set options on PostgreSQL < 16: feature_not_supported. Shared by member_of / memberships and members.';

create or replace function xplane.membership_grantor_check(p_grantor text, p_group text)
returns text[] language sql immutable parallel safe set search_path = xplane, pg_catalog as $$
  -- Before a GRANT … GRANTED BY p_grantor of a membership in p_group (p_grantor null: none):
  -- grantor_check_sql (xp's role may act as it, the same check and message as a grant's
  -- granted_by), and what PostgreSQL asks of the grantor, with a clear error instead of its
  -- own: on 16+, ADMIN OPTION on p_group (a superuser has it); before 16, only a superuser may
  -- name a grantor other than itself.
  select case when p_grantor is null then '{}'::text[] else array[xplane.grantor_check_sql(p_grantor, jsonb_build_array(
    jsonb_build_object(
      'sql', format($s$(pg_catalog.current_setting('server_version_num')::int < 160000 or pg_catalog.pg_has_role(%L, %L, 'MEMBER WITH ADMIN OPTION'))$s$, p_grantor, p_group),
      'message', format('granted_by = %s: %s does not hold ADMIN OPTION on role %s, so it cannot grant it', p_grantor, p_grantor, p_group),
      'hint', format('make %s a member of %s with admin = true first (a membership block), or name another grantor', p_grantor, p_group)),
    jsonb_build_object(
      'sql', format($s$(pg_catalog.current_setting('server_version_num')::int >= 160000 or current_user = %L or (select rolsuper from pg_catalog.pg_roles where rolname = current_user))$s$, p_grantor),
      'message', format('granted_by = %s: before PostgreSQL 16 only a superuser may record another role as the grantor of a membership, and xp''s role is not one', p_grantor),
      'hint', 'connect as a superuser, leave granted_by out (xp''s role grants it), or upgrade the server')))] end
$$;
comment on function xplane.membership_grantor_check(text, text) is
  'The check run before a membership is granted GRANTED BY p_grantor (none when null): grantor_check_sql, with ADMIN OPTION on the group (16+) and a superuser (before 16) asked of it.';

create or replace function xplane.membership_revoke_statements(p_group text, p_member text, p_grantors jsonb)
returns text[] language sql immutable parallel safe as $$
  -- PostgreSQL 16+ keeps one membership per grantor, and REVOKE only removes the current
  -- role's: revoke each grantor's (GRANTED BY). p_grantors null: before 16, one revoke.
  select case when jsonb_typeof(p_grantors) = 'array'
    then array(select format('revoke %I from %I granted by %I', p_group, p_member, g) from jsonb_array_elements_text(p_grantors) g order by 1)
    else array[format('revoke %I from %I', p_group, p_member)] end
$$;
comment on function xplane.membership_revoke_statements(text, text, jsonb) is
  'REVOKE group FROM member [GRANTED BY each grantor (PostgreSQL 16+)]: the statements that remove a membership whoever granted it.';

create or replace function xplane.membership_statements(p_name text, p_desired jsonb, p_observed jsonb)
returns text[] language plpgsql stable set search_path = xplane, pg_catalog as $$
declare
  v_version integer := (p_observed ->> 'server_version_num')::integer;
  v_inherit boolean := coalesce((p_desired ->> 'inherit')::boolean, true);
  v_stmts   text[] := '{}';
  v_role    text;
  v_held    boolean;
begin
  -- GRANT / REVOKE turning the observed memberships of a role (catalog: member_of,
  -- member_options, member_grantors) into the desired ones (member_of, memberships). A
  -- membership managed by another role's `members` (managed_elsewhere) and not desired here is
  -- left alone.
  for v_role in select jsonb_array_elements_text(p_desired -> 'member_of') order by 1 loop
    v_held := coalesce(p_observed -> 'member_of', '[]') ? v_role;
    v_stmts := v_stmts || xplane.membership_edge_statements(v_role, p_name,
      coalesce((select m - 'role' from jsonb_array_elements(coalesce(p_desired -> 'memberships', '[]')) m where m ->> 'role' = v_role),
               jsonb_build_object('admin', false, 'inherit', v_inherit, 'set', true)),
      case when v_held then coalesce(p_observed -> 'member_options' -> v_role, '{}') end, v_version, v_inherit);
  end loop;
  for v_role in select jsonb_array_elements_text(coalesce(p_observed -> 'member_of', '[]'))
                except select jsonb_array_elements_text(p_desired -> 'member_of')
                except select jsonb_array_elements_text(coalesce(p_observed -> 'managed_elsewhere', '[]')) order by 1 loop
    v_stmts := v_stmts || xplane.membership_revoke_statements(v_role, p_name, p_observed -> 'member_grantors' -> v_role);
  end loop;
  return v_stmts;
end
$$;
comment on function xplane.membership_statements(text, jsonb, jsonb) is
  'GRANT / REVOKE [… OPTION FOR] [GRANTED BY each grantor] turning the observed memberships of a role (catalog: member_of, member_options, member_grantors, managed_elsewhere, server_version_num) into the desired ones (member_of, memberships); memberships managed by another role''s members are left alone.';

-- The members each role manages one by one (its `members`) as of its last successful apply: a
-- member removed from the list is revoked, and the member's own authoritative member_of (in any
-- stack of this control database) leaves these memberships alone.
create table if not exists xplane.member_edges (
  provider_config text not null,
  role_name       text not null,
  member          text not null,
  primary key (provider_config, role_name, member)
);
create index if not exists member_edges_member on xplane.member_edges (provider_config, member);
comment on table xplane.member_edges is 'The members (role_name''s `members`) each managed role granted itself to at its last successful apply.';
revoke all on table xplane.member_edges from public;

create or replace function xplane.member_edges_record(p_provider_config text, p_role text, p_members jsonb)
returns void language plpgsql volatile set search_path = xplane, pg_catalog as $$
begin
  delete from xplane.member_edges where provider_config = p_provider_config and role_name = p_role;
  insert into xplane.member_edges (provider_config, role_name, member)
  select distinct p_provider_config, p_role, m ->> 'role' from jsonb_array_elements(coalesce(p_members, '[]')) m
  on conflict do nothing;
end
$$;
comment on function xplane.member_edges_record(text, text, jsonb) is
  'Records the members a role now manages (after a successful create/update); p_members null or [] forgets them (after a drop).';

create or replace function xplane.normalize_members(p_spec jsonb)
returns jsonb language plpgsql stable set search_path = xplane, pg_catalog as $$
declare
  v_list jsonb := p_spec -> 'members';
begin
  -- Role.members: [{role (the member), admin, inherit, set}], sorted by role; inherit null
  -- (not set) is not managed: the member's own. The same member twice with different options
  -- is refused.
  if v_list is null or v_list = 'null'::jsonb or v_list = '[]'::jsonb then
    return '[]'::jsonb;
  end if;
  return (select jsonb_agg(e.value order by e.key collate "C")
            from jsonb_each(xplane.membership_entries('Role', 'members', v_list, null, 'the role to grant this role to', 'the member %s')) e);
end
$$;
comment on function xplane.normalize_members(jsonb) is
  'Role.members (the memberships in this role it manages one by one, not authoritatively) validated: [{role, admin (false), inherit (null: not managed), set (true)}] sorted by role.';

create or replace function xplane.members_observed(p_edges jsonb, p_desired jsonb, p_previous jsonb)
returns jsonb language sql immutable parallel safe as $$
  -- The observed Role.members: of the members desired or granted at the last apply
  -- (p_previous, names), those that are members now (p_edges: catalog members_edges), with
  -- their options; inherit only where the desired member manages it.
  select coalesce(jsonb_agg(jsonb_build_object('role', n.name,
           'admin', coalesce((e.value ->> 'admin')::boolean, false),
           'inherit', case when d.value ->> 'inherit' is not null then e.value -> 'inherit' else 'null'::jsonb end,
           'set', coalesce((e.value ->> 'set')::boolean, true)) order by n.name collate "C"), '[]'::jsonb)
    from (select m ->> 'role' as name from jsonb_array_elements(coalesce(p_desired, '[]')) m
          union select jsonb_array_elements_text(coalesce(p_previous, '[]'))) n
    join jsonb_each(coalesce(p_edges, '{}'::jsonb)) e on e.key = n.name
    left join jsonb_array_elements(coalesce(p_desired, '[]')) d(value) on d.value ->> 'role' = n.name
$$;
comment on function xplane.members_observed(jsonb, jsonb, jsonb) is
  'Role.members as observed: the desired and previously managed members that are members now, with their options (inherit only where managed), sorted by role.';

create or replace function xplane.members_statements(p_name text, p_desired jsonb, p_observed jsonb)
returns text[] language plpgsql stable set search_path = xplane, pg_catalog as $$
declare
  v_version integer := (p_observed ->> 'server_version_num')::integer;
  v_stmts   text[] := '{}';
  v_m       jsonb;
  v_member  text;
begin
  -- Role.members: each desired member granted this role with its options; a member granted
  -- at the last apply (previous_members) and no longer desired, revoked (every grantor's).
  -- Members granted otherwise are not this role's business.
  for v_m in select m from jsonb_array_elements(coalesce(p_desired -> 'members', '[]')) m order by m ->> 'role' loop
    v_stmts := v_stmts || xplane.membership_edge_statements(p_name, v_m ->> 'role', v_m - 'role',
      p_observed -> 'members_edges' -> (v_m ->> 'role'), v_version, null);
  end loop;
  for v_member in select jsonb_array_elements_text(coalesce(p_observed -> 'previous_members', '[]'))
                  except select m ->> 'role' from jsonb_array_elements(coalesce(p_desired -> 'members', '[]')) m order by 1 loop
    continue when not coalesce(p_observed -> 'members_edges', '{}') ? v_member;
    v_stmts := v_stmts || xplane.membership_revoke_statements(p_name, v_member, p_observed -> 'members_edges' -> v_member -> 'grantors');
  end loop;
  return v_stmts;
end
$$;
comment on function xplane.members_statements(text, jsonb, jsonb) is
  'GRANT this role TO each desired member with its options (membership_edge_statements), REVOKE it from the members granted at the last apply that are no longer desired.';
