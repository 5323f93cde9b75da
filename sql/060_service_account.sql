-- Kind ServiceAccount: a LOGIN role with CONNECT on its database, USAGE on its schemas,
-- granular grants (and default privileges for future objects), membership, connection limit,
-- expiry and comment. Its password arrives as a SCRAM-SHA-256 verifier and is kept only in
-- xplane.credentials. Shared machinery: 050_grants.sql, 052_role_catalog.sql, 055_role.sql.
-- docs/kinds/service_account.md.

create or replace function xplane.normalize_service_account(p_spec jsonb)
returns jsonb
language plpgsql stable
set search_path = xplane, pg_catalog
as $$
declare
  v_db text;
begin
  perform xplane.spec_check_keys('ServiceAccount', p_spec,
    array['database', 'password', 'schemas', 'grants', 'member_of', 'connection_limit', 'valid_until', 'comment']);
  v_db := xplane.spec_identifier('ServiceAccount', p_spec, 'database', null);
  if v_db is null then
    perform xplane.invalid_spec('ServiceAccount', 'database', 'is required (the database the account connects to)');
  end if;
  perform xplane.check_password('ServiceAccount', p_spec);
  return jsonb_build_object(
    'database', v_db,
    'schemas', xplane.spec_identifier_set('ServiceAccount', p_spec, 'schemas'),
    'grants', xplane.normalize_grants('ServiceAccount', p_spec -> 'grants', v_db),
    'member_of', xplane.spec_identifier_set('ServiceAccount', p_spec, 'member_of'),
    'connection_limit', xplane.spec_int('ServiceAccount', p_spec, 'connection_limit', -1, -1),
    'valid_until', xplane.normalize_valid_until('ServiceAccount', p_spec -> 'valid_until'),
    'comment', xplane.spec_comment('ServiceAccount', p_spec));
end
$$;
comment on function xplane.normalize_service_account(jsonb) is
  'Validates and normalises a ServiceAccount spec: database required, grants default to it, lists sorted, valid_until in UTC, password checked (a SCRAM-SHA-256 verifier) and removed.';

create or replace function xplane.service_account_implicit(p_spec jsonb)
returns jsonb
language sql immutable parallel safe
as $$
  -- What a service account holds besides `grants`: CONNECT on its database, USAGE on its schemas.
  select jsonb_build_array(xplane.grant_entry(p_spec ->> 'database', null, 'database', array['CONNECT'], false))
      || coalesce((select jsonb_agg(xplane.grant_entry(p_spec ->> 'database', s, 'schema', array['USAGE'], false))
                     from jsonb_array_elements_text(p_spec -> 'schemas') s), '[]'::jsonb)
$$;
comment on function xplane.service_account_implicit(jsonb) is
  'The implicit grants of a normalised ServiceAccount spec: CONNECT on its database and USAGE on each of its schemas.';

create or replace function xplane.service_account_observed(p_name text, p_spec jsonb, p_catalog jsonb)
returns jsonb
language sql stable
set search_path = xplane, pg_catalog
as $$
  select nullif(xplane.role_states(jsonb_build_array(jsonb_build_object('kind', 'ServiceAccount', 'name', p_name, 'spec', p_spec)),
                                   p_catalog) -> 0, 'null'::jsonb)
$$;
comment on function xplane.service_account_observed(text, jsonb, jsonb) is
  'The observed state of a ServiceAccount in the shape of its normalised spec (never a password): database when it holds CONNECT there, schemas where it holds USAGE, grants, membership, limits, comment. role_states of one.';

create or replace function xplane.service_account_scope(p_spec jsonb)
returns jsonb
language sql immutable parallel safe
as $$
  select coalesce(p_spec -> 'grants', '[]'::jsonb) || xplane.service_account_implicit(p_spec)
$$;
comment on function xplane.service_account_scope(jsonb) is
  'The databases and schemas where a service account''s grants are authoritative: its grants and implicit grants.';

create or replace function xplane.observe_many_roles(p_items jsonb, p_provider_config text)
returns jsonb
language sql volatile
set search_path = xplane, pg_catalog
as $$
  -- Roles and ServiceAccounts together: one catalog read (role_batch_catalog) and one query
  -- (role_states) for both kinds. The scope of a service account's grants includes its
  -- implicit ones (service_account_scope).
  select xplane.role_states(p_items, xplane.role_batch_catalog(p_provider_config,
    (select coalesce(jsonb_agg(jsonb_build_object('name', e ->> 'name', 'scope',
              case when e ->> 'kind' = 'ServiceAccount' then xplane.service_account_scope(e -> 'spec') else e -> 'spec' -> 'grants' end)), '[]')
       from jsonb_array_elements(p_items) e)))
$$;
comment on function xplane.observe_many_roles(jsonb, text) is
  'Batched observe of Roles and ServiceAccounts together: [{"kind","name","spec"(normalised)}] → observed states in input order (null when absent).';

create or replace function xplane.observe_many_service_account(p_items jsonb, p_provider_config text)
returns jsonb
language sql volatile
set search_path = xplane, pg_catalog
as $$
  select xplane.observe_many_roles(
    (select coalesce(jsonb_agg(e || '{"kind": "ServiceAccount"}'::jsonb order by n), '[]') from jsonb_array_elements(p_items) with ordinality t(e, n)),
    p_provider_config)
$$;
comment on function xplane.observe_many_service_account(jsonb, text) is
  'Batched observe of ServiceAccounts: [{"name","spec"(normalised)}] → observed states in input order (null when absent).';

create or replace function xplane.service_account_catalog(p_provider_config text, p_name text, p_spec jsonb)
returns jsonb
language sql volatile
set search_path = xplane, pg_catalog
as $$
  select xplane.role_catalog_of(p_provider_config, p_name, xplane.service_account_scope(p_spec))
$$;
comment on function xplane.service_account_catalog(text, text, jsonb) is
  'role_catalog_of for one service account, within its grants and implicit grants.';

create or replace function xplane.service_account_password(p_provider_config text, p_name text, p_spec jsonb, p_always boolean)
returns text
language plpgsql volatile
set search_path = xplane, pg_catalog
as $$
declare
  v_cred xplane.credentials;
begin
  -- A verifier in the spec (a direct call) is stored first; the stored one is what is set.
  -- p_always: set it even when the server already has it (the role was just created).
  if xplane.check_password('ServiceAccount', p_spec) is not null then
    perform xplane.credential_put(p_provider_config, p_name, p_spec ->> 'password');
  end if;
  v_cred := xplane.credential_get(p_provider_config, p_name);
  if v_cred.verifier is null or not (p_always or v_cred.applied_at is null) then
    return null;
  end if;
  -- The verifier travels inside remote_exec's p_sql parameter only (a bind parameter).
  perform xplane.role_exec(p_provider_config, p_name, array[format('alter role %I with password %L', p_name, v_cred.verifier)]);
  perform xplane.credential_applied(p_provider_config, p_name, v_cred.verifier);
  return 'password';
end
$$;
comment on function xplane.service_account_password(text, text, jsonb, boolean) is
  'Sets the stored SCRAM verifier of a service account on the server when it is new (or always, after a create); returns ''password'' when it did, null otherwise. Never returns or logs the verifier.';

create or replace function xplane.create_service_account(p_name text, p_spec jsonb, p_provider_config text default 'default')
returns xplane.action_result
language sql volatile
set search_path = xplane, pg_catalog
as $$
  select (xplane.create_roles(p_provider_config, jsonb_build_array(jsonb_build_object('kind', 'ServiceAccount', 'name', p_name, 'spec', p_spec))))[1]
$$;
comment on function xplane.create_service_account(text, jsonb, text) is
  'Creates a LOGIN role with its stored SCRAM verifier, CONNECT on its database, USAGE on its schemas, grants (and default privileges), membership, limits and comment (create_roles of one). already_exists when the role exists.';

create or replace function xplane.update_service_account(p_name text, p_spec jsonb, p_provider_config text default 'default')
returns xplane.action_result
language plpgsql volatile
set search_path = xplane, pg_catalog
as $$
declare
  v_spec jsonb;
  v_cat  jsonb;
  v_obs  jsonb;
  v_role jsonb;
  v_pw   text;
  v_n    integer;
  v_what text[];
  v_missing text;
  v_state text; v_msg text; v_detail text; v_hint text;
begin
  v_spec := xplane.normalize_service_account(p_spec);
  v_cat := xplane.service_account_catalog(p_provider_config, p_name, v_spec);
  v_role := v_cat -> 'cluster' -> 'roles' -> p_name;
  if v_role is null then
    return xplane.result('not_found', format('role "%s" does not exist', p_name), null);
  end if;
  v_obs := xplane.service_account_observed(p_name, v_spec, v_cat);
  v_n := xplane.role_converge(p_provider_config, p_name, v_spec, v_role, v_cat, xplane.service_account_implicit(v_spec),
           case when not (v_role ->> 'login')::boolean or not (v_role ->> 'inherit')::boolean
                then array[format('alter role %I with login inherit', p_name)] else '{}' end);
  v_pw := xplane.service_account_password(p_provider_config, p_name, p_spec, false);
  v_what := xplane.spec_diff('ServiceAccount', v_spec, v_obs) || coalesce(v_pw, '');
  v_what := array_remove(v_what, '');
  v_missing := xplane.grants_missing(xplane.service_account_scope(v_spec), v_cat -> 'grants');
  if v_n = 0 and v_pw is null and v_missing is null then
    return xplane.result('no_change', format('service account "%s" is up to date', p_name), v_obs);
  end if;
  v_cat := xplane.service_account_catalog(p_provider_config, p_name, v_spec);
  if v_missing is not null then
    return xplane.result('dependency_not_ready', format('service account "%s": its grants wait for %s', p_name, v_missing),
                         xplane.service_account_observed(p_name, v_spec, v_cat));
  end if;
  return xplane.result('updated', format('service account "%s" updated (%s)', p_name, array_to_string(v_what, ', ')),
                       xplane.service_account_observed(p_name, v_spec, v_cat));
exception when others then
  get stacked diagnostics v_state = returned_sqlstate, v_msg = message_text, v_detail = pg_exception_detail, v_hint = pg_exception_hint;
  return xplane.failure(v_state, xplane.redact_secrets(v_msg), xplane.redact_secrets(v_detail), v_hint);
end
$$;
comment on function xplane.update_service_account(text, jsonb, text) is
  'Converges an existing service account with deltas only; sets a new stored verifier (rotation). no_change when in sync, not_found when absent.';

create or replace function xplane.delete_service_account(p_name text, p_spec jsonb, p_provider_config text default 'default')
returns xplane.action_result
language plpgsql volatile
set search_path = xplane, pg_catalog
as $$
declare
  v_result xplane.action_result;
  v_state text; v_msg text; v_detail text; v_hint text;
begin
  -- A service account is a role: drop it as delete_role does, then forget its verifier
  -- once the role is gone (dropped now, or already absent).
  v_result := xplane.delete_role(p_name, p_spec, p_provider_config);
  if (v_result).status_code in ('success', 'not_found') then
    perform xplane.credential_forget(p_provider_config, p_name);
  end if;
  return v_result;
exception when others then
  get stacked diagnostics v_state = returned_sqlstate, v_msg = message_text, v_detail = pg_exception_detail, v_hint = pg_exception_hint;
  return xplane.failure(v_state, v_msg, v_detail, v_hint);
end
$$;
comment on function xplane.delete_service_account(text, jsonb, text) is
  'Drops a service account (REASSIGN OWNED / DROP OWNED wherever needed, or a refusal naming what stands in the way) and forgets its stored verifier.';
