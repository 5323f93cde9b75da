-- xp never destroys itself: what the provider depends on (the role it connects as, the roles
-- owning the control database or schema xplane, the control database, schema xplane, dblink)
-- is never dropped and never stripped. run_action (every create/update/delete, from apply,
-- delete and the reconcile loop) and delete_role (DROP OWNED) ask protection_refusal; the CLI
-- asks it for every change of a plan, so that plan and apply refuse the same things.

create or replace function xplane.remote_identity(p_provider_config text)
returns jsonb language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_cache jsonb := coalesce(nullif(pg_catalog.current_setting('xplane.remote_identity', true), ''), '{}')::jsonb;
  v_id    jsonb;
begin
  -- Who the provider config connects as, and whether it reaches this very server (the same
  -- postmaster, on which this session is running): only then are the control database and
  -- schema xplane among its objects. Cached for the session (one round trip).
  v_id := v_cache -> p_provider_config;
  if v_id is null then
    v_id := xplane.remote_query(p_provider_config, '', format(
      $q$pg_catalog.json_build_object('user', current_user, 'local',
           pg_catalog.pg_postmaster_start_time() = %L::timestamptz
           and exists (select 1 from pg_catalog.pg_stat_activity where pid = %s))$q$,
      pg_catalog.pg_postmaster_start_time(), pg_catalog.pg_backend_pid()));
    perform pg_catalog.set_config('xplane.remote_identity', (v_cache || jsonb_build_object(p_provider_config, v_id))::text, false);
  end if;
  return v_id;
end
$$;
comment on function xplane.remote_identity(text) is
  '{"user": the role a provider config connects as, "local": whether it reaches this server}: one remote query, cached for the session.';

create or replace function xplane.protected_reason(p_kind xplane.resource_kind, p_name text, p_database text, p_provider_config text)
returns text language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_local  text;
  v_id     jsonb;
  v_xplane oid := (select n.oid from pg_catalog.pg_namespace n where n.nspname = 'xplane');
begin
  -- Why xp depends on this object (so that it must never be dropped or stripped), or null.
  -- First what this server's catalogs say, then whether the provider config reaches this
  -- server at all (a provider config may manage another one).
  v_local := case
    when p_kind in ('Role', 'ServiceAccount') then case
      when p_name = current_user::text or p_name = session_user::text then 'xp connects as it'
      when exists (select 1 from pg_catalog.pg_namespace n where n.nspname = 'xplane' and pg_catalog.pg_get_userbyid(n.nspowner) = p_name)
        then 'it owns schema xplane, the provider'
      -- What it owns in this database, through pg_shdepend (indexed by owner): not a scan of
      -- pg_class, pg_proc and pg_type for every role an apply changes. (The bootstrap
      -- superuser's objects are not recorded there; PostgreSQL never drops or reassigns them.)
      when exists (select 1 from pg_catalog.pg_shdepend d
                    where d.refclassid = 'pg_catalog.pg_authid'::pg_catalog.regclass and d.deptype = 'o'
                      and d.refobjid = (select r.oid from pg_catalog.pg_roles r where r.rolname = p_name)
                      and d.dbid = (select db.oid from pg_catalog.pg_database db where db.datname = current_database())
                      and case d.classid
                            when 'pg_catalog.pg_class'::pg_catalog.regclass then
                              exists (select 1 from pg_catalog.pg_class c where c.oid = d.objid and c.relnamespace = v_xplane)
                            when 'pg_catalog.pg_proc'::pg_catalog.regclass then
                              exists (select 1 from pg_catalog.pg_proc f where f.oid = d.objid and f.pronamespace = v_xplane)
                            when 'pg_catalog.pg_type'::pg_catalog.regclass then
                              exists (select 1 from pg_catalog.pg_type t where t.oid = d.objid and t.typnamespace = v_xplane)
                            else false end)
        then 'it owns objects of schema xplane, the provider (DROP OWNED would drop them)'
      when exists (select 1 from pg_catalog.pg_database d where d.datname = current_database() and pg_catalog.pg_get_userbyid(d.datdba) = p_name)
        then 'it owns the control database, which holds schema xplane'
    end
    when p_kind = 'Database' and p_name = current_database() then 'it is the control database, which holds schema xplane'
    when p_kind = 'Schema' and p_database = current_database() and p_name = 'xplane' then 'it is schema xplane, the provider'
    when p_kind = 'Schema' and p_database = current_database() and p_name = xplane.dblink_schema()
      then 'it holds dblink, through which xp reaches the server'
    when p_kind = 'Extension' and p_database = current_database() and p_name = 'dblink'
      then 'xp reaches the server through it'
  end;
  if v_local is null and p_kind not in ('Role', 'ServiceAccount') then
    return null;
  end if;
  v_id := xplane.remote_identity(p_provider_config);
  if p_kind in ('Role', 'ServiceAccount') and p_name = v_id ->> 'user' then
    return 'xp connects as it';
  end if;
  return case when (v_id ->> 'local')::boolean then v_local end;
end
$$;
comment on function xplane.protected_reason(xplane.resource_kind, text, text, text) is
  'Why xp depends on this object, or null: the role it connects as (this session''s current_user/session_user, the provider config''s user), the roles owning schema xplane, its objects or the control database, the control database, schema xplane, the schema holding dblink, and dblink. The control database''s objects only when the provider config reaches this server.';

create or replace function xplane.refusal_message(p_reason text, p_action text, p_kind xplane.resource_kind, p_name text,
                                                  p_changed text[])
returns text language plpgsql immutable set search_path = xplane, pg_catalog as $$
declare
  v_what    text;
  -- What may change on an object xp depends on: nothing that could lock xp out.
  v_allowed text[] := case p_kind when 'Role' then array['comment'] when 'ServiceAccount' then array[]::text[]
                                  when 'Extension' then array['version'] else array['comment'] end;
  v_bad     text[];
begin
  if p_reason is null or p_action = 'create' then
    return null;
  end if;
  v_what := format('%s "%s"', case when p_kind in ('Role', 'ServiceAccount') then 'role' else lower(p_kind::text) end, p_name);
  if p_action in ('delete', 'replace') then
    return format('refusing to drop %s: %s. xp never drops what it depends on.', v_what, p_reason);
  end if;
  -- An update of a service account can always set a password (the provider's): refused.
  v_bad := case when p_kind = 'ServiceAccount' then array['password']
                else array(select c from unnest(coalesce(p_changed, '{}')) c where not c = any (v_allowed) order by c) end;
  if cardinality(v_bad) = 0 then
    return null;
  end if;
  return format('refusing to change %s of %s: %s, and xp never strips what it depends on (%s). Change it by hand if you must, or leave it out of the configuration.',
    array_to_string(v_bad, ', '), v_what, p_reason,
    case when cardinality(v_allowed) = 0 then 'it changes nothing of it' else 'it only changes ' || array_to_string(v_allowed, ', ') || ' of it' end);
end
$$;
comment on function xplane.refusal_message(text, text, xplane.resource_kind, text, text[]) is
  'The refusal (refusing to …) of p_action on an object xp depends on for p_reason (protected_reason): any drop (delete, replace), or an update of p_changed attributes other than the harmless ones (comment; Extension.version; nothing of a ServiceAccount). Null when allowed, or when p_reason is null. A create is never refused: what xp depends on exists.';

create or replace function xplane.protection_refusal(p_action text, p_kind xplane.resource_kind, p_name text, p_database text,
                                                     p_changed text[], p_provider_config text default 'default')
returns text language sql volatile set search_path = xplane, pg_catalog as $$
  select xplane.refusal_message(xplane.protected_reason(p_kind, p_name, coalesce(p_database, ''), p_provider_config),
                                p_action, p_kind, p_name, p_changed)
   where p_action <> 'create'
$$;
comment on function xplane.protection_refusal(text, xplane.resource_kind, text, text, text[], text) is
  'Refusal message (refusing to …) when p_action (create, update, replace, delete) on an object xp depends on (protected_reason) would drop it or change p_changed attributes other than the harmless ones (refusal_message); null when allowed.';

create or replace function xplane.protection_refusals(p_items jsonb)
returns jsonb language plpgsql volatile set search_path = xplane, pg_catalog as $$
begin
  -- For the CLI's plan: [{"action","kind","name","database","changed","provider_config"}] →
  -- the refusal of each (or null), in input order, in one round trip.
  return (select coalesce(jsonb_agg(to_jsonb(xplane.protection_refusal(i ->> 'action', (i ->> 'kind')::xplane.resource_kind, i ->> 'name',
                                              coalesce(i ->> 'database', ''),
                                              array(select jsonb_array_elements_text(coalesce(i -> 'changed', '[]'))),
                                              coalesce(i ->> 'provider_config', 'default'))) order by n), '[]'::jsonb)
            from jsonb_array_elements(coalesce(p_items, '[]')) with ordinality t(i, n));
end
$$;
comment on function xplane.protection_refusals(jsonb) is
  'protection_refusal of each item [{"action","kind","name","database","changed","provider_config"}], in input order (null when allowed): the plan''s self-protection check.';
