-- The entry points people and the CLI call: apply (upsert + reconcile), delete, stack modes.

create or replace function xplane.apply(p_kind xplane.resource_kind, p_name text, p_spec jsonb,
                                        p_provider_config text default 'default', p_stack text default 'default',
                                        p_deletion_policy xplane.deletion_policy default 'delete')
returns uuid
language plpgsql volatile
set search_path = xplane, pg_catalog
as $$
declare
  v_spec     jsonb := p_spec;
  v_database text;
  v_id       uuid;
  v_owner    text;
  v_secret   boolean := false;
begin
  if p_name is null or p_name = '' then
    raise exception 'xplane.apply: the name of a % must not be empty', p_kind using errcode = 'invalid_parameter_value';
  end if;
  if v_spec is null or jsonb_typeof(v_spec) <> 'object' then
    raise exception 'xplane.apply: the spec of % % must be a JSON object', p_kind, quote_ident(p_name)
      using errcode = 'invalid_parameter_value';
  end if;
  -- A password never reaches the stored spec: its verifier goes to xplane.credentials.
  if v_spec ? 'password' then
    if p_kind = 'ServiceAccount' and v_spec -> 'password' <> 'null'::jsonb then
      v_secret := xplane.credential_put(p_provider_config, p_name, xplane.check_password(p_kind, v_spec));
    end if;
    v_spec := v_spec - 'password';
  end if;
  v_database := xplane.resource_database(p_kind, v_spec);
  select stack into v_owner from xplane.managed_resources
   where provider_config = p_provider_config and kind = p_kind and database = v_database and name = p_name;
  if v_owner is not null and v_owner <> p_stack then
    raise exception '% % is managed by stack %, not %', p_kind, quote_ident(p_name), quote_ident(v_owner), quote_ident(p_stack)
      using errcode = 'unique_violation',
            hint = 'A resource belongs to one stack: remove it from the other stack first (deletion_policy orphan keeps the object).';
  end if;
  insert into xplane.stacks (name) values (p_stack) on conflict (name) do nothing;
  insert into xplane.managed_resources as r
         (stack, kind, name, database, spec, deletion_policy, provider_config, next_reconcile_at)
  values (p_stack, p_kind, p_name, v_database, v_spec, p_deletion_policy, p_provider_config, now())
  on conflict (provider_config, kind, database, name) do update
     set spec = excluded.spec,
         deletion_policy = excluded.deletion_policy,
         generation = r.generation
                      + case when r.spec is distinct from excluded.spec or v_secret or r.deleted_at is not null then 1 else 0 end,
         finalizers = case when excluded.deletion_policy = 'orphan' then array_remove(r.finalizers, 'xplane.io/drop-object')
                           else r.finalizers end,
         deleted_at = null,
         next_reconcile_at = now(),
         updated_at = now()
  returning id into v_id;
  perform xplane.reconcile(v_id);
  return v_id;
end
$$;
comment on function xplane.apply(xplane.resource_kind, text, jsonb, text, text, xplane.deletion_policy) is
  'Declares the desired state of one object (upsert; generation + 1 when the spec changes) and reconciles it at once. The outcome is in managed_resources.status and the views; a ServiceAccount''s password (a SCRAM verifier) is moved to xplane.credentials, never stored in the spec.';

create or replace function xplane.delete(p_kind xplane.resource_kind, p_name text, p_database text default '',
                                         p_provider_config text default 'default', p_allow_data_loss boolean default false)
returns boolean
language plpgsql volatile
set search_path = xplane, pg_catalog
as $$
declare
  v_id uuid;
begin
  update xplane.managed_resources
     set deleted_at = coalesce(deleted_at, now()),
         next_reconcile_at = now(),
         spec = case when p_allow_data_loss and kind in ('Database', 'Schema', 'Extension')
                     then spec || '{"allow_data_loss": true}'::jsonb else spec end,
         updated_at = now()
   where provider_config = p_provider_config and kind = p_kind and database = coalesce(p_database, '') and name = p_name
  returning id into v_id;
  if v_id is null then
    return false;
  end if;
  perform xplane.reconcile(v_id);
  return not exists (select 1 from xplane.managed_resources where id = v_id);
end
$$;
comment on function xplane.delete(xplane.resource_kind, text, text, text, boolean) is
  'Deletes a managed resource: drops the object (deletion_policy delete) or leaves it (orphan), refusing databases and schemas that hold user tables unless p_allow_data_loss. True when the record is gone; false when unknown or still pending (refused, failed, finalizers: see resource_status).';

create or replace function xplane.set_stack_mode(p_stack text, p_mode xplane.stack_mode)
returns void
language sql volatile
set search_path = xplane, pg_catalog
as $$
  insert into xplane.stacks (name, mode) values (p_stack, p_mode)
  on conflict (name) do update set mode = excluded.mode, updated_at = now()
$$;
comment on function xplane.set_stack_mode(text, xplane.stack_mode) is
  'enforce (default): reconcile changes the server. observe: reconcile only records drift as conditions and events.';
