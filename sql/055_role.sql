-- Kind Role: a NOLOGIN group role (RBAC) with attributes, membership, settings, grants and a
-- comment. Shared machinery: 050_grants.sql, 052_role_catalog.sql. docs/kinds/role.md.

create or replace function xplane.normalize_role(p_spec jsonb)
returns jsonb
language plpgsql stable
set search_path = xplane, pg_catalog
as $$
begin
  perform xplane.spec_check_keys('Role', p_spec,
    array['inherit', 'createdb', 'createrole', 'connection_limit', 'member_of', 'settings', 'grants', 'comment']);
  return jsonb_build_object(
    'inherit', xplane.spec_bool('Role', p_spec, 'inherit', true),
    'createdb', xplane.spec_bool('Role', p_spec, 'createdb', false),
    'createrole', xplane.spec_bool('Role', p_spec, 'createrole', false),
    'connection_limit', xplane.spec_int('Role', p_spec, 'connection_limit', -1, -1),
    'member_of', xplane.spec_text_set('Role', p_spec, 'member_of'),
    'settings', xplane.normalize_role_settings('Role', p_spec -> 'settings'),
    'grants', xplane.normalize_grants('Role', p_spec -> 'grants', null),
    'comment', xplane.spec_comment('Role', p_spec));
end
$$;
comment on function xplane.normalize_role(jsonb) is
  'Validates and normalises a Role spec: defaults (inherit true, createdb/createrole false, connection_limit -1), member_of sorted, settings canonical, grants normalised (each names its database).';

create or replace function xplane.role_batch_catalog(p_provider_config text, p_items jsonb)
returns jsonb
language plpgsql volatile
set search_path = xplane, pg_catalog
as $$
declare
  v_roles    jsonb;
  v_requests jsonb := '{}';
  v_previous jsonb := '{}';
  v_scopes   jsonb := '{}';
  v_item     jsonb;
begin
  -- p_items: [{"name", "scope": <grants-shaped list naming databases and schemas>}].
  -- One query for every role cluster-wide, then one per database for every grant in it.
  v_roles := xplane.roles_catalog(p_provider_config,
               array(select e ->> 'name' from jsonb_array_elements(p_items) e));
  for v_item in select value from jsonb_array_elements(p_items) loop
    v_previous := v_previous || jsonb_build_object(v_item ->> 'name',
                    xplane.grant_scope_previous(p_provider_config, v_item ->> 'name'));
    v_scopes := v_scopes || jsonb_build_object(v_item ->> 'name',
                  coalesce(v_item -> 'scope', '[]') || (v_previous -> (v_item ->> 'name')));
    continue when not (v_roles -> 'roles' ? (v_item ->> 'name'));
    v_requests := xplane.grants_request(v_requests, v_item ->> 'name', v_scopes -> (v_item ->> 'name'));
  end loop;
  return jsonb_build_object('cluster', v_roles, 'previous_scope', v_previous, 'scopes', v_scopes,
    'grants', xplane.grants_catalog(p_provider_config, v_requests,
                array(select jsonb_array_elements_text(v_roles -> 'databases'))));
end
$$;
comment on function xplane.role_batch_catalog(text, jsonb) is
  'Catalog of a batch of roles (Role and ServiceAccount): {"cluster": roles_catalog, "grants": {db: grants_catalog}, "previous_scope": {role: grants}, "scopes": {role: grants-shaped list of where it is authoritative}}, in 1 + (number of databases) round trips. The scope of each role includes where its grants were at its last apply (grant_scopes).';

create or replace function xplane.role_catalog_of(p_provider_config text, p_name text, p_scope jsonb)
returns jsonb
language sql volatile
set search_path = xplane, pg_catalog
as $$
  select xplane.role_batch_catalog(p_provider_config, jsonb_build_array(jsonb_build_object('name', p_name, 'scope', p_scope)))
$$;
comment on function xplane.role_catalog_of(text, text, jsonb) is
  'role_batch_catalog for one role (Role or ServiceAccount) whose grants are authoritative within p_scope (a grants-shaped list).';

create or replace function xplane.role_observed(p_name text, p_spec jsonb, p_catalog jsonb)
returns jsonb
language sql stable
set search_path = xplane, pg_catalog
as $$
  select case when r is null then null else jsonb_build_object(
    'inherit', r -> 'inherit',
    'createdb', r -> 'createdb',
    'createrole', r -> 'createrole',
    'connection_limit', r -> 'connection_limit',
    'member_of', r -> 'member_of',
    'settings', r -> 'settings',
    'grants', xplane.grants_observed(p_name, p_spec -> 'grants', p_catalog -> 'previous_scope' -> p_name, p_catalog -> 'grants'),
    'comment', r -> 'comment') end
    from (select p_catalog -> 'cluster' -> 'roles' -> p_name as r) x
$$;
comment on function xplane.role_observed(text, jsonb, jsonb) is
  'The observed state of a Role, in the shape of its normalised spec, from role_batch_catalog (null when absent).';

create or replace function xplane.observe_many_role(p_items jsonb, p_provider_config text)
returns jsonb
language plpgsql volatile
set search_path = xplane, pg_catalog
as $$
declare
  v_cat jsonb;
begin
  v_cat := xplane.role_batch_catalog(p_provider_config,
    (select coalesce(jsonb_agg(jsonb_build_object('name', e ->> 'name', 'scope', e -> 'spec' -> 'grants') order by n), '[]')
       from jsonb_array_elements(p_items) with ordinality t(e, n)));
  return (select coalesce(jsonb_agg(coalesce(xplane.role_observed(e ->> 'name', e -> 'spec', s.slice), 'null'::jsonb) order by n), '[]')
            from jsonb_array_elements(p_items) with ordinality t(e, n)
            left join xplane.role_catalog_slices(v_cat, array(select x ->> 'name' from jsonb_array_elements(p_items) x)) s
              on s.name = e ->> 'name');
end
$$;
comment on function xplane.observe_many_role(jsonb, text) is
  'Batched observe of Roles: [{"name","spec"(normalised)}] → observed states in input order (null when absent).';

create or replace function xplane.role_converge(p_provider_config text, p_name text, p_spec jsonb, p_observed jsonb,
                                                p_catalog jsonb, p_implicit jsonb, p_extra text[] default '{}')
returns integer
language plpgsql volatile
set search_path = xplane, pg_catalog
as $$
declare
  v_stmts text[];
  v_delta jsonb;
  v_n     integer;
begin
  -- Role attributes first (one transaction under role:<name>), then the grant deltas per
  -- database / schema. Returns the number of steps run (0: already in sync).
  v_stmts := p_extra || xplane.role_alter_statements(p_name, p_spec, p_observed);
  perform xplane.role_exec(p_provider_config, p_name, v_stmts);
  v_delta := xplane.grants_delta(p_name, p_spec -> 'grants',
               coalesce(p_implicit, '[]') || coalesce(p_catalog -> 'previous_scope' -> p_name, '[]'), p_catalog -> 'grants');
  v_n := cardinality(v_stmts) + xplane.grants_apply(p_provider_config, v_delta);
  perform xplane.grant_scope_record(p_provider_config, p_name, coalesce(p_spec -> 'grants', '[]') || coalesce(p_implicit, '[]'));
  return v_n;
end
$$;
comment on function xplane.role_converge(text, text, jsonb, jsonb, jsonb, jsonb, text[]) is
  'Turns an existing role into its normalised spec: ALTER ROLE / COMMENT / SET / membership, then GRANT/REVOKE deltas. Shared by Role and ServiceAccount.';

create or replace function xplane.create_role(p_name text, p_spec jsonb, p_provider_config text default 'default')
returns xplane.action_result
language plpgsql volatile
set search_path = xplane, pg_catalog
as $$
declare
  v_spec jsonb;
  v_cat  jsonb;
  v_missing text;
  v_state text; v_msg text; v_detail text; v_hint text;
begin
  v_spec := xplane.normalize_role(p_spec);
  v_cat := xplane.role_catalog_of(p_provider_config, p_name, v_spec -> 'grants');
  if v_cat -> 'cluster' -> 'roles' ? p_name then
    return xplane.result('already_exists', format('role "%s" already exists', p_name), xplane.role_observed(p_name, v_spec, v_cat));
  end if;
  perform xplane.role_exec(p_provider_config, p_name, array[format('create role %I with nologin %s %s %s connection limit %s',
    p_name,
    case when (v_spec ->> 'inherit')::boolean then 'inherit' else 'noinherit' end,
    case when (v_spec ->> 'createdb')::boolean then 'createdb' else 'nocreatedb' end,
    case when (v_spec ->> 'createrole')::boolean then 'createrole' else 'nocreaterole' end,
    (v_spec ->> 'connection_limit')::integer)]);
  v_cat := xplane.role_catalog_of(p_provider_config, p_name, v_spec -> 'grants');
  perform xplane.role_converge(p_provider_config, p_name, v_spec, v_cat -> 'cluster' -> 'roles' -> p_name, v_cat, '[]');
  v_cat := xplane.role_catalog_of(p_provider_config, p_name, v_spec -> 'grants');
  v_missing := xplane.grants_missing(v_spec -> 'grants', v_cat -> 'grants');
  if v_missing is not null then
    return xplane.result('dependency_not_ready', format('role "%s" created; its grants wait for %s', p_name, v_missing),
                         xplane.role_observed(p_name, v_spec, v_cat));
  end if;
  return xplane.result('success', format('role "%s" created', p_name), xplane.role_observed(p_name, v_spec, v_cat));
exception when others then
  get stacked diagnostics v_state = returned_sqlstate, v_msg = message_text, v_detail = pg_exception_detail, v_hint = pg_exception_hint;
  return xplane.failure(v_state, v_msg, v_detail, v_hint);
end
$$;
comment on function xplane.create_role(text, jsonb, text) is
  'Creates a NOLOGIN role with its attributes, settings, comment, membership and grants. already_exists (with the observed state) when the role exists.';

create or replace function xplane.update_role(p_name text, p_spec jsonb, p_provider_config text default 'default')
returns xplane.action_result
language plpgsql volatile
set search_path = xplane, pg_catalog
as $$
declare
  v_spec jsonb;
  v_cat  jsonb;
  v_obs  jsonb;
  v_role jsonb;
  v_n    integer;
  v_missing text;
  v_state text; v_msg text; v_detail text; v_hint text;
begin
  v_spec := xplane.normalize_role(p_spec);
  v_cat := xplane.role_catalog_of(p_provider_config, p_name, v_spec -> 'grants');
  v_role := v_cat -> 'cluster' -> 'roles' -> p_name;
  if v_role is null then
    return xplane.result('not_found', format('role "%s" does not exist', p_name), null);
  end if;
  v_obs := xplane.role_observed(p_name, v_spec, v_cat);
  v_n := xplane.role_converge(p_provider_config, p_name, v_spec, v_role, v_cat, '[]',
           case when (v_role ->> 'login')::boolean then array[format('alter role %I with nologin', p_name)] else '{}' end);
  v_missing := xplane.grants_missing(v_spec -> 'grants', v_cat -> 'grants');
  if v_n = 0 and v_missing is null then
    return xplane.result('no_change', format('role "%s" is up to date', p_name), v_obs);
  end if;
  v_cat := xplane.role_catalog_of(p_provider_config, p_name, v_spec -> 'grants');
  if v_missing is not null then
    return xplane.result('dependency_not_ready', format('role "%s": its grants wait for %s', p_name, v_missing),
                         xplane.role_observed(p_name, v_spec, v_cat));
  end if;
  return xplane.result('updated', format('role "%s" updated (%s)', p_name,
    array_to_string(xplane.spec_diff('Role', v_spec, v_obs), ', ')), xplane.role_observed(p_name, v_spec, v_cat));
exception when others then
  get stacked diagnostics v_state = returned_sqlstate, v_msg = message_text, v_detail = pg_exception_detail, v_hint = pg_exception_hint;
  return xplane.failure(v_state, v_msg, v_detail, v_hint);
end
$$;
comment on function xplane.update_role(text, jsonb, text) is
  'Converges an existing role to its spec with deltas only (ALTER ROLE, SET/RESET, GRANT/REVOKE membership and privileges). no_change when in sync, not_found when absent.';

create or replace function xplane.delete_role(p_name text, p_spec jsonb, p_provider_config text default 'default')
returns xplane.action_result
language plpgsql volatile
set search_path = xplane, pg_catalog
as $$
declare
  v_cat    jsonb;
  v_result xplane.action_result;
  v_state text; v_msg text; v_detail text; v_hint text;
begin
  v_cat := xplane.roles_catalog(p_provider_config, array[p_name]);
  if not (v_cat -> 'roles' ? p_name) then
    perform xplane.grant_scope_record(p_provider_config, p_name, '[]');
    return xplane.result('not_found', format('role "%s" does not exist', p_name), null);
  end if;
  v_result := xplane.drop_role_everywhere(p_provider_config, p_name, v_cat -> 'roles' -> p_name);
  if (v_result).status_code = 'success' then
    perform xplane.grant_scope_record(p_provider_config, p_name, '[]');
  end if;
  return v_result;
exception when others then
  get stacked diagnostics v_state = returned_sqlstate, v_msg = message_text, v_detail = pg_exception_detail, v_hint = pg_exception_hint;
  return xplane.failure(v_state, v_msg, v_detail, v_hint);
end
$$;
comment on function xplane.delete_role(text, jsonb, text) is
  'Drops a role; what it owns is reassigned to the role xp runs as and its privileges dropped, in every database where they are (or a refusal naming them).';

create or replace function xplane.role_catalog_slices(p_catalog jsonb, p_names text[])
returns table (name text, slice jsonb)
language sql immutable parallel safe
set search_path = xplane, pg_catalog
as $$
  -- Cuts a batch catalog (role_batch_catalog) into one small catalog per role, in the same
  -- shape. Every subtree is unnested once: per-role lookups in the whole catalog would copy
  -- its large subtrees for every role (quadratic in the batch size). A role's slice holds the
  -- schemas of its own scope (where its grants are authoritative: the only ones its observe
  -- looks at) and those where it holds anything, not every schema of the batch: with one
  -- schema per tenant that would again be quadratic (1,000 tenants: 10 s).
  with names as (select distinct unnest(p_names) as name),
  dbs as (select d.key as db, d.value ->> 'me' as me, d.value ->> 'db_owner' as db_owner,
                 d.value -> 'db_held' as db_held, d.value -> 'schemas' as schemas
            from jsonb_each(coalesce(p_catalog -> 'grants', '{}'::jsonb)) d),
  dbheld as (select dbs.db, h.key as name, h.value from dbs, jsonb_each(dbs.db_held) h),
  sch as (select dbs.db, s.key as schema, s.value ->> 'owner' as owner, s.value -> 'future_for' as future_for,
                 s.value -> 'held' as held, s.value -> 'objects' as objects, s.value -> 'defaults' as defaults
            from dbs, jsonb_each(dbs.schemas) s),
  nheld as (select sch.db, sch.schema, h.key as name, h.value from sch, jsonb_each(sch.held) h),
  nobj as (select sch.db, sch.schema, o.key as name, o.value from sch, jsonb_each(sch.objects) o),
  ndef as (select sch.db, sch.schema, f.key as name, f.value from sch, jsonb_each(sch.defaults) f),
  pairs as (
    select n.name, sc.database as db, sc.schema
      from names n, xplane.grants_scope(p_catalog -> 'scopes' -> n.name) sc
     where sc.schema is not null
    union select name, db, schema from nheld
    union select name, db, schema from nobj
    union select name, db, schema from ndef
    -- a catalog without scopes (not from role_batch_catalog): every schema for every role
    union select n.name, sch.db, sch.schema from names n, sch where not (p_catalog ? 'scopes')),
  sch_slice as (
    select sch.db, n.name, jsonb_object_agg(sch.schema, jsonb_build_object(
             'owner', sch.owner, 'future_for', sch.future_for,
             'held', case when h.value is null then '{}'::jsonb else jsonb_build_object(n.name, h.value) end,
             'objects', case when o.value is null then '{}'::jsonb else jsonb_build_object(n.name, o.value) end,
             'defaults', case when f.value is null then '{}'::jsonb else jsonb_build_object(n.name, f.value) end)) as schemas
      from sch join pairs n on n.db = sch.db and n.schema = sch.schema
      left join nheld h on h.db = sch.db and h.schema = sch.schema and h.name = n.name
      left join nobj o on o.db = sch.db and o.schema = sch.schema and o.name = n.name
      left join ndef f on f.db = sch.db and f.schema = sch.schema and f.name = n.name
     group by sch.db, n.name),
  db_slice as (
    select n.name, jsonb_object_agg(dbs.db, jsonb_build_object(
             'me', dbs.me, 'db_owner', dbs.db_owner,
             'db_held', case when h.value is null then '{}'::jsonb else jsonb_build_object(n.name, h.value) end,
             'schemas', coalesce(s.schemas, '{}'::jsonb))) as grants
      from dbs cross join names n
      left join dbheld h on h.db = dbs.db and h.name = n.name
      left join sch_slice s on s.db = dbs.db and s.name = n.name
     group by n.name),
  roles as (select r.key as name, r.value from jsonb_each(coalesce(p_catalog -> 'cluster' -> 'roles', '{}'::jsonb)) r),
  prev as (select p.key as name, p.value from jsonb_each(coalesce(p_catalog -> 'previous_scope', '{}'::jsonb)) p)
  select n.name, jsonb_build_object(
           'cluster', jsonb_build_object('roles', case when r.value is null then '{}'::jsonb else jsonb_build_object(n.name, r.value) end),
           'previous_scope', case when p.value is null then '{}'::jsonb else jsonb_build_object(n.name, p.value) end,
           'grants', coalesce(d.grants, '{}'::jsonb))
    from names n
    left join roles r on r.name = n.name
    left join prev p on p.name = n.name
    left join db_slice d on d.name = n.name
$$;
comment on function xplane.role_catalog_slices(jsonb, text[]) is
  'One catalog per role of a batch catalog (same shape, only that role''s entries), built in one pass: keeps batched observe linear in the number of roles.';
