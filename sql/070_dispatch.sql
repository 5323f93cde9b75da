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

create or replace function xplane.observe_many(p_items jsonb, p_provider_config text default 'default')
returns jsonb
language plpgsql volatile
set search_path = xplane, pg_catalog
set jit = off  -- catalog queries: never worth JIT compilation (see xplane.connection_string)
as $$
declare
  v_n       integer := coalesce(jsonb_array_length(p_items), 0);
  v_out     jsonb[] := array_fill(null::jsonb, array[greatest(v_n, 1)]);
  v_kind    xplane.resource_kind;
  v_observer text;
  v_ords    integer[];
  v_sub     jsonb;
  v_obs     jsonb;
  v_item    jsonb;
  v_norm    jsonb;
  v_err     text;
  i         integer;
begin
  if p_items is null or jsonb_typeof(p_items) <> 'array' then
    raise exception 'observe_many: items must be a JSON array of {"kind", "name", "spec"}' using errcode = 'invalid_parameter_value';
  end if;
  -- Normalise every item; an invalid spec yields normalized = null and an error, not an exception.
  for i in 1 .. v_n loop
    v_item := p_items -> (i - 1);
    begin
      v_kind := (v_item ->> 'kind')::xplane.resource_kind;
      v_norm := xplane.normalize_spec(v_kind, coalesce(v_item -> 'spec', '{}'::jsonb));
      v_err := null;
    exception when others then
      v_norm := null;
      v_err := sqlerrm;
    end;
    v_out[i] := jsonb_build_object('kind', v_item ->> 'kind', 'name', v_item ->> 'name',
      'database', case when v_norm is null then coalesce(v_item -> 'spec' ->> 'database', '')
                       else xplane.resource_database(v_kind, v_norm) end,
      'normalized', v_norm, 'observed', null)
      || case when v_err is null then '{}'::jsonb else jsonb_build_object('error', v_err) end;
  end loop;
  -- One batched call per kind (Roles and ServiceAccounts together: one catalog read for
  -- both); each does one query per database involved.
  for v_observer in
    select distinct xplane.observer_of((e ->> 'kind')::xplane.resource_kind)
      from unnest(v_out[1:v_n]) e where e -> 'normalized' <> 'null'::jsonb
  loop
    select array_agg(t.ord order by t.ord),
           jsonb_agg(jsonb_build_object('kind', t.e ->> 'kind', 'name', t.e ->> 'name', 'spec', t.e -> 'normalized') order by t.ord)
      into v_ords, v_sub
      from unnest(v_out[1:v_n]) with ordinality t(e, ord)
     where xplane.observer_of((t.e ->> 'kind')::xplane.resource_kind) = v_observer and t.e -> 'normalized' <> 'null'::jsonb;
    execute format('select xplane.%I($1, $2)', v_observer) into v_obs using v_sub, p_provider_config;
    for i in 1 .. array_length(v_ords, 1) loop
      v_out[v_ords[i]] := jsonb_set(v_out[v_ords[i]], '{observed}', coalesce(v_obs -> (i - 1), 'null'::jsonb));
    end loop;
  end loop;
  return coalesce(to_jsonb(v_out[1:v_n]), '[]'::jsonb);
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
  select case when p_name is null or p_name = '' or octet_length(p_name) > 63
              then format('%s.name: must be 1 to 63 bytes long (NAMEDATALEN), got %s bytes', p_kind, coalesce(octet_length(p_name), 0)) end
$$;
comment on function xplane.name_problem(xplane.resource_kind, text) is
  'Why a name cannot be an object''s (Kind.name: …), or null when it can: 1 to 63 bytes.';

create or replace function xplane.run_action(p_action text, p_kind xplane.resource_kind, p_name text, p_spec jsonb,
                                             p_provider_config text default 'default')
returns xplane.action_result
language plpgsql volatile
set search_path = xplane, pg_catalog
set jit = off  -- catalog queries: never worth JIT compilation (see xplane.connection_string)
as $$
declare
  v_result xplane.action_result;
  v_state text; v_msg text; v_detail text; v_hint text;
begin
  if p_action not in ('create', 'update', 'delete') then
    return xplane.result('error', format('unknown action %s', p_action));
  end if;
  if xplane.name_problem(p_kind, p_name) is not null then
    return xplane.result('invalid_spec', xplane.name_problem(p_kind, p_name));
  end if;
  begin
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
  'Runs xplane.<create|update|delete>_<kind>(name, spec, provider_config) and returns its action_result; never raises.';
