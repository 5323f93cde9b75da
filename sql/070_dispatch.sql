-- One entry point per verb, dispatching by kind to xplane.<verb>_<snake_kind>. The per-kind
-- functions live in 040–069 (one file per kind). Their signatures are the contract in
-- docs/internals/contracts.md §2.

create or replace function xplane.normalize_spec(p_kind xplane.resource_kind, p_spec jsonb)
returns jsonb
language plpgsql stable
set search_path = xplane, pg_catalog
as $$
begin
  if p_spec is null or jsonb_typeof(p_spec) <> 'object' then
    perform xplane.invalid_spec(p_kind, 'spec', 'must be a JSON object');
  end if;
  -- A static dispatch (PL/pgSQL keeps its plans), not EXECUTE: this runs once per resource of
  -- a plan. A kind missing here raises case_not_found.
  case p_kind
    when 'Database' then return xplane.normalize_database(p_spec);
    when 'Schema' then return xplane.normalize_schema(p_spec);
    when 'Role' then return xplane.normalize_role(p_spec);
    when 'Extension' then return xplane.normalize_extension(p_spec);
    when 'ServiceAccount' then return xplane.normalize_service_account(p_spec);
  end case;
end
$$;
comment on function xplane.normalize_spec(xplane.resource_kind, jsonb) is
  'The one normalisation of a spec: defaults filled, lists sorted and de-duplicated, password removed. Raises SQLSTATE 22023 naming the field (Kind.field: problem) when the spec is invalid.';

create or replace function xplane.spec_diff(p_kind xplane.resource_kind, p_desired jsonb, p_observed jsonb)
returns text[]
language sql immutable parallel safe
as $$
  -- Compared: the keys the observed state carries (create-only and delete-only keys such as
  -- template or allow_data_loss are never observed). Extension.version/schema null = "any".
  select coalesce(array_agg(o.key order by o.key), '{}')
    from jsonb_each(p_observed) o
   where p_desired ? o.key
     and not (p_kind = 'Extension' and o.key in ('version', 'schema') and p_desired -> o.key = 'null'::jsonb)
     and p_desired -> o.key is distinct from o.value
$$;
comment on function xplane.spec_diff(xplane.resource_kind, jsonb, jsonb) is
  'Keys whose normalised desired value differs from the observed one (only keys the observed state carries). Empty array: in sync.';

create or replace function xplane.observer_of(p_kind xplane.resource_kind)
returns text
language sql immutable parallel safe
as $$
  select case when p_kind in ('Role', 'ServiceAccount') then 'observe_many_roles'
              else 'observe_many_' || xplane.snake_kind(p_kind) end
$$;
comment on function xplane.observer_of(xplane.resource_kind) is
  'The batched observe function of a kind: observe_many_<kind>, but one for Roles and ServiceAccounts together (observe_many_roles).';

create or replace function xplane.normalize_items(p_items jsonb)
returns jsonb
language plpgsql stable
set search_path = xplane, pg_catalog
as $$
declare
  v_out  jsonb;
  v_norm jsonb;
  v_err  text;
  v_kind xplane.resource_kind;
  v_item jsonb;
  v_list jsonb[] := '{}';
begin
  -- All at once first (no subtransaction per item); when one spec is invalid, again item by
  -- item, so that each invalid one gets its own error and the others their normalised spec.
  begin
    select coalesce(jsonb_agg(jsonb_build_object('kind', e ->> 'kind', 'name', e ->> 'name',
             'normalized', xplane.normalize_spec((e ->> 'kind')::xplane.resource_kind, coalesce(e -> 'spec', '{}'::jsonb)))
             order by n), '[]'::jsonb)
      into v_out
      from jsonb_array_elements(p_items) with ordinality t(e, n);
    return v_out;
  exception when others then
    null;
  end;
  for v_item in select e from jsonb_array_elements(p_items) e loop
    begin
      v_kind := (v_item ->> 'kind')::xplane.resource_kind;
      v_norm := xplane.normalize_spec(v_kind, coalesce(v_item -> 'spec', '{}'::jsonb));
      v_err := null;
    exception when others then
      v_norm := null;
      v_err := sqlerrm;
    end;
    v_list := v_list || (jsonb_build_object('kind', v_item ->> 'kind', 'name', v_item ->> 'name', 'normalized', v_norm)
      || case when v_err is null then '{}'::jsonb
              else jsonb_build_object('error', v_err, 'database', coalesce(v_item -> 'spec' ->> 'database', '')) end);
  end loop;
  return to_jsonb(v_list);
end
$$;
comment on function xplane.normalize_items(jsonb) is
  'Items [{"kind","name","spec"}] → [{"kind","name","normalized"}] in input order; an invalid spec yields normalized null, "error" (the message) and "database" (spec.database as given).';

create or replace function xplane.observe_many(p_items jsonb, p_provider_config text default 'default')
returns jsonb
language plpgsql volatile
set search_path = xplane, pg_catalog
set jit = off  -- catalog queries: never worth JIT compilation (see xplane.connection_string)
as $$
declare
  v_items    jsonb;
  v_observed jsonb := '{}';
  v_batch    record;
  v_obs      jsonb;
begin
  if p_items is null or jsonb_typeof(p_items) <> 'array' then
    raise exception 'observe_many: items must be a JSON array of {"kind", "name", "spec"}' using errcode = 'invalid_parameter_value';
  end if;
  v_items := xplane.normalize_items(p_items);
  -- One batched call per kind (Roles and ServiceAccounts together: one catalog read for
  -- both); each does one query per database involved. v_observed: {ordinal: observed}.
  for v_batch in
    select xplane.observer_of((t.e ->> 'kind')::xplane.resource_kind) as observer, array_agg(t.n order by t.n) as ords,
           jsonb_agg(jsonb_build_object('kind', t.e -> 'kind', 'name', t.e -> 'name', 'spec', t.e -> 'normalized') order by t.n) as items
      from jsonb_array_elements(v_items) with ordinality t(e, n)
     where t.e -> 'normalized' <> 'null'::jsonb
     group by 1
  loop
    execute format('select xplane.%I($1, $2)', v_batch.observer) into v_obs using v_batch.items, p_provider_config;
    v_observed := v_observed || (select jsonb_object_agg(o.ord, coalesce(v_obs -> (o.i::int - 1), 'null'::jsonb))
                                   from unnest(v_batch.ords) with ordinality o(ord, i));
  end loop;
  return (
    select coalesce(jsonb_agg(case when t.e ? 'error' then t.e || '{"observed": null}'::jsonb
             else t.e || jsonb_build_object(
                    'database', xplane.resource_database((t.e ->> 'kind')::xplane.resource_kind, t.e -> 'normalized'),
                    'observed', coalesce(v_observed -> t.n::text, 'null'::jsonb)) end order by t.n), '[]'::jsonb)
      from jsonb_array_elements(v_items) with ordinality t(e, n));
end
$$;
comment on function xplane.observe_many(jsonb, text) is
  'Batched observe: items [{"kind","name","spec"}] → [{"kind","name","database","normalized","observed"(, "error")}] in input order. Reads the catalogs (never the stored status); round trips grow with the number of databases, not of resources.';

create or replace function xplane.observe_resource(p_kind xplane.resource_kind, p_name text, p_spec jsonb,
                                                   p_provider_config text default 'default')
returns jsonb
language sql volatile
set search_path = xplane, pg_catalog
as $$
  select nullif(xplane.observe_many(jsonb_build_array(jsonb_build_object('kind', p_kind, 'name', p_name, 'spec', p_spec)),
                                    p_provider_config) -> 0 -> 'observed', 'null'::jsonb)
$$;
comment on function xplane.observe_resource(xplane.resource_kind, text, jsonb, text) is
  'The observed state of one object in the shape of its normalised spec, or null when it does not exist (observe_many of one item).';

create or replace function xplane.name_problem(p_kind xplane.resource_kind, p_name text)
returns text
language sql immutable parallel safe
as $$
  -- PostgreSQL would silently truncate a longer name, and xp would never find the object again.
  select case when xplane.identifier_problem(p_name) is not null
              then format('%s.name: %s', p_kind, xplane.identifier_problem(p_name)) end
$$;
comment on function xplane.name_problem(xplane.resource_kind, text) is
  'Why a name cannot be an object''s (Kind.name: …), or null when it can: 1 to 63 bytes.';

create or replace function xplane.action_refusal(p_action text, p_kind xplane.resource_kind, p_name text, p_spec jsonb,
                                                 p_provider_config text)
returns text
language plpgsql volatile
set search_path = xplane, pg_catalog
as $$
declare
  v_reason  text;
  v_changed text[];
begin
  -- A create only ever makes what does not exist (what xp depends on exists: a create of it
  -- finds it and becomes an update). Which attributes an update changes is read only for an
  -- object xp depends on: nothing more to read for any other.
  if p_action = 'create' then
    return null;
  end if;
  v_reason := xplane.protected_reason(p_kind, p_name, xplane.resource_database(p_kind, p_spec), p_provider_config);
  if v_reason is null then
    return null;
  end if;
  if p_action = 'update' then
    v_changed := xplane.spec_diff(p_kind, xplane.normalize_spec(p_kind, p_spec),
                                  xplane.observe_resource(p_kind, p_name, p_spec, p_provider_config));
  end if;
  return xplane.refusal_message(v_reason, p_action, p_kind, p_name, v_changed);
end
$$;
comment on function xplane.action_refusal(text, xplane.resource_kind, text, jsonb, text) is
  'run_action''s guard: the refusal (refusal_message) of this update/delete of an object xp depends on (an update''s changed attributes read from the catalogs), or null.';

create or replace function xplane.run_action(p_action text, p_kind xplane.resource_kind, p_name text, p_spec jsonb,
                                             p_provider_config text default 'default')
returns xplane.action_result
language plpgsql volatile
set search_path = xplane, pg_catalog
set jit = off  -- catalog queries: never worth JIT compilation (see xplane.connection_string)
as $$
declare
  v_result  xplane.action_result;
  v_refusal text;
  v_state text; v_msg text; v_detail text; v_hint text;
begin
  if p_action not in ('create', 'update', 'delete') then
    return xplane.result('error', format('unknown action %s', p_action));
  end if;
  if xplane.name_problem(p_kind, p_name) is not null then
    return xplane.result('invalid_spec', xplane.name_problem(p_kind, p_name));
  end if;
  begin
    v_refusal := xplane.action_refusal(p_action, p_kind, p_name, p_spec, p_provider_config);
    if v_refusal is not null then
      return xplane.result('error', v_refusal);
    end if;
    -- "select * from f()", not "select (f()).*": the latter calls f once per column.
    execute format('select * from xplane.%I($1, $2, $3)', p_action || '_' || xplane.snake_kind(p_kind))
      into v_result using p_name, p_spec, p_provider_config;
  exception when others then
    -- Actions do not raise; this only catches a bug, and still returns a result.
    get stacked diagnostics v_state = returned_sqlstate, v_msg = message_text, v_detail = pg_exception_detail, v_hint = pg_exception_hint;
    v_result := xplane.failure(v_state, v_msg, v_detail, v_hint);
  end;
  return v_result;
end
$$;
comment on function xplane.run_action(text, xplane.resource_kind, text, jsonb, text) is
  'Runs xplane.<create|update|delete>_<kind>(name, spec, provider_config) and returns its action_result, unless it would drop or strip what xp depends on (action_refusal: an error result, "refusing to …"); never raises.';
