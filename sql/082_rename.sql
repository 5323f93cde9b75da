-- Renames in place (docs/language.md, "Renames without loss"): a role, service account, schema
-- or database whose address stays while its PostgreSQL name changes is renamed with
-- ALTER … RENAME TO, keeping its grants, memberships, data and password (a SCRAM verifier does
-- not depend on the role's name; PostgreSQL clears an MD5 one, which xp never sets). The plan
-- decides (src/plan/renames.ts); apply_many carries it out before it declares the new spec.

create or replace function xplane.rename_sql(p_kind xplane.resource_kind, p_old text, p_new text)
returns text language plpgsql immutable set search_path = xplane, pg_catalog as $$
begin
  return case p_kind
    when 'Role' then format('alter role %I rename to %I', p_old, p_new)
    when 'ServiceAccount' then format('alter role %I rename to %I', p_old, p_new)
    when 'Schema' then format('alter schema %I rename to %I', p_old, p_new)
    when 'Database' then format('alter database %I rename to %I', p_old, p_new)
  end;
end
$$;
comment on function xplane.rename_sql(xplane.resource_kind, text, text) is
  'The ALTER … RENAME TO statement of a kind that can be renamed (Role, ServiceAccount, Schema, Database), identifiers quoted; null for the others (an extension''s name is fixed).';

create or replace function xplane.rename_resource(p_kind xplane.resource_kind, p_old text, p_new text, p_database text,
                                                  p_provider_config text, p_stack text)
returns text language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_id      uuid;
  v_owner   text;
  v_spec    jsonb;
  v_problem text := xplane.name_problem(p_kind, p_new);
  v_old     boolean;
  v_new     boolean;
  v_db      text := coalesce(p_database, '');
begin
  if xplane.rename_sql(p_kind, p_old, p_new) is null then
    raise exception 'xplane.rename_resource: a % cannot be renamed', p_kind using errcode = 'feature_not_supported';
  end if;
  if v_problem is not null then
    raise exception 'xplane.rename_resource: %', v_problem using errcode = 'invalid_parameter_value';
  end if;
  -- Never what xp depends on (the role it connects as, the control database, schema xplane …),
  -- also when called directly: the plan refuses it first (self_protection).
  v_problem := xplane.protection_refusal('update', p_kind, p_old, v_db, array['name'], p_provider_config);
  if v_problem is not null then
    raise exception '%', v_problem using errcode = 'insufficient_privilege';
  end if;
  select id, stack, spec into v_id, v_owner, v_spec from xplane.managed_resources
   where provider_config = p_provider_config and kind = p_kind and database = v_db and name = p_old
     for update;
  if v_id is null then
    raise exception 'cannot rename % % to %: xp has no record of %', p_kind, quote_ident(p_old), quote_ident(p_new), quote_ident(p_old)
      using errcode = 'no_data_found', hint = 'Run xp plan again: the plan is out of date.';
  end if;
  if v_owner <> p_stack then
    perform xplane.raise_not_owner(p_kind, p_old, v_owner, p_stack);
  end if;
  if exists (select 1 from xplane.managed_resources
              where provider_config = p_provider_config and kind = p_kind and database = v_db and name = p_new) then
    raise exception 'cannot rename % % to %: xp already records a % %', p_kind, quote_ident(p_old), quote_ident(p_new), p_kind, quote_ident(p_new)
      using errcode = 'duplicate_object';
  end if;
  -- What the server has now: the object may have been renamed already (by hand, or by an apply
  -- whose transaction did not commit after the rename did: a remote statement commits at once).
  select (o -> 0 -> 'observed') <> 'null'::jsonb, (o -> 1 -> 'observed') <> 'null'::jsonb into v_old, v_new
    from xplane.observe_many(jsonb_build_array(jsonb_build_object('kind', p_kind, 'name', p_old, 'spec', v_spec),
                                               jsonb_build_object('kind', p_kind, 'name', p_new, 'spec', v_spec)), p_provider_config) o;
  if v_old and v_new then
    raise exception 'cannot rename % % to %: % % already exists', p_kind, quote_ident(p_old), quote_ident(p_new), p_kind, quote_ident(p_new)
      using errcode = 'duplicate_object', hint = 'Drop or rename the other one first, or choose another name.';
  end if;
  if v_old then
    -- A database is renamed from the maintenance database, with none of this session's
    -- connections to it left open (PostgreSQL refuses while anyone is connected).
    -- The provider's sessions of other xp connections (application_name xplane/<pid>: the
    -- plan's reads, another worker of this apply) are ended too; their owners reconnect on
    -- their next statement (remote_run). Anyone else connected makes PostgreSQL refuse.
    if p_kind = 'Database' then
      perform xplane.remote_disconnect(p_provider_config, p_old);
      perform xplane.remote_exec(p_provider_config, '', format(
        'do $end$ begin perform pg_catalog.pg_terminate_backend(pid, 10000) from pg_catalog.pg_stat_activity '
        'where datname = %L and application_name like %L and backend_type = ''client backend''; end $end$', p_old, 'xplane/%'));
    end if;
    perform xplane.remote_exec(p_provider_config, case when p_kind = 'Schema' then v_db else '' end,
                               xplane.rename_sql(p_kind, p_old, p_new));
  end if;
  -- The records follow: the resource's, the credential and grant scopes of a role, and the
  -- identity of the schemas and extensions in a renamed database.
  update xplane.managed_resources set name = p_new, updated_at = now(), next_reconcile_at = now() where id = v_id;
  if p_kind in ('Role', 'ServiceAccount') then
    update xplane.credentials set role_name = p_new where provider_config = p_provider_config and role_name = p_old;
    update xplane.grant_scopes set role_name = p_new where provider_config = p_provider_config and role_name = p_old;
  elsif p_kind = 'Schema' then
    update xplane.grant_scopes set schema = p_new where provider_config = p_provider_config and database = v_db and schema = p_old;
  elsif p_kind = 'Database' then
    update xplane.managed_resources
       set database = p_new, spec = spec || jsonb_build_object('database', p_new), updated_at = now(), next_reconcile_at = now()
     where provider_config = p_provider_config and database = p_old and kind in ('Schema', 'Extension');
    update xplane.grant_scopes set database = p_new where provider_config = p_provider_config and database = p_old;
  end if;
  perform xplane.emit_event(v_id, 'Normal', 'Renamed',
    case when v_old then format('%s %s renamed to %s', p_kind, quote_ident(p_old), quote_ident(p_new))
         else format('%s %s recorded as %s (%s)', p_kind, quote_ident(p_old), quote_ident(p_new),
                     case when v_new then 'already renamed on the server' else 'absent from the server' end) end);
  return case when v_old then 'renamed' else 'recorded' end;
end
$$;
comment on function xplane.rename_resource(xplane.resource_kind, text, text, text, text, text) is
  'Renames a managed Role, ServiceAccount, Schema or Database of stack p_stack in place (ALTER … RENAME TO on the server, then its records: the resource, a role''s credential and grant scopes, the schemas and extensions of a database). Refuses (duplicate_object) when both names exist on the server or xp records the new one. When only the new name exists (renamed already) or neither, only the records follow. Returns renamed or recorded.';

create or replace function xplane.record_addresses(p_stack text, p_items jsonb)
returns integer language sql volatile set search_path = xplane, pg_catalog as $$
  -- items [{"provider_config","kind","database","name","address"}]: the address each declared
  -- resource has now, for those of p_stack that record another (or none).
  with upd as (
    update xplane.managed_resources m set address = i.address
      from jsonb_to_recordset(p_items) as i(provider_config text, kind text, database text, name text, address text)
     where m.stack = p_stack and m.provider_config = i.provider_config and m.kind::text = i.kind
       and m.database = coalesce(i.database, '') and m.name = i.name and m.address is distinct from i.address
    returning 1)
  select count(*)::int from upd
$$;
comment on function xplane.record_addresses(text, jsonb) is
  'Records the configuration address (role.app, schema.tenant["acme"]) of this stack''s resources: how the next plan knows that a resource whose name changed is the same one (a rename), and where a moved block moved it from.';
