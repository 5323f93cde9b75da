-- What Role and ServiceAccount share: the one cluster-wide catalog read for a batch of roles,
-- normalisation of member_of / settings / valid_until, the ALTER ROLE delta, and dropping a
-- role that owns objects or holds privileges in several databases.

create or replace function xplane.roles_catalog_sql()
returns text language sql immutable parallel safe as $$
  -- pg_roles, not pg_authid: readable without superuser (password_fingerprints reads pg_authid
  -- apart, only as a superuser). Settings: database-independent ("settings") and per database
  -- ("database_settings": {database: {name: value}}).
  -- $1: the role names (text[]); $2: those of them whose members (members_edges) to read (text[]);
  -- remote_query arguments.
  -- Joins, not a subquery per role: a batch holds a thousand roles or more.
  select $q$(with r as (select * from pg_catalog.pg_roles where rolname = any ($1::text[])),
  -- inherit_option and set_option exist from PostgreSQL 16 on. A natural left join with a row
  -- of nulls so named reads them where they exist (the join then matches on them, never,
  -- and keeps the catalog's value) and null before 16 (no common column: the nulls).
  am as (select * from pg_catalog.pg_auth_members natural left join (select null::boolean as inherit_option, null::boolean as set_option) v),
  ms as (select m.member, g.rolname::text as grp, pg_catalog.pg_get_userbyid(m.grantor)::text as grantor, m.admin_option as adm,
                m.inherit_option as inh, m.set_option as st
           from am m join pg_catalog.pg_roles g on g.oid = m.roleid
          where m.member in (select oid from r)),
  mem as (select member, json_agg(distinct (grp collate "C") order by (grp collate "C")) as member_of from ms group by member),
  grantors as (select member, json_object_agg(grp, grantors) as j
                 from (select member, grp, json_agg(distinct grantor) as grantors from ms group by member, grp) x group by member),
  -- per membership (several grantors on 16+): an option holds when any grant carries it (what
  -- PostgreSQL lets the member do), and the grantors whose grants carry it (to revoke it)
  -- the members of each role (its `members`: edges it manages one by one), with the member's
  -- own INHERIT (what a membership inherits by before 16); only of the roles in $2 (those that
  -- declare members, or did at their last apply)
  mbs as (select m.roleid, mr.rolname::text as mem, pg_catalog.pg_get_userbyid(m.grantor)::text as grantor, m.admin_option as adm,
                 m.inherit_option as inh, m.set_option as st, mr.rolinherit as mem_inherit
            from am m join pg_catalog.pg_roles mr on mr.oid = m.member
           where m.roleid in (select oid from r where rolname = any ($2::text[]))),
  mbr as (select roleid, json_object_agg(mem, o) as j
            from (select roleid, mem, json_build_object('admin', bool_or(adm), 'inherit', coalesce(bool_or(inh), bool_or(mem_inherit)),
                           'set', coalesce(bool_or(st), true),
                           'admin_by', json_agg(distinct grantor) filter (where adm),
                           'inherit_by', json_agg(distinct grantor) filter (where inh),
                           'set_by', json_agg(distinct grantor) filter (where st),
                           'grantors', case when pg_catalog.current_setting('server_version_num')::int >= 160000 then json_agg(distinct grantor) end) as o
                    from mbs group by roleid, mem) x group by roleid),
  opts as (select member, json_object_agg(grp, o) as j
             from (select member, grp, json_build_object('admin', bool_or(adm), 'inherit', bool_or(inh), 'set', bool_or(st),
                            'admin_by', json_agg(distinct grantor) filter (where adm),
                            'inherit_by', json_agg(distinct grantor) filter (where inh),
                            'set_by', json_agg(distinct grantor) filter (where st),
                            'grantors', json_agg(distinct grantor)) as o
                     from ms group by member, grp) x group by member),
  sets as (select s.setrole, json_object_agg(split_part(c, '=', 1), substr(c, strpos(c, '=') + 1)) as j
             from pg_catalog.pg_db_role_setting s, unnest(s.setconfig) c
            where s.setrole in (select oid from r) and s.setdatabase = 0 group by s.setrole),
  dbsets1 as (select s.setrole, d.datname::text as db, json_object_agg(split_part(c, '=', 1), substr(c, strpos(c, '=') + 1)) as j
                from pg_catalog.pg_db_role_setting s join pg_catalog.pg_database d on d.oid = s.setdatabase, unnest(s.setconfig) c
               where s.setrole in (select oid from r) and s.setdatabase <> 0 group by s.setrole, d.datname),
  dbsets as (select setrole, json_object_agg(db, j) as j from dbsets1 group by setrole),
  deps as (select sd.refobjid, json_agg(distinct coalesce(d.datname::text, '') order by coalesce(d.datname::text, '')) as j
             from pg_catalog.pg_shdepend sd left join pg_catalog.pg_database d on d.oid = sd.dbid
            where sd.refclassid = 'pg_catalog.pg_authid'::regclass and sd.refobjid in (select oid from r)
              and sd.deptype in ('o', 'a', 'i', 'r') group by sd.refobjid),
  -- The databases where a role is named in an ACL (pg_shdepend 'a': as grantee or grantor; a
  -- database's own ACL is a shared object, dbid 0) other than those the batch reads ($3,
  -- text[]; null: not asked): role_batch_catalog reads them too, so that a grant made there by
  -- hand is seen (docs/kinds/role.md, "Authoritative, by deltas").
  -- {role: {database: [null]}}: the shape of grants_catalog_sql's "outside" (null: the database itself)
  aclout as (select x.rolname, json_object_agg(x.datname, json_build_array(null)) as dbs
               from (select distinct r.rolname::text as rolname, db.datname::text as datname
                       from pg_catalog.pg_shdepend sd join r on r.oid = sd.refobjid
                       join pg_catalog.pg_database db
                         on db.oid = case when sd.dbid <> 0 then sd.dbid when sd.classid = 'pg_catalog.pg_database'::regclass then sd.objid end
                      where $3::text[] is not null and sd.refclassid = 'pg_catalog.pg_authid'::regclass and sd.deptype = 'a'
                        and db.datallowconn and not db.datistemplate and not (db.datname::text = any ($3::text[]))) x
              group by 1)
  select json_build_object(
    'me', current_user::text,
    'superuser', (select rolsuper from pg_catalog.pg_roles where rolname = current_user),
    'server_version_num', pg_catalog.current_setting('server_version_num')::int,
    'databases', coalesce((select json_agg(datname::text order by datname) from pg_catalog.pg_database
                            where datallowconn and not datistemplate), '[]'::json),
    'acl_outside', coalesce((select json_object_agg(rolname, dbs) from aclout), '{}'::json),
    'roles', coalesce((select json_object_agg(r.rolname::text, json_build_object(
      'login', r.rolcanlogin,
      'superuser', r.rolsuper,
      'createdb', r.rolcreatedb,
      'createrole', r.rolcreaterole,
      'replication', r.rolreplication,
      'bypass_row_level_security', r.rolbypassrls,
      'inherit', r.rolinherit,
      'connection_limit', r.rolconnlimit,
      'valid_until', case when r.rolvaliduntil is null or r.rolvaliduntil = 'infinity' then null
                          when r.rolvaliduntil = '-infinity' then '-infinity'
                          else pg_catalog.to_char(r.rolvaliduntil at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') end,
      'member_of', coalesce(mem.member_of, '[]'::json),
      'member_grantors', case when pg_catalog.current_setting('server_version_num')::int >= 160000 then gr.j end,
      'member_options', coalesce(op.j, '{}'::json),
      'members_edges', coalesce(mb.j, '{}'::json),
      'settings', coalesce(sets.j, '{}'::json),
      'database_settings', coalesce(dbsets.j, '{}'::json),
      'comment', sd.description,
      'dependent_databases', coalesce(deps.j, '[]'::json)))
      from r left join mem on mem.member = r.oid
             left join grantors gr on gr.member = r.oid
             left join opts op on op.member = r.oid
             left join mbr mb on mb.roleid = r.oid
             left join sets on sets.setrole = r.oid
             left join dbsets on dbsets.setrole = r.oid
             left join pg_catalog.pg_shdescription sd on sd.objoid = r.oid and sd.classoid = 'pg_catalog.pg_authid'::regclass
             left join deps on deps.refobjid = r.oid), '{}'::json)))$q$::text
$$;
comment on function xplane.roles_catalog_sql() is
  'The one cluster-wide query (a json expression: built as text, which remote_query reads into jsonb) for a batch of roles: attributes, membership, settings, comment, the databases holding objects or privileges that depend on each role, and the list of databases that accept connections.';

create or replace function xplane.roles_catalog(p_provider_config text, p_roles text[], p_members_of text[], p_databases text[])
returns jsonb language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_cat     jsonb := xplane.remote_query(p_provider_config, '', xplane.roles_catalog_sql(),
                                         array[p_roles::text, p_members_of::text, p_databases::text]);
  v_prints  jsonb;
  v_flagged jsonb;
  v_status  text;
begin
  -- Passwords changed outside xp: of the roles whose verifier xp set (xplane.credentials,
  -- applied), compare a sha256 of the server's stored verifier (pg_authid.rolpassword, only
  -- readable by a superuser) with a sha256 of the one xp set. Only the fingerprints travel,
  -- and only "password changed outside xp" / "not checked" leaves this function, on the
  -- roles concerned (an account in sync carries no "password").
  -- Set-based, each jsonb unnested once: looking roles up in v_cat row by row copies the
  -- whole catalog per row (quadratic: a no-op plan of 1,000 accounts took half again as long).
  select jsonb_object_agg(c.role_name, encode(sha256(convert_to(c.verifier, 'UTF8')), 'hex'))
    into v_prints
    from xplane.credentials c join unnest(p_roles) k(name) on k.name = c.role_name
   where c.provider_config = p_provider_config and c.applied_at is not null;
  if v_prints is null then
    return v_cat;
  end if;
  if (v_cat ->> 'superuser')::boolean then
    -- the names whose verifier differs from xp's (or is gone): usually none
    v_flagged := xplane.remote_query(p_provider_config, '', $q$(
      select coalesce(pg_catalog.json_agg(e.key), '[]'::json)
        from pg_catalog.json_each_text($1::json) e
        join pg_catalog.pg_authid a on a.rolname = e.key
       where a.rolpassword is null
          or pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(a.rolpassword, 'UTF8')), 'hex') <> e.value)$q$,
      array[v_prints::text]);
    v_status := 'password changed outside xp';
  else
    v_flagged := (select jsonb_agg(k) from jsonb_object_keys(v_prints) k);
    v_status := 'not checked';
  end if;
  if jsonb_array_length(v_flagged) = 0 then
    return v_cat;
  end if;
  return jsonb_set(v_cat, '{roles}', (v_cat -> 'roles') || (
    select jsonb_object_agg(r.key, r.value || jsonb_build_object('password', v_status))
      from jsonb_each(v_cat -> 'roles') r join jsonb_array_elements_text(v_flagged) f(name) on f.name = r.key));
end
$$;
comment on function xplane.roles_catalog(text, text[], text[], text[]) is
  'Runs roles_catalog_sql in the provider config''s maintenance database: one round trip for every role of a batch (members_edges only of the roles in p_members_of; acl_outside: {role: {database: [null]}} for the databases where an ACL names it, other than p_databases, when given); for roles whose SCRAM verifier xp set, a second one (as a superuser) compares sha256 fingerprints of the server''s verifier and of xp''s: "password" is "password changed outside xp", or "not checked" (xp is not superuser), and absent when in sync. Never a verifier.';

create or replace function xplane.roles_catalog(p_provider_config text, p_roles text[])
returns jsonb language sql volatile set search_path = xplane, pg_catalog as $$
  select xplane.roles_catalog(p_provider_config, p_roles, p_roles, null)
$$;
comment on function xplane.roles_catalog(text, text[]) is
  'roles_catalog with the members (members_edges) of every role given.';

create or replace function xplane.role_flags()
returns table (key text, keyword text, default_value boolean) language sql immutable parallel safe as $$
  -- The boolean role attributes: spec key, CREATE/ALTER ROLE keyword (NO<keyword> to unset),
  -- default (login: a service account's; a role's is false). The catalog (roles_catalog_sql)
  -- reads each under its key.
  values ('login', 'login', false), ('superuser', 'superuser', false), ('createdb', 'createdb', false),
         ('createrole', 'createrole', false), ('replication', 'replication', false),
         ('bypass_row_level_security', 'bypassrls', false), ('inherit', 'inherit', true)
$$;
comment on function xplane.role_flags() is
  'The boolean role attributes of Role and ServiceAccount: spec key, keyword, default (login defaults to true for a ServiceAccount).';

create or replace function xplane.role_attribute_keys()
returns text[] language sql immutable parallel safe as $$
  select array(select key from xplane.role_flags()) || array['connection_limit', 'valid_until', 'settings', 'database_settings']
$$;
comment on function xplane.role_attribute_keys() is
  'The spec keys Role and ServiceAccount share as role attributes (observed from pg_roles and pg_db_role_setting, set by CREATE/ALTER ROLE): role_flags, connection_limit, valid_until, settings, database_settings.';

create or replace function xplane.role_catalog_other_keys()
returns text[] language sql immutable parallel safe as $$
  select array['member_of', 'member_grantors', 'member_options', 'members_edges', 'comment',
               'dependent_databases', 'password', 'previous_members', 'managed_elsewhere']
$$;
comment on function xplane.role_catalog_other_keys() is
  'The keys of a role in roles_catalog (and role_batch_catalog''s previous_members, managed_elsewhere) that are not role attributes (role_attribute_keys): removing them leaves the attributes (test/sql/role_attributes.sql checks the two lists cover the catalog).';

create or replace function xplane.role_attribute_defaults(p_login boolean)
returns jsonb language sql immutable parallel safe set search_path = xplane, pg_catalog as $$
  select jsonb_object_agg(f.key, case when f.key = 'login' then p_login else f.default_value end)
         || '{"connection_limit": -1, "valid_until": null, "settings": {}, "database_settings": {}}'::jsonb
    from xplane.role_flags() f
$$;
comment on function xplane.role_attribute_defaults(boolean) is
  'The role attributes (role_attribute_keys) at their defaults, login as given (true: a ServiceAccount''s): what normalize_role_attributes gives a spec that sets none of them.';

create or replace function xplane.normalize_role_attributes(p_kind xplane.resource_kind, p_spec jsonb)
returns jsonb language plpgsql stable set search_path = xplane, pg_catalog as $$
declare
  v_out jsonb;
  -- constant arguments: folded once per session, not computed per call
  v_def constant jsonb := case when p_kind = 'ServiceAccount' then xplane.role_attribute_defaults(true)
                               else xplane.role_attribute_defaults(false) end;
begin
  -- The defaults keep what 0.6.0 did: a Role NOLOGIN, a ServiceAccount LOGIN, both INHERIT and
  -- nothing more; a stored spec of 0.6.0 (without these keys) normalises to the same role.
  -- normalize runs for every role of every plan: a spec that sets every attribute to its
  -- default (what the client sends for most roles) or none of them is answered at once;
  -- otherwise one query and only the calls a present key needs.
  -- (containment holds for any object under an empty one: the settings maps are compared apart)
  if (p_spec @> v_def and p_spec -> 'settings' = '{}'::jsonb and p_spec -> 'database_settings' = '{}'::jsonb)
     or not p_spec ?| xplane.role_attribute_keys() then
    return v_def;
  end if;
  select jsonb_object_agg(f.key, case when p_spec ? f.key then to_jsonb(xplane.spec_bool(p_kind, p_spec, f.key, d.value)) else to_jsonb(d.value) end)
    into v_out
    from xplane.role_flags() f
    cross join lateral (select case when f.key = 'login' then p_kind = 'ServiceAccount' else f.default_value end as value) d;
  return v_out || jsonb_build_object(
    'connection_limit', case when p_spec ? 'connection_limit' then to_jsonb(xplane.spec_int(p_kind, p_spec, 'connection_limit', -1, -1)) else '-1'::jsonb end,
    'valid_until', case when p_spec ? 'valid_until' then xplane.normalize_valid_until(p_kind, p_spec -> 'valid_until') else 'null'::jsonb end,
    'settings', case when p_spec ? 'settings' then xplane.normalize_role_settings(p_kind, p_spec -> 'settings') else '{}'::jsonb end,
    'database_settings', case when p_spec ? 'database_settings' then xplane.normalize_database_settings(p_kind, p_spec -> 'database_settings') else '{}'::jsonb end);
end
$$;
comment on function xplane.normalize_role_attributes(xplane.resource_kind, jsonb) is
  'The role attributes (role_attribute_keys) of a Role or ServiceAccount spec, validated, with their defaults: flags false but inherit (true) and login (true for a ServiceAccount), connection_limit -1, valid_until null (never expires), settings and database_settings {}.';

create or replace function xplane.normalize_database_settings(p_kind xplane.resource_kind, p_value jsonb)
returns jsonb language plpgsql stable set search_path = xplane, pg_catalog as $$
declare
  v_db  text;
  v_map jsonb;
  v_msg text;
  v_out jsonb := '{}';
begin
  if p_value is null or p_value = 'null'::jsonb then
    return '{}'::jsonb;
  end if;
  if jsonb_typeof(p_value) <> 'object' then
    perform xplane.invalid_spec(p_kind, 'database_settings', 'must be an object of database = { setting = value }');
  end if;
  for v_db, v_map in select key, value from jsonb_each(p_value) loop
    if xplane.identifier_problem(v_db) is not null then
      perform xplane.invalid_spec(p_kind, format('database_settings.%s', v_db), format('the database name %s', xplane.identifier_problem(v_db)));
    end if;
    if jsonb_typeof(v_map) <> 'object' then
      perform xplane.invalid_spec(p_kind, format('database_settings.%s', v_db), 'must be an object of setting = value');
    end if;
    begin
      v_map := xplane.normalize_role_settings(p_kind, v_map);
    exception when invalid_parameter_value then
      -- the same check as settings, reported under database_settings.<database>
      get stacked diagnostics v_msg = message_text;
      raise exception using errcode = 'invalid_parameter_value', hint = 'Fix the field in the configuration and apply again.',
        message = format('%s.database_settings.%s%s', p_kind, v_db, regexp_replace(v_msg, '^[A-Za-z]+\.settings', ''));
    end;
    -- An empty map is no setting at all (PostgreSQL keeps no row): left out, so it reads back.
    if v_map <> '{}'::jsonb then
      v_out := v_out || jsonb_build_object(v_db, v_map);
    end if;
  end loop;
  return v_out;
end
$$;
comment on function xplane.normalize_database_settings(xplane.resource_kind, jsonb) is
  'Normalises database_settings {database: {setting: value}} (ALTER ROLE … IN DATABASE … SET): each map as normalize_role_settings does settings; empty maps left out.';

create or replace function xplane.role_attribute_clauses(p_desired jsonb, p_observed jsonb)
returns text[] language plpgsql stable set search_path = xplane, pg_catalog as $$
declare
  v_clauses text[] := '{}';
  v_key     text;
  v_word    text;
begin
  -- CREATE/ALTER ROLE clauses for the attributes the desired spec carries and that differ
  -- (p_observed null: all of them, for a CREATE ROLE). Only what differs: a non-superuser may
  -- not even name SUPERUSER, REPLICATION or BYPASSRLS in ALTER ROLE (PostgreSQL 15).
  for v_key, v_word in select key, keyword from xplane.role_flags() loop
    if p_desired ? v_key and (p_observed is null or (p_desired -> v_key) is distinct from (p_observed -> v_key)) then
      v_clauses := v_clauses || case when (p_desired ->> v_key)::boolean then v_word else 'no' || v_word end;
    end if;
  end loop;
  if p_desired ? 'connection_limit' and (p_observed is null or (p_desired -> 'connection_limit') is distinct from (p_observed -> 'connection_limit')) then
    v_clauses := v_clauses || format('connection limit %s', (p_desired ->> 'connection_limit')::integer);
  end if;
  if p_desired ? 'valid_until' and (p_observed is null or (p_desired -> 'valid_until') is distinct from coalesce(p_observed -> 'valid_until', 'null'::jsonb)) then
    v_clauses := v_clauses || format('valid until %L', coalesce(p_desired ->> 'valid_until', 'infinity'));
  end if;
  return v_clauses;
end
$$;
comment on function xplane.role_attribute_clauses(jsonb, jsonb) is
  'The CREATE/ALTER ROLE clauses (LOGIN, NOSUPERUSER, CONNECTION LIMIT 5, VALID UNTIL …) that turn the observed role attributes into the desired ones; all of them when p_observed is null.';

create or replace function xplane.role_setting_statements(p_name text, p_database text, p_desired jsonb, p_observed jsonb)
returns text[] language plpgsql stable set search_path = xplane, pg_catalog as $$
declare
  v_stmts  text[] := '{}';
  v_target text := format('role %I', p_name) || case when p_database is null then '' else format(' in database %I', p_database) end;
  v_key    text;
  v_value  text;
begin
  -- SET what differs, RESET what is not desired: ALTER ROLE … [IN DATABASE …] SET / RESET.
  for v_key, v_value in select key, value from jsonb_each_text(coalesce(p_desired, '{}')) order by key loop
    continue when (p_observed ->> v_key) is not distinct from v_value;
    v_stmts := v_stmts || xplane.setting_set_sql(v_target, v_key, v_value);
  end loop;
  for v_key in select key from jsonb_each(coalesce(p_observed, '{}')) order by key loop
    continue when coalesce(p_desired, '{}') ? v_key;
    v_stmts := v_stmts || format('alter %s reset %I', v_target, v_key);
  end loop;
  return v_stmts;
end
$$;
comment on function xplane.role_setting_statements(text, text, jsonb, jsonb) is
  'ALTER ROLE … [IN DATABASE …] SET / RESET statements turning the observed settings {name: value} into the desired ones (p_database null: for all databases).';

create or replace function xplane.setting_is_list(p_name text)
returns boolean language sql immutable strict parallel safe as $$
  -- The settings PostgreSQL stores as a list of quoted identifiers (GUC_LIST_QUOTE).
  select lower(p_name) in ('search_path', 'temp_tablespaces', 'session_preload_libraries',
                           'shared_preload_libraries', 'local_preload_libraries')
$$;
comment on function xplane.setting_is_list(text) is
  'True for settings that PostgreSQL stores as a list of quoted identifiers (search_path, temp_tablespaces, *_preload_libraries).';

create or replace function xplane.setting_list_items(p_value text)
returns text[] language plpgsql immutable strict parallel safe set search_path = xplane, pg_catalog as $$
declare
  v_items text[] := '{}';
  v_cur   text := '';
  v_quote boolean := false;
  v_ch    text;
  i       integer := 1;
  n       integer := length(p_value);
begin
  -- Splits "a, \"b c\", $user" into {a, b c, $user}: commas outside double quotes separate,
  -- double quotes (with "" inside) keep text verbatim, blanks around items are dropped.
  while i <= n loop
    v_ch := substr(p_value, i, 1);
    if v_quote then
      if v_ch = '"' and substr(p_value, i + 1, 1) = '"' then
        v_cur := v_cur || '"'; i := i + 1;
      elsif v_ch = '"' then
        v_quote := false;
      else
        v_cur := v_cur || v_ch;
      end if;
    elsif v_ch = '"' then
      v_quote := true;
    elsif v_ch = ',' then
      v_items := v_items || btrim(v_cur); v_cur := '';
    else
      v_cur := v_cur || v_ch;
    end if;
    i := i + 1;
  end loop;
  return v_items || btrim(v_cur);
end
$$;
comment on function xplane.setting_list_items(text) is
  'The items of a list setting value (search_path = ''"$user", public''): split on commas outside double quotes.';

create or replace function xplane.setting_set_sql(p_target text, p_name text, p_value text)
returns text language sql immutable strict parallel safe set search_path = xplane, pg_catalog as $$
  -- p_target: "role x", "database x" (already quoted). A list setting (search_path) is set
  -- item by item, so that it reads back as normalize_role_settings spells it.
  select case when xplane.setting_is_list(p_name)
    then format('alter %s set %I to %s', p_target, p_name,
           (select string_agg(quote_literal(item), ', ' order by ord)
              from unnest(xplane.setting_list_items(p_value)) with ordinality t(item, ord)))
    else format('alter %s set %I to %L', p_target, p_name, p_value) end
$$;
comment on function xplane.setting_set_sql(text, text, text) is
  'The ALTER ROLE/DATABASE … SET statement of one normalised setting (p_target: ''role x'', ''role x in database y'' or ''database x'', quoted): list settings item by item. Shared by role_setting_statements and the Database settings.';

create or replace function xplane.normalize_role_settings(p_kind xplane.resource_kind, p_settings jsonb)
returns jsonb language plpgsql stable set search_path = xplane, pg_catalog as $$
declare
  v_key   text;
  v_value jsonb;
  v_name  text;
  v_text  text;
  v_out   jsonb := '{}';
begin
  if p_settings is null or p_settings = 'null'::jsonb then
    return '{}'::jsonb;
  end if;
  if jsonb_typeof(p_settings) <> 'object' then
    perform xplane.invalid_spec(p_kind, 'settings', 'must be an object of setting = value');
  end if;
  for v_key, v_value in select key, value from jsonb_each(p_settings) loop
    if jsonb_typeof(v_value) not in ('string', 'number', 'boolean') then
      perform xplane.invalid_spec(p_kind, format('settings.%s', v_key), 'must be a string, number or boolean');
    end if;
    -- PostgreSQL stores a known setting under its canonical name (DateStyle), a custom one
    -- (myapp.tenant) as written.
    select s.name into v_name from pg_catalog.pg_settings s where lower(s.name) = lower(v_key);
    if v_name is null then
      if position('.' in v_key) = 0 then
        perform xplane.invalid_spec(p_kind, format('settings.%s', v_key),
          'unknown setting (custom settings need a prefix, as in myapp.tenant)');
      end if;
      if v_key !~ '^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)+$' then
        perform xplane.invalid_spec(p_kind, format('settings.%s', v_key),
          'a custom setting name is two or more simple identifiers separated by dots (myapp.tenant)');
      end if;
      v_name := v_key;
    end if;
    v_text := v_value #>> '{}';
    if xplane.setting_is_list(v_name) then
      v_text := (select string_agg(quote_ident(item), ', ' order by ord)
                   from unnest(xplane.setting_list_items(v_text)) with ordinality t(item, ord));
    end if;
    v_out := v_out || jsonb_build_object(v_name, v_text);
  end loop;
  return v_out;
end
$$;
comment on function xplane.normalize_role_settings(xplane.resource_kind, jsonb) is
  'Normalises ALTER ROLE … SET settings so that they read back exactly: canonical setting names, values as text, list settings (search_path) as PostgreSQL stores them ("$user", public). Unknown settings without a prefix are invalid_spec.';

create or replace function xplane.normalize_valid_until(p_kind xplane.resource_kind, p_value jsonb)
returns jsonb language plpgsql stable set search_path = xplane, pg_catalog as $$
declare
  v_ts timestamptz;
begin
  if p_value is null or p_value = 'null'::jsonb then
    return 'null'::jsonb;
  end if;
  if jsonb_typeof(p_value) <> 'string' then
    perform xplane.invalid_spec(p_kind, 'valid_until', 'must be an ISO 8601 timestamp such as 2027-01-01T00:00:00Z, or "infinity"');
  end if;
  if xplane.timestamp_problem(p_value #>> '{}') is not null then
    perform xplane.invalid_spec(p_kind, 'valid_until', format('%s %s', p_value, xplane.timestamp_problem(p_value #>> '{}')));
  end if;
  begin
    v_ts := (p_value #>> '{}')::timestamptz;
  exception when others then
    perform xplane.invalid_spec(p_kind, 'valid_until',
      format('%s is not a timestamp (use ISO 8601, such as 2027-01-01T00:00:00Z, or "infinity")', p_value));
  end;
  -- PostgreSQL cannot unset VALID UNTIL, only set it to infinity: both read back as null.
  if v_ts = 'infinity' then
    return 'null'::jsonb;
  elsif v_ts = '-infinity' then
    return '"-infinity"'::jsonb;
  end if;
  return to_jsonb(to_char(v_ts at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'));
end
$$;
comment on function xplane.normalize_valid_until(xplane.resource_kind, jsonb) is
  'valid_until as ISO 8601 UTC (2027-01-01T00:00:00Z), to the second; null and "infinity" are both null (never expires).';

create or replace function xplane.role_alter_statements(p_name text, p_desired jsonb, p_observed jsonb)
returns text[] language plpgsql stable set search_path = xplane, pg_catalog as $$
declare
  v_clauses text[];
  v_stmts   text[] := '{}';
  v_db      text;
  v_role    text;
begin
  -- Only the attributes the desired spec carries and that differ: ALTER ROLE, COMMENT,
  -- SET/RESET (for all databases, then per database), GRANT/REVOKE membership.
  -- p_observed null: the role was just created.
  v_clauses := xplane.role_attribute_clauses(p_desired, coalesce(p_observed, '{}'));
  if cardinality(v_clauses) > 0 then
    v_stmts := v_stmts || format('alter role %I with %s', p_name, array_to_string(v_clauses, ' '));
  end if;
  if p_desired ? 'comment' and (p_desired -> 'comment') is distinct from coalesce(p_observed -> 'comment', 'null'::jsonb) then
    v_stmts := v_stmts || format('comment on role %I is %s', p_name, coalesce(quote_literal(p_desired ->> 'comment'), 'null'));
  end if;
  if p_desired ? 'settings' then
    v_stmts := v_stmts || xplane.role_setting_statements(p_name, null, p_desired -> 'settings', p_observed -> 'settings');
  end if;
  if p_desired ? 'database_settings' then
    for v_db in select key from jsonb_each(coalesce(p_desired -> 'database_settings', '{}'))
                union select key from jsonb_each(coalesce(p_observed -> 'database_settings', '{}')) order by 1 loop
      v_stmts := v_stmts || xplane.role_setting_statements(p_name, v_db,
        p_desired -> 'database_settings' -> v_db, p_observed -> 'database_settings' -> v_db);
    end loop;
  end if;
  if p_desired ? 'member_of' then
    v_stmts := v_stmts || xplane.membership_statements(p_name, p_desired, p_observed);
  end if;
  if p_desired ? 'members' then
    v_stmts := v_stmts || xplane.members_statements(p_name, p_desired, p_observed);
  end if;
  return v_stmts;
end
$$;
comment on function xplane.role_alter_statements(text, jsonb, jsonb) is
  'The ALTER ROLE / COMMENT ON ROLE / SET / RESET / GRANT / REVOKE membership statements that turn the observed role attributes into the desired ones; empty when in sync.';

create or replace function xplane.role_exec(p_provider_config text, p_name text, p_statements text[])
returns void language plpgsql volatile set search_path = xplane, pg_catalog as $$
begin
  -- Cluster-wide DDL on one role: one remote transaction in the maintenance database, under
  -- the role's advisory lock.
  if cardinality(p_statements) > 0 then
    perform xplane.remote_exec_locked(p_provider_config, '', 'role:' || p_name, array_to_string(p_statements, '; '));
  end if;
end
$$;
comment on function xplane.role_exec(text, text, text[]) is
  'Runs statements about one role in the maintenance database, in one transaction, under the lock role:<name>.';

create or replace function xplane.drop_role_everywhere(p_provider_config text, p_name text, p_role jsonb)
returns xplane.action_result language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_db     text;
  v_state  text;
  v_msg    text;
  v_detail text;
  v_where  text;
begin
  -- A role that owns objects or holds privileges cannot be dropped. In every database where
  -- something depends on it, its objects go to the role xp runs as (REASSIGN OWNED, no data
  -- is lost) and its privileges are dropped (DROP OWNED); then the role goes.
  v_where := (select string_agg(case when d = '' then 'cluster-wide objects (databases, tablespaces)' else format('"%s"', d) end, ', ')
                from jsonb_array_elements_text(coalesce(p_role -> 'dependent_databases', '[]')) d);
  begin
    if v_where is not null then
      -- REASSIGN/DROP OWNED need the privileges of the role. A non-superuser with CREATEROLE
      -- holds ADMIN OPTION on the roles it created (PostgreSQL 16+) and grants itself
      -- membership first (can_act_as_sql); the membership goes with the role.
      perform xplane.remote_exec(p_provider_config, '', xplane.can_act_as_sql(p_name));
    end if;
    for v_db in select jsonb_array_elements_text(coalesce(p_role -> 'dependent_databases', '[]')) order by 1 loop
      perform xplane.remote_exec(p_provider_config, v_db,
        -- (first what third grantors granted it: granted_by, 050_grants.sql)
        xplane.third_grantor_release_sql(p_name, v_db = '') || '; ' ||
        format('reassign owned by %I to current_user; drop owned by %I', p_name, p_name));
    end loop;
    perform xplane.role_exec(p_provider_config, p_name, array[format('drop role if exists %I', p_name)]);
  exception when others then
    get stacked diagnostics v_state = returned_sqlstate, v_msg = message_text, v_detail = pg_exception_detail;
    return xplane.result(case when v_state = '42501' then 'permission_denied' else 'error' end::xplane.status_code,
      format('role "%s" cannot be dropped: it owns objects or holds privileges in %s, and reassigning them failed: %s%s [SQLSTATE %s]',
             p_name, coalesce(v_where, 'no database'), v_msg, coalesce(' (' || nullif(v_detail, '') || ')', ''), v_state),
      null);
  end;
  return xplane.result('success', format('role "%s" dropped%s', p_name,
    case when v_where is null then '' else ' after reassigning its objects and dropping its privileges in ' || v_where end), null);
end
$$;
comment on function xplane.drop_role_everywhere(text, text, jsonb) is
  'Drops a role; first, in every database where objects or privileges depend on it, REASSIGN OWNED to the role xp runs as and DROP OWNED (a non-superuser first grants itself membership through its ADMIN OPTION). When that is not possible, refuses with a message naming the databases and the reason.';
