-- Kind ServiceAccount: a LOGIN role with CONNECT on its database, USAGE on its schemas,
-- granular grants (and default privileges for future objects), membership, the role
-- attributes (normalize_role_attributes: login, superuser … settings, database_settings) and
-- comment. Its password arrives as a SCRAM-SHA-256 verifier and is kept only in
-- xplane.credentials. Shared machinery: 050_grants.sql, 052_role_catalog.sql, 055_role.sql.
-- docs/kinds/service_account.md.

create or replace function xplane.normalize_service_account(p_spec jsonb)
returns jsonb language plpgsql stable set search_path = xplane, pg_catalog as $$
declare
  v_db text;
begin
  perform xplane.spec_check_keys('ServiceAccount', p_spec,
    array['database', 'password', 'schemas', 'grants', 'member_of', 'memberships', 'comment'] || xplane.role_attribute_keys());
  v_db := xplane.spec_identifier('ServiceAccount', p_spec, 'database', null);
  if v_db is null then
    perform xplane.invalid_spec('ServiceAccount', 'database', 'is required (the database the account connects to)');
  end if;
  perform xplane.check_password('ServiceAccount', p_spec);
  return jsonb_build_object(
    'database', v_db,
    'schemas', xplane.spec_identifier_set('ServiceAccount', p_spec, 'schemas'),
    'grants', xplane.normalize_grants('ServiceAccount', p_spec -> 'grants', v_db))
    || xplane.normalize_memberships('ServiceAccount', p_spec)
    || xplane.normalize_role_attributes('ServiceAccount', p_spec) || xplane.spec_comment('ServiceAccount', p_spec);
end
$$;
comment on function xplane.normalize_service_account(jsonb) is
  'Validates and normalises a ServiceAccount spec: database required, grants default to it, lists sorted, role attributes with their defaults (normalize_role_attributes: LOGIN, INHERIT, nothing more), valid_until in UTC, password checked (a SCRAM-SHA-256 verifier) and removed.';

create or replace function xplane.service_account_implicit(p_spec jsonb)
returns jsonb language sql immutable parallel safe as $$
  -- What a service account holds besides `grants`: CONNECT on its database, USAGE on its schemas.
  select jsonb_build_array(xplane.grant_entry(p_spec ->> 'database', null, 'database', array['CONNECT'], false))
      || coalesce((select jsonb_agg(xplane.grant_entry(p_spec ->> 'database', s, 'schema', array['USAGE'], false))
                     from jsonb_array_elements_text(p_spec -> 'schemas') s), '[]'::jsonb)
$$;
comment on function xplane.service_account_implicit(jsonb) is
  'The implicit grants of a normalised ServiceAccount spec: CONNECT on its database and USAGE on each of its schemas.';

create or replace function xplane.service_account_scope(p_spec jsonb)
returns jsonb language sql immutable parallel safe as $$
  select coalesce(p_spec -> 'grants', '[]'::jsonb) || xplane.service_account_implicit(p_spec)
$$;
comment on function xplane.service_account_scope(jsonb) is
  'The databases and schemas where a service account''s grants are authoritative: its grants and implicit grants.';

create or replace function xplane.observe_many_roles(p_items jsonb, p_provider_config text)
returns jsonb language sql volatile set search_path = xplane, pg_catalog as $$
  -- Roles and ServiceAccounts together: one catalog read (role_batch_catalog) and one query
  -- (role_states) for both kinds. The scope of a service account's grants includes its
  -- implicit ones (service_account_scope).
  select xplane.role_states(p_items, b.r_cluster -> 'roles', b.r_previous, b.r_grants)
    from xplane.role_batch_parts(p_provider_config,
    (select coalesce(jsonb_agg(jsonb_build_object('name', e ->> 'name', 'scope',
              case when e ->> 'kind' = 'ServiceAccount' then xplane.service_account_scope(e -> 'spec') else e -> 'spec' -> 'grants' end,
              'members', jsonb_array_length(coalesce(e -> 'spec' -> 'members', '[]')) > 0)), '[]')
       from jsonb_array_elements(p_items) e)) b
$$;
comment on function xplane.observe_many_roles(jsonb, text) is
  'Batched observe of Roles and ServiceAccounts together: [{"kind","name","spec"(normalised)}] → observed states in input order (null when absent).';

create or replace function xplane.observe_many_service_account(p_items jsonb, p_provider_config text)
returns jsonb language sql volatile set search_path = xplane, pg_catalog as $$
  select xplane.observe_many_roles(
    (select coalesce(jsonb_agg(e || '{"kind": "ServiceAccount"}'::jsonb order by n), '[]') from jsonb_array_elements(p_items) with ordinality t(e, n)),
    p_provider_config)
$$;
comment on function xplane.observe_many_service_account(jsonb, text) is
  'Batched observe of ServiceAccounts: [{"name","spec"(normalised)}] → observed states in input order (null when absent).';

create or replace function xplane.service_account_password(p_provider_config text, p_name text, p_spec jsonb, p_always boolean)
returns text language plpgsql volatile set search_path = xplane, pg_catalog as $$
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
