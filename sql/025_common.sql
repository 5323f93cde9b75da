-- Small shared pieces: kind names and order, results and failure classification.

create or replace function xplane.snake_kind(p_kind xplane.resource_kind)
returns text language sql immutable strict parallel safe set search_path = xplane, pg_catalog as $$
  select pg_catalog.lower(pg_catalog.regexp_replace(p_kind::text, '([a-z])([A-Z])', '\1_\2', 'g'))
$$;
comment on function xplane.snake_kind(xplane.resource_kind) is
  'The snake_case form of a kind (ServiceAccount → service_account): the suffix of its per-kind functions.';

create or replace function xplane.kind_order(p_kind xplane.resource_kind)
returns integer language sql immutable strict parallel safe set search_path = xplane, pg_catalog as $$
  select case p_kind
    when 'Database' then 1 when 'Role' then 2 when 'Schema' then 3
    when 'Extension' then 4 when 'ServiceAccount' then 5 end
$$;
comment on function xplane.kind_order(xplane.resource_kind) is
  'Dependency order of kinds: Database → Role → Schema → Extension → ServiceAccount (deletes run in reverse).';

create or replace function xplane.resource_database(p_kind xplane.resource_kind, p_spec jsonb)
returns text language sql immutable parallel safe set search_path = xplane, pg_catalog as $$
  select case when p_kind in ('Schema', 'Extension') then coalesce(p_spec ->> 'database', '') else '' end
$$;
comment on function xplane.resource_database(xplane.resource_kind, jsonb) is
  'The database part of a resource''s identity: spec.database for per-database kinds (Schema, Extension), '''' for cluster-wide ones.';

create or replace function xplane.result(p_status xplane.status_code, p_message text, p_observed jsonb default null)
returns xplane.action_result language sql immutable parallel safe set search_path = xplane, pg_catalog as $$
  select row(p_status, p_message, p_observed)::xplane.action_result
$$;
comment on function xplane.result(xplane.status_code, text, jsonb) is
  'Builds an action_result.';

create or replace function xplane.invalid_spec(p_kind xplane.resource_kind, p_field text, p_problem text)
returns void language plpgsql volatile set search_path = xplane, pg_catalog as $$
begin
  raise exception '%.%: %', p_kind, p_field, p_problem
    using errcode = 'invalid_parameter_value',
          hint = 'Fix the field in the configuration and apply again.';
end
$$;
comment on function xplane.invalid_spec(xplane.resource_kind, text, text) is
  'Raises the one error (SQLSTATE 22023) that every normalize_<kind> and action uses for a bad spec; the message names the field as Kind.field.';

create or replace function xplane.redact_secrets(p_text text)
returns text language sql immutable parallel safe as $$
  select regexp_replace(p_text, 'SCRAM-SHA-256\$[^\s'']*', '(sensitive)', 'g')
$$;
comment on function xplane.redact_secrets(text) is
  'Replaces any SCRAM verifier in a message by (sensitive): a last guard for every failure message (xplane.failure).';

create or replace function xplane.failure(p_sqlstate text, p_message text, p_detail text default null, p_hint text default null)
returns xplane.action_result language sql immutable parallel safe set search_path = xplane, pg_catalog as $$
  select row(
    case
      when p_sqlstate = '42501' then 'permission_denied'
      when p_sqlstate in ('22023', '22P02', '42602', '42622', '22021', '22004') then 'invalid_spec'
      when p_sqlstate in ('42704', '3D000', '3F000', '42883') then 'dependency_not_ready'
      when p_sqlstate in ('42P04', '42P06', '42710') then 'already_exists'
      else 'error'
    end::xplane.status_code,
    xplane.redact_secrets(p_message)
      || coalesce(' (' || nullif(xplane.redact_secrets(p_detail), '') || ')', '')
      || coalesce(' Hint: ' || nullif(p_hint, ''), '')
      || ' [SQLSTATE ' || coalesce(p_sqlstate, 'XX000') || ']',
    null::jsonb)::xplane.action_result
$$;
comment on function xplane.failure(text, text, text, text) is
  'Turns a caught error into an action_result: SQLSTATE → status_code (42501 permission_denied, 22023 invalid_spec, missing role/database/schema dependency_not_ready, …); the message ends with [SQLSTATE xxxxx] so reconcile can classify it, and never carries a SCRAM verifier (redact_secrets).';

create or replace function xplane.classify_failure(p_result xplane.action_result)
returns xplane.failure_class language sql immutable parallel safe set search_path = xplane, pg_catalog as $$
  select case
    when (p_result).status_code = 'invalid_spec' then 'validation'
    when (p_result).status_code = 'dependency_not_ready' then 'transient'
    when (p_result).status_code = 'permission_denied' then 'permanent'
    when (p_result).message ~ '\[SQLSTATE (08|40|53|55|57)...\]$' then 'transient'
    when (p_result).message ~ 'tuple concurrently (updated|deleted)' then 'transient'
    else 'permanent'
  end::xplane.failure_class
$$;
comment on function xplane.classify_failure(xplane.action_result) is
  'transient (connection, deadlock, lock, object in use, missing dependency: retry with backoff), validation (invalid spec: no retry until the spec changes), permanent (permission or refusal: needs a human).';

create or replace function xplane.is_failure(p_status xplane.status_code)
returns boolean language sql immutable strict parallel safe set search_path = xplane, pg_catalog as $$
  select p_status in ('error', 'permission_denied', 'invalid_spec', 'dependency_not_ready')
$$;
comment on function xplane.is_failure(xplane.status_code) is
  'True for the status codes that mean the action did not reach the desired state.';
