-- Credentials of service accounts: the SCRAM-SHA-256 verifier xp set, kept where only the
-- provider's owner can read it (as pg_authid keeps it), so that reconcile can re-create an
-- account someone dropped. Never a plaintext password; never in spec, status, events,
-- conditions or messages.

create table if not exists xplane.credentials (
  provider_config text        not null,
  role_name       text        not null,
  verifier        text        not null,
  updated_at      timestamptz not null default pg_catalog.clock_timestamp(),
  applied_at      timestamptz,
  primary key (provider_config, role_name),
  constraint credentials_is_scram check (verifier like 'SCRAM-SHA-256$%')
);
comment on table xplane.credentials is 'SCRAM-SHA-256 verifier of each service account (never a plaintext password). applied_at null: the server has not received this verifier yet. Owner only.';
revoke all on table xplane.credentials from public;

create or replace function xplane.is_scram_verifier(p_value text)
returns boolean language plpgsql immutable parallel safe set search_path = xplane, pg_catalog as $$
declare
  m text[];
begin
  -- SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey> (RFC 5803), keys 32 bytes.
  -- Checked strictly: PostgreSQL would hash a malformed "verifier" as if it were a password.
  m := regexp_match(p_value, '^SCRAM-SHA-256\$([0-9]{1,9}):([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2}):([A-Za-z0-9+/]+={0,2})$');
  if m is null or m[1]::int < 1 then
    return false;
  end if;
  return length(decode(m[2], 'base64')) > 0
     and length(decode(m[3], 'base64')) = 32
     and length(decode(m[4], 'base64')) = 32;
exception when others then
  return false;
end
$$;
comment on function xplane.is_scram_verifier(text) is
  'True when the value is a well-formed SCRAM-SHA-256 verifier (RFC 5803, 32-byte keys).';

create or replace function xplane.check_password(p_kind xplane.resource_kind, p_spec jsonb)
returns text language plpgsql immutable set search_path = xplane, pg_catalog as $$
begin
  if p_spec -> 'password' is null or p_spec -> 'password' = 'null'::jsonb then
    return null;
  end if;
  if jsonb_typeof(p_spec -> 'password') <> 'string' or not xplane.is_scram_verifier(p_spec ->> 'password') then
    -- Never repeat the value: it may be a plaintext password typed by mistake.
    perform xplane.invalid_spec(p_kind, 'password',
      'must be a SCRAM-SHA-256 verifier computed by the client (iterations, salt and keys, RFC 5803); plaintext passwords are refused so that they never reach the server');
  end if;
  return p_spec ->> 'password';
end
$$;
comment on function xplane.check_password(xplane.resource_kind, jsonb) is
  'The password of a spec when it is a SCRAM-SHA-256 verifier, null when absent; anything else is invalid_spec (without repeating the value).';

create or replace function xplane.credential_put(p_provider_config text, p_role text, p_verifier text)
returns boolean language plpgsql volatile set search_path = xplane, pg_catalog as $$
begin
  if not xplane.is_scram_verifier(p_verifier) then
    perform xplane.invalid_spec('ServiceAccount', 'password', 'must be a SCRAM-SHA-256 verifier computed by the client (RFC 5803)');
  end if;
  insert into xplane.credentials as c (provider_config, role_name, verifier)
  values (p_provider_config, p_role, p_verifier)
  on conflict (provider_config, role_name) do update
     set verifier = excluded.verifier, updated_at = pg_catalog.clock_timestamp(), applied_at = null
   where c.verifier is distinct from excluded.verifier;
  return found;
end
$$;
comment on function xplane.credential_put(text, text, text) is
  'Stores the verifier of a service account (what xplane.apply does with spec.password before it stores the spec). True when it changed: the next create/update sets it on the server.';

create or replace function xplane.credential_get(p_provider_config text, p_role text)
returns xplane.credentials language sql stable set search_path = xplane, pg_catalog as $$
  select * from xplane.credentials where provider_config = p_provider_config and role_name = p_role
$$;
comment on function xplane.credential_get(text, text) is
  'The stored credential of a service account (null when none). Owner only.';
revoke all on function xplane.credential_get(text, text) from public;

create or replace function xplane.credential_applied(p_provider_config text, p_role text, p_verifier text)
returns void language sql volatile set search_path = xplane, pg_catalog as $$
  update xplane.credentials set applied_at = pg_catalog.clock_timestamp()
   where provider_config = p_provider_config and role_name = p_role and verifier = p_verifier
$$;
comment on function xplane.credential_applied(text, text, text) is
  'Records that the server received this verifier.';

create or replace function xplane.credential_forget(p_provider_config text, p_role text)
returns void language sql volatile set search_path = xplane, pg_catalog as $$
  delete from xplane.credentials where provider_config = p_provider_config and role_name = p_role
$$;
comment on function xplane.credential_forget(text, text) is
  'Removes the stored credential of a dropped service account.';

-- Secrets reach the server as COPY data, never in a statement or a bind parameter: the server
-- logs statements and their parameters (log_statement, log_min_error_statement,
-- log_min_duration_statement), never the rows of a COPY … FROM STDIN. The client copies one
-- hex-encoded JSON document into its session's temporary table pg_temp.xp_secret_input, and
-- the call that needs it reads it with this function (src/secrets/secret-input.ts).
create or replace function xplane.secret_input()
returns jsonb language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_rows text[];
begin
  if pg_catalog.to_regclass('pg_temp.xp_secret_input') is null then
    raise exception 'no secret input in this session (pg_temp.xp_secret_input is absent)'
      using errcode = 'object_not_in_prerequisite_state';
  end if;
  with taken as (delete from pg_temp.xp_secret_input returning payload)
  select array_agg(payload) into v_rows from taken;
  if coalesce(cardinality(v_rows), 0) <> 1 then
    raise exception 'expected one secret input in this session, found %', coalesce(cardinality(v_rows), 0)
      using errcode = 'object_not_in_prerequisite_state';
  end if;
  begin
    return convert_from(decode(v_rows[1], 'hex'), 'UTF8')::jsonb;
  exception when others then
    -- Never repeat the value: the CONTEXT of a JSON or encoding error quotes the input.
    raise exception 'the secret input is not hex-encoded UTF-8 JSON' using errcode = 'invalid_parameter_value';
  end;
end
$$;
comment on function xplane.secret_input() is
  'Takes (reads and deletes) the one JSON document the client sent as COPY data into pg_temp.xp_secret_input: how credentials reach the server without being in a statement or a parameter, which the server may log.';
