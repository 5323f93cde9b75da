-- Kind Role: a NOLOGIN group role (RBAC) with attributes, membership, settings, grants and a
-- comment. Shared machinery: 050_grants.sql, 052_role_catalog.sql, 053_role_memberships.sql. docs/kinds/role.md.

create or replace function xplane.normalize_role(p_spec jsonb)
returns jsonb language plpgsql stable set search_path = xplane, pg_catalog as $$
begin
  perform xplane.spec_check_keys('Role', p_spec,
    xplane.role_attribute_keys() || array['member_of', 'memberships', 'members', 'grants', 'comment']);
  return xplane.normalize_role_attributes('Role', p_spec) || xplane.normalize_memberships('Role', p_spec) || jsonb_build_object(
    'members', xplane.normalize_members(p_spec),
    'grants', xplane.normalize_grants('Role', p_spec -> 'grants', null)) || xplane.spec_comment('Role', p_spec);
end
$$;
comment on function xplane.normalize_role(jsonb) is
  'Validates and normalises a Role spec: role attributes with their defaults (normalize_role_attributes: NOLOGIN, INHERIT, nothing more), member_of sorted and memberships (normalize_memberships), settings canonical, grants normalised (each names its database).';

create or replace function xplane.role_batch_parts(p_provider_config text, p_items jsonb,
                                                   out r_cluster jsonb, out r_previous jsonb, out r_grants jsonb)
language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_roles    jsonb;
  v_previous jsonb;
  v_requests jsonb;
  v_grants   jsonb := '{}';
  v_more     jsonb;
  v_pending  text[];
  v_objs     jsonb;
  v_names    text[] := array(select distinct e ->> 'name' from jsonb_array_elements(p_items) e);
begin
  -- p_items: [{"name", "scope": <grants-shaped list naming databases and schemas>, "members":
  -- false when its spec declares none}].
  -- One query for every role cluster-wide, then one per database for every grant in it.
  -- Set-based: folding the items one by one into growing jsonb values is quadratic.
  with items as (select unnest(v_names) as name),
  recorded as (
    select s.role_name as name, jsonb_agg(xplane.grant_entry(s.database, nullif(s.schema, ''), 'scope', '{}', false)) as previous
      from xplane.grant_scopes s
     where s.provider_config = p_provider_config and s.role_name in (select name from items)
     group by s.role_name),
  -- the objects of object-level grants (049_object_grants.sql)
  recorded_obj as (select o.role_name as name, o.entries from xplane.grant_object_scopes_of(p_provider_config, array(select name from items)) o),
  prev as (
    select i.name, coalesce(r.previous, '[]') || coalesce(o.entries, '[]') as previous
      from items i left join recorded r on r.name = i.name left join recorded_obj o on o.name = i.name)
  select coalesce(jsonb_object_agg(name, previous), '{}') into v_previous from prev;
  v_requests := xplane.role_requests(v_names, p_items, v_previous, null);
  -- The members of a role (members_edges) are read where it declares some (or may: no
  -- "members": false in its item) or did at its last apply (member_edges). acl_outside: the
  -- databases no role's scope names where an ACL names a role (a grant made there by hand).
  v_roles := xplane.roles_catalog(p_provider_config, v_names,
               array(select e ->> 'name' from jsonb_array_elements(p_items) e where coalesce((e ->> 'members')::boolean, true)
                     union select role_name from xplane.member_edges where provider_config = p_provider_config),
               array(select jsonb_object_keys(v_requests)));
  -- Role.members as of each role's last apply (previous_members), and the memberships of each
  -- role that another role manages through its members (managed_elsewhere): left alone by the
  -- role's own authoritative member_of. Nothing to read without any (the common case).
  if exists (select 1 from xplane.member_edges where provider_config = p_provider_config) then
    v_roles := jsonb_set(v_roles, '{roles}', (
      select coalesce(jsonb_object_agg(r.key, r.value || jsonb_build_object(
               'previous_members', coalesce(pm.j, '[]'::jsonb), 'managed_elsewhere', coalesce(me.j, '[]'::jsonb))), '{}'::jsonb)
        from jsonb_each(v_roles -> 'roles') r
        left join (select role_name, jsonb_agg(member order by member) as j from xplane.member_edges
                    where provider_config = p_provider_config group by role_name) pm on pm.role_name = r.key
        left join (select member, jsonb_agg(role_name order by role_name) as j from xplane.member_edges
                    where provider_config = p_provider_config group by member) me on me.member = r.key));
  end if;
  -- Grants are authoritative in a role's scope, and wherever it holds anything: the databases
  -- of acl_outside, then (grants_catalog_sql "outside") the schemas of its scope's databases
  -- where it holds privileges or is given default privileges. Those join its scope like the
  -- places of its last apply (previous_scope): what is not declared there shows and is revoked.
  -- Column privileges and privileges on types (grants_catalog_sql "objects_held") that its
  -- grants and previous_scope do not name join it as object-level entries without privileges
  -- (as grant_object_scopes_of gives them), read by the object-level observer and delta.
  -- Usually none: one pass. Otherwise a second pass reads again the databases concerned.
  v_more := v_roles -> 'acl_outside';
  for v_pass in 1 .. 3 loop
    if v_more is not null and v_more <> '{}' or v_objs is not null then
      select coalesce(jsonb_object_agg(coalesce(p.key, m.name), coalesce(p.value, '[]') || coalesce(m.entries, '[]')), '{}')
        into v_previous
        from jsonb_each(v_previous) p
        full join (select y.name, jsonb_agg(y.e) as entries
                     -- v_more: {role: {database: [schema, or null for the database itself]}}
                     from (select o.key as name, xplane.grant_entry(d.key, x.schema, 'scope', '{}', false) as e
                             from jsonb_each(coalesce(v_more, '{}')) o, jsonb_each(o.value) d, jsonb_array_elements_text(d.value) x(schema)
                           -- v_objs: {role: [object-level entries]}
                           union all
                           select o.key, e from jsonb_each(coalesce(v_objs, '{}')) o, jsonb_array_elements(o.value) e) y
                    group by y.name) m on m.name = p.key;
    elsif v_pass > 1 then
      exit;
    end if;
    if v_pass > 1 or v_more is not null and v_more <> '{}' then
      v_requests := xplane.role_requests(v_names, p_items, v_previous, v_pending);
    end if;
    v_grants := v_grants || xplane.grants_catalog(p_provider_config, v_requests,
                              array(select jsonb_array_elements_text(v_roles -> 'databases')));
    -- the schemas outside each role's scope where it holds anything: {role: {database: [schema]}}
    select jsonb_object_agg(o.key, o.dbs), array_agg(distinct d) filter (where d is not null)
      into v_more, v_pending
      from (select r.key, jsonb_object_agg(g.key, r.value) as dbs, array_agg(g.key) as ds
              from jsonb_each(v_requests) q join jsonb_each(v_grants) g on g.key = q.key,
                   jsonb_each(g.value -> 'outside') r
             group by r.key) o left join lateral unnest(o.ds) d on true;
    v_objs := null;
    if exists (select 1 from jsonb_each(v_requests) q join jsonb_each(v_grants) g on g.key = q.key
                where g.value -> 'objects_held' <> '{}') then
      v_objs := xplane.role_objects_held(p_items, v_previous, v_requests, v_grants);
      v_pending := array(select unnest(v_pending) union
                         select e ->> 'database' from jsonb_each(coalesce(v_objs, '{}')) o, jsonb_array_elements(o.value) e);
    end if;
    exit when v_more is null and v_objs is null;
  end loop;
  -- In three parts, not one object: building it copies every part (a megabyte and more at
  -- 1,000 tenants), and observe_many_roles hands them to role_states as they are. The cluster
  -- keeps acl_outside, which nothing else reads (removing a key copies it too).
  r_cluster := v_roles;
  r_previous := v_previous;
  r_grants := v_grants;
end
$$;
comment on function xplane.role_batch_parts(text, jsonb) is
  'Catalog of a batch of roles (Role and ServiceAccount) in three parts: r_cluster (roles_catalog), r_previous ({role: grants at its last apply}), r_grants ({db: grants_catalog}), in 1 + (number of databases) round trips. The grants are read where each role is authoritative (role_scopes): its scope and where its grants were at its last apply (grant_scopes).';

create or replace function xplane.role_batch_catalog(p_provider_config text, p_items jsonb)
returns jsonb language sql volatile set search_path = xplane, pg_catalog as $$
  select jsonb_build_object('cluster', b.r_cluster, 'previous_scope', b.r_previous, 'grants', b.r_grants)
    from xplane.role_batch_parts(p_provider_config, p_items) b
$$;
comment on function xplane.role_batch_catalog(text, jsonb) is
  'Catalog of a batch of roles (Role and ServiceAccount): role_batch_parts as one object, {"cluster": roles_catalog, "grants": {db: grants_catalog}, "previous_scope": {role: grants}}.';

create or replace function xplane.role_objects_held(p_items jsonb, p_previous jsonb, p_requests jsonb, p_grants jsonb)
returns jsonb language sql stable set search_path = xplane, pg_catalog as $$
  -- The columns and types (grants_catalog_sql "objects_held") each role holds a privilege on in
  -- the databases just read (p_requests), that no object-level entry of its grants (the items'
  -- "scope") or of p_previous names, as object-level entries without privileges: a column
  -- where no column entry names its table (the object-level observer reads every column of
  -- such a table), a type no entry names, in a schema where no default privileges on types
  -- are declared (what those give a new type, it neither reports nor revokes on the others:
  -- grants_objects_observed). {role: [entries]}, null when none.
  with found as (select r.key as name, q.key as db, f ->> 0 as schema, f ->> 1 as kind, f ->> 2 as obj, f ->> 3 as col
                   from jsonb_each(p_requests) q join jsonb_each(p_grants) g on g.key = q.key,
                        jsonb_each(g.value -> 'objects_held') r, jsonb_array_elements(r.value) f),
  named as (select e ->> 'name' as name, s from jsonb_array_elements(p_items) e, jsonb_array_elements(coalesce(e -> 'scope', '[]')) s
             where s ? 'objects' or s ->> 'on' = 'types'
            union all
            select p.key, s from jsonb_each(coalesce(p_previous, '{}')) p, jsonb_array_elements(p.value) s
             where s ? 'objects')
  select jsonb_object_agg(x.name, x.entries)
    from (select f.name, jsonb_agg(xplane.grant_object_entry(f.db, f.schema, f.kind, f.obj, f.col)) as entries
            from found f
           where not exists (select 1 from named n
                              where n.name = f.name and n.s ->> 'database' = f.db and n.s ->> 'schema' = f.schema
                                and n.s ->> 'on' = f.kind
                                and (not n.s ? 'objects' or n.s -> 'objects' ->> 0 = f.obj and (f.col is null or n.s ? 'columns')))
           group by f.name) x
$$;
comment on function xplane.role_objects_held(jsonb, jsonb, jsonb, jsonb) is
  'The column privileges and privileges on types of a batch of roles (grants_catalog_sql objects_held, in the databases of p_requests) that neither their grants (items'' scope) nor p_previous name: {role: [object-level entries without privileges]}, null when none. role_batch_catalog adds them to previous_scope.';

create or replace function xplane.role_requests(p_names text[], p_items jsonb, p_previous jsonb, p_only text[])
returns jsonb language sql stable set search_path = xplane, pg_catalog as $$
  -- What grants_catalog reads in each database the roles' scopes name (p_only: in those only;
  -- a scope: the items' "scope" and where its grants were at its last apply, p_previous, as in
  -- role_scopes, read here from both without building that object): every role of the batch
  -- p_names (so that what a role holds where only another role's scope reaches is seen:
  -- grants_catalog_sql "outside"), the schemas of the scopes, which role's scope names which
  -- schema ([role, null]: the database; a schema's objects are counted for those only) and the
  -- objects of object-level grants (049_object_grants.sql).
  with ent as (select e ->> 'name' as role, g from jsonb_array_elements(p_items) e, jsonb_array_elements(coalesce(e -> 'scope', '[]')) g
               union all
               select p.key, g from jsonb_each(coalesce(p_previous, '{}')) p, jsonb_array_elements(p.value) g),
  sc as (select distinct e.role, e.g ->> 'database' as database, s.schema
           from ent e cross join lateral (values (null::text), (e.g ->> 'schema')) s(schema)
          where p_only is null or e.g ->> 'database' = any (p_only)),
  dbs as (select database, coalesce(json_agg(distinct schema) filter (where schema is not null), '[]') as schemas,
                 json_agg(json_build_array(role, schema)) as pairs
            from sc group by database),
  objs as (select e.g ->> 'database' as db, xplane.grant_objects_wanted(jsonb_agg(e.g)) as objs
             from ent e where e.g ? 'objects' group by 1)
  -- Built as json, read into jsonb once: jsonb_object_agg copies each string of a value with a
  -- snprintf that reads on to the next NUL byte, quadratic in a value of thousands of names
  -- (90 ms here at 1,000 tenants, 10 ms as json).
  select coalesce(json_object_agg(d.database, case when o.objs is null
                    then json_build_object('roles', to_json(p_names), 'schemas', d.schemas, 'pairs', d.pairs)
                    else json_build_object('roles', to_json(p_names), 'schemas', d.schemas, 'pairs', d.pairs, 'objects', o.objs) end)::jsonb, '{}')
    from dbs d left join objs o on o.db = d.database
$$;
comment on function xplane.role_requests(text[], jsonb, jsonb, text[]) is
  'The requests of grants_catalog for a batch of roles p_names, items [{"name", "scope"}] and p_previous {role: grants at its last apply}: {db: {"roles", "schemas", "pairs", "objects"}} for every database their scopes name (p_only: of those only).';

create or replace function xplane.role_scopes(p_items jsonb, p_previous jsonb)
returns jsonb language sql immutable parallel safe as $$
  -- p_items: [{"name", "scope"}]; p_previous: {role: grants at its last apply}. Each jsonb
  -- unnested once (a lookup per role in the whole of p_previous copies it per role).
  select coalesce(jsonb_object_agg(i.name, i.scope || coalesce(p.value, '[]'::jsonb)), '{}'::jsonb)
    from (select distinct on (e ->> 'name') e ->> 'name' as name, coalesce(e -> 'scope', '[]'::jsonb) as scope
            from jsonb_array_elements(p_items) e) i
    left join jsonb_each(coalesce(p_previous, '{}'::jsonb)) p on p.key = i.name
$$;
comment on function xplane.role_scopes(jsonb, jsonb) is
  'Where the grants of each role of a batch are authoritative: {role: its scope (the items'' "scope") and where its grants were at its last apply (previous_scope)}. role_batch_catalog reads the grants there; role_catalog_slices cuts by it.';

create or replace function xplane.role_catalog_of(p_provider_config text, p_name text, p_scope jsonb)
returns jsonb language sql volatile set search_path = xplane, pg_catalog as $$
  select xplane.role_batch_catalog(p_provider_config, jsonb_build_array(jsonb_build_object('name', p_name, 'scope', p_scope)))
$$;
comment on function xplane.role_catalog_of(text, text, jsonb) is
  'role_batch_catalog for one role (Role or ServiceAccount) whose grants are authoritative within p_scope (a grants-shaped list).';

create or replace function xplane.role_states(p_items jsonb, p_roles jsonb, p_previous jsonb, p_grants jsonb)
returns jsonb language plpgsql stable set search_path = xplane, pg_catalog as $$
begin
  -- p_items: [{"kind": "Role" | "ServiceAccount", "name", "spec" (normalised)}]; p_roles,
  -- p_previous, p_grants: role_batch_parts of them (or a slice). One query for the whole batch: observing
  -- role by role (a function call and a dozen queries each) was most of a plan's time.
  --
  -- Grants are authoritative within the databases and schemas the desired and implicit grants
  -- name (grants_scope). Implicit: a service account's CONNECT and USAGE
  -- (service_account_implicit) and, for both kinds, where its grants were at its last apply.
  -- In that scope, per database, schema and object kind, a privilege shows when:
  --   database / schema: the role holds it (an owner holds everything it asks for), unless
  --     only the implicit grants ask for it;
  --   tables, sequences, functions: desired and carried by every object, or undesired and
  --     carried by any object or any default ACL (so that it gets revoked);
  -- and `future` shows when the default ACLs of every role in future_for carry the desired
  -- privileges (or, when not desired, when any of theirs carries anything); `future_owners`
  -- lists the declared ones whose default ACLs carry the desired privileges, and any other
  -- role whose default ACLs give the role anything (so that they get revoked).
  return (
    with items as (
      select t.n, t.e ->> 'kind' as kind, t.e ->> 'name' as role, coalesce(t.e -> 'spec', '{}'::jsonb) as spec
        from jsonb_array_elements(coalesce(p_items, '[]'::jsonb)) with ordinality t(e, n)),
    -- with the role attributes both kinds share (role_attribute_keys), as the catalog reads them
    roles as (select r.key as role, r.value, r.value - xplane.role_catalog_other_keys() as attrs
                from jsonb_each(coalesce(p_roles, '{}'::jsonb)) r),
    prev as (select p.key as role, p.value from jsonb_each(coalesce(p_previous, '{}'::jsonb)) p),
    asks as (
      select i.n, i.kind, i.role, i.spec, coalesce(i.spec -> 'grants', '[]'::jsonb) as des,
             case when i.kind = 'ServiceAccount' then xplane.service_account_implicit(i.spec) else '[]'::jsonb end
               || coalesce(p.value, '[]'::jsonb) as imp
        from items i left join prev p on p.role = i.role),
    -- the first desired / implicit grant of each item per (database, schema, on). Two CTEs, not
    -- one with a column saying which: the planner then merge-joins on the item alone and
    -- rescans millions of rows (2.5 s instead of 0.15 s for 2,000 roles).
    des as (
      select distinct on (a.n, g ->> 'database', g ->> 'schema', g ->> 'on')
             a.n, g ->> 'database' as db, g ->> 'schema' as schema, g ->> 'on' as target, coalesce(g -> 'privileges', '[]'::jsonb) as privs,
             coalesce((g ->> 'future')::boolean, false) as future, coalesce(g -> 'future_owners', '[]'::jsonb) as owners,
             coalesce((g ->> 'grant_option')::boolean, false) as gopt,
             g ->> 'granted_by' as by                                                       -- (granted_by)
        from asks a, jsonb_array_elements(a.des) with ordinality x(g, k)
       where not g ? 'objects'                          -- object-level entries: objrows
       order by a.n, g ->> 'database', g ->> 'schema', g ->> 'on', x.k),
    -- object-level grants (049_object_grants.sql), only of the items that declare some
    objitems as materialized (select a.n, a.role, xplane.grant_objects_with_previous(a.des, a.imp) as des from asks a
                               where xplane.grant_has_objects(a.des) or xplane.grant_has_objects(a.imp)),
    objadj as (select i.n, j.database as db, j.schema, j.kind, j.adj
                 from objitems i, xplane.grants_objects_adjust(i.role, i.des, p_grants) j),
    objrows as (select i.n, e from objitems i, jsonb_array_elements(xplane.grants_objects_observed(i.role, i.des, p_grants)) e),
    -- what global default privileges (a grant without schema) give on objects created later:
    -- on the objects and schemas in scope, neither reported nor revoked (050_grants.sql)
    -- (materialized: usually empty, and joined to every row of held and grant_rows)
    tol as materialized (select n, db, target as kind, privs from des where schema is null and target <> 'database'),
    imp as (
      select distinct on (a.n, g ->> 'database', g ->> 'schema', g ->> 'on')
             a.n, g ->> 'database' as db, g ->> 'schema' as schema, g ->> 'on' as target, coalesce(g -> 'privileges', '[]'::jsonb) as privs
        from asks a, jsonb_array_elements(a.imp) with ordinality x(g, k)
       order by a.n, g ->> 'database', g ->> 'schema', g ->> 'on', x.k),
    -- (of the spec, only what sa_schemas needs: a row per scope entry carrying the whole spec
    -- copied it into every row of scope and held)
    scope as (select a.n, a.kind, a.role, a.spec ->> 'database' as sa_db, a.spec -> 'schemas' as sa_schemas, sc.database as db, sc.schema
                from asks a, xplane.grants_scope(a.des || a.imp) sc),
    -- the catalog, each subtree unnested once (looking roles up in the whole of it per role is quadratic)
    dbs as (select d.key as db, d.value ->> 'db_owner' as owner, d.value -> 'db_held' as held, d.value -> 'schemas' as schemas,
                   d.value -> 'db_grantable' as grantable, d.value -> 'default_roles' as default_roles,
                   d.value ->> 'me' as me, d.value -> 'db_by' as db_by                             -- (granted_by)
              from jsonb_each(coalesce(p_grants, '{}'::jsonb)) d),
    dbheld as (select dbs.db, h.key as role, h.value as privs from dbs, jsonb_each(coalesce(dbs.held, '{}'::jsonb)) h),
    dbgrant as (select dbs.db, h.key as role, h.value as privs from dbs, jsonb_each(coalesce(dbs.grantable, '{}'::jsonb)) h),
    sch as (select dbs.db, s.key as schema, s.value as sch from dbs, jsonb_each(coalesce(dbs.schemas, '{}'::jsonb)) s),
    -- default privileges only (global, on schemas, on types: 050_grants.sql), only of the items
    -- that declare some (from des, already unnested) or hold some (default_roles)
    defroles as (select distinct r as role from dbs, jsonb_array_elements_text(dbs.default_roles) r),
    defitems as materialized (select a.n, a.role, a.des, a.imp from asks a
                                where a.n in (select n from des where (schema is null and target <> 'database') or target = 'types')
                                   or a.role in (select role from defroles)),
    defrows as (select i.n, e from defitems i,
                  jsonb_array_elements(xplane.grant_defaults_observed(i.role, i.des, i.des || i.imp, p_grants)) e),
    held as (
      select s.n, s.kind, s.role, s.sa_db, s.sa_schemas, s.db, s.schema, case when s.schema is null then 'database' else 'schema' end as target,
             case when o.owner then coalesce(w.privs, '[]'::jsonb) || coalesce(m.privs, '[]'::jsonb)  -- an owner holds everything
                  when s.schema is null then coalesce(h.privs, '[]'::jsonb)
                  else coalesce(c.sch -> 'held' -> s.role, '[]'::jsonb) end as privs,
             o.owner, coalesce(w.privs, '[]'::jsonb) as want, coalesce(m.privs, '[]'::jsonb) as implied,
             coalesce(w.gopt, false) as wgopt,
             case when s.schema is null then coalesce(g.privs, '[]'::jsonb)
                  else coalesce(c.sch -> 'grantable' -> s.role, '[]'::jsonb) end as grantable,
             -- granted_by: shown when every privilege held there is granted by that role alone
             case when w.by is not null and (o.owner or xplane.grant_by_observed(
                    case when s.schema is null then d.db_by -> s.role else c.sch -> 'by' -> s.role end,
                    w.by, case when s.schema is null then d.owner else c.sch ->> 'owner' end, d.me)) then w.by end as by
        from scope s join dbs d on d.db = s.db
        left join sch c on c.db = s.db and c.schema = s.schema
        left join dbheld h on s.schema is null and h.db = s.db and h.role = s.role
        left join dbgrant g on s.schema is null and g.db = s.db and g.role = s.role
        left join des w on w.n = s.n and w.db = s.db and w.schema is not distinct from s.schema
                       and w.target = case when s.schema is null then 'database' else 'schema' end
        left join imp m on m.n = s.n and m.db = s.db and m.schema is not distinct from s.schema
                       and m.target = case when s.schema is null then 'database' else 'schema' end
        cross join lateral (select case when s.schema is null then d.owner else c.sch ->> 'owner' end = s.role as owner) o
       where s.schema is null or c.sch is not null),
    grant_rows as (
      select h.n, h.db, h.schema, h.target,
             array(select p from jsonb_array_elements_text(h.privs) p
                    where h.want ? p or not (h.implied ? p or coalesce(t.privs, '[]'::jsonb) ? p)) as privs, false as future,
             '[]'::jsonb as owners,
             -- grant_option: with it, every desired privilege held WITH GRANT OPTION (an owner's
             -- are implicit); without it, any desired privilege held so (to be revoked)
             case when h.owner then h.wgopt
                  when h.wgopt then h.grantable @> h.want
                  else exists (select 1 from jsonb_array_elements_text(h.want) p where h.grantable ? p) end as gopt,
             h.by
        from held h left join tol t on h.target = 'schema' and t.n = h.n and t.db = h.db and t.kind = 'schemas'
      union all
      select s.n, s.db, s.schema, k.kind,
             array(select p from unnest(xplane.grant_privileges(k.kind)) p
                    where (o.want ? p and coalesce((o.obj -> 'held' ->> p)::int, 0) = coalesce((o.obj ->> 'total')::int, 0))
                       or (not o.want ? p and not coalesce(t.privs, '[]'::jsonb) ? p
                           and (coalesce((o.obj -> 'held' ->> p)::int, 0) > coalesce((j.adj ->> p)::int, 0)
                                or exists (select 1 from jsonb_each(o.defs) d where d.value ? p)))),
             case when coalesce(w.future, false)
                  then not exists (select 1 from jsonb_array_elements_text(c.sch -> 'future_for') f
                                    where not coalesce(o.defs -> f, '[]'::jsonb) @> o.want)
                  else exists (select 1 from jsonb_each(o.defs) d where jsonb_array_length(d.value) > 0 and c.sch -> 'future_for' ? d.key) end,
             -- future_owners: the declared ones whose default privileges carry the desired ones,
             -- and any other role (not future_for) that gives the role anything by default
             coalesce((select jsonb_agg(d.key order by d.key collate "C") from jsonb_each(o.defs) d
                        where case when coalesce(w.owners, '[]'::jsonb) ? d.key then d.value @> o.want
                                   else jsonb_array_length(d.value) > 0 and not c.sch -> 'future_for' ? d.key end), '[]'::jsonb),
             case when coalesce(w.gopt, false)
                  then not exists (select 1 from jsonb_array_elements_text(o.want) p
                                    where coalesce((o.obj -> 'grantable' ->> p)::int, 0) < coalesce((o.obj ->> 'total')::int, 0))
                  else exists (select 1 from jsonb_array_elements_text(o.want) p where coalesce((o.obj -> 'grantable' ->> p)::int, 0) > 0) end,
             null::text
        from scope s join sch c on c.db = s.db and c.schema = s.schema
        cross join (values ('tables'), ('sequences'), ('functions')) k(kind)
        left join des w on w.n = s.n and w.db = s.db and w.schema = s.schema and w.target = k.kind
        left join objadj j on j.n = s.n and j.db = s.db and j.schema = s.schema and j.kind = k.kind
        left join tol t on t.n = s.n and t.db = s.db and t.kind = k.kind
        cross join lateral (select coalesce(w.privs, '[]'::jsonb) as want,
                                   coalesce(c.sch -> 'objects' -> s.role -> k.kind, '{}'::jsonb) as obj,
                                   coalesce(c.sch -> 'defaults' -> s.role -> k.kind, '{}'::jsonb) as defs) o
       -- nothing desired, held or given by default on this kind of object: no row (the
       -- expressions above give nothing then; most kinds of most schemas)
       where w.n is not null or o.obj <> '{}'::jsonb or o.defs <> '{}'::jsonb),
    grants as (
      select n, xplane.grants_sorted(jsonb_agg(e)) as grants
        from (select n, xplane.grant_entry(db, schema, target, privs, future)
                        || jsonb_build_object('future_owners', owners, 'grant_option', gopt)
                        || case when by is null then '{}'::jsonb else jsonb_build_object('granted_by', by) end as e
                from grant_rows where cardinality(privs) > 0 or future or jsonb_array_length(owners) > 0 or gopt
              union all select n, e from objrows union all select n, e from defrows) x group by n),
    -- a service account's database: when it holds CONNECT there
    connects as (
      select a.n from asks a join dbs d on d.db = a.spec ->> 'database'
        left join dbheld h on h.db = d.db and h.role = a.role
       where a.kind = 'ServiceAccount' and (d.owner = a.role or coalesce(h.privs, '[]'::jsonb) ? 'CONNECT')),
    -- its schemas: where it holds USAGE, unless only `grants` asks for that USAGE (then it shows there)
    sa_schemas as (
      select h.n, jsonb_agg(h.schema order by h.schema collate "C") as schemas
        from held h
       where h.kind = 'ServiceAccount' and h.target = 'schema' and h.db = h.sa_db and (h.owner or h.privs ? 'USAGE')
         and (h.sa_schemas ? h.schema or not h.want ? 'USAGE')
       group by h.n)
    select coalesce(jsonb_agg(case
             when r.value is null then 'null'::jsonb
             when a.kind = 'Role' then r.attrs || jsonb_build_object(
               'member_of', mf.member_of,
               'memberships', ms.memberships,
               -- none desired and none granted at the last apply: none observed (members_observed of nothing)
               'members', case when jsonb_array_length(coalesce(a.spec -> 'members', '[]')) = 0
                                    and jsonb_array_length(coalesce(r.value -> 'previous_members', '[]')) = 0 then '[]'::jsonb
                               else xplane.members_observed(r.value -> 'members_edges', a.spec -> 'members', r.value -> 'previous_members') end,
               'grants', coalesce(g.grants, '[]'::jsonb),
               'comment', r.value -> 'comment')
             else r.attrs || jsonb_build_object(
               'database', case when c.n is not null then to_jsonb(a.spec ->> 'database') else 'null'::jsonb end,
               'schemas', coalesce(ss.schemas, '[]'::jsonb),
               'grants', coalesce(g.grants, '[]'::jsonb),
               'member_of', mf.member_of,
               'memberships', ms.memberships,
               'comment', r.value -> 'comment')
               -- a verifier xp set, replaced by hand (or not readable: xp is not superuser); never the verifier
               || case when r.value ->> 'password' in ('password changed outside xp', 'not checked')
                       then jsonb_build_object('password', r.value -> 'password') else '{}'::jsonb end
             end order by a.n), '[]'::jsonb)
      from asks a
      left join roles r on r.role = a.role
      -- memberships another role manages (its members) and this one does not declare: not its own
      cross join lateral (select
        case when r.value ? 'managed_elsewhere' then coalesce((
          select jsonb_agg(g order by g collate "C") from jsonb_array_elements_text(r.value -> 'member_of') g
           where not r.value -> 'managed_elsewhere' ? g or coalesce(a.spec -> 'member_of', '[]'::jsonb) ? g), '[]'::jsonb)
          else r.value -> 'member_of' end as member_of,
        case when r.value ? 'managed_elsewhere' then coalesce(r.value -> 'member_options', '{}'::jsonb)
          - array(select jsonb_array_elements_text(r.value -> 'managed_elsewhere')
                  except select jsonb_array_elements_text(coalesce(a.spec -> 'member_of', '[]'::jsonb)))
          else r.value -> 'member_options' end as member_options) mf
      -- memberships with options other than a plain GRANT's (none to look at: most roles)
      cross join lateral (select case when xplane.memberships_plain(mf.member_options, coalesce((a.spec ->> 'inherit')::boolean, (r.value ->> 'inherit')::boolean))
                                       and not coalesce(a.spec -> 'memberships' @? '$[*].granted_by', false) then '[]'::jsonb
             else xplane.memberships_observed(mf.member_options, a.spec -> 'memberships', coalesce((a.spec ->> 'inherit')::boolean, (r.value ->> 'inherit')::boolean)) end
             as memberships) ms
      left join grants g on g.n = a.n
      left join connects c on c.n = a.n
      left join sa_schemas ss on ss.n = a.n);
end
$$;
comment on function xplane.role_states(jsonb, jsonb, jsonb, jsonb) is
  'The observed state of a batch of Roles and ServiceAccounts [{"kind","name","spec"(normalised)}], each in the shape of its normalised spec (never a password), from role_batch_parts (the cluster''s roles, previous scopes, grants): in input order, null where the role is absent. One query for the batch.';

create or replace function xplane.role_states(p_items jsonb, p_catalog jsonb)
returns jsonb language sql stable set search_path = xplane, pg_catalog as $$
  select xplane.role_states(p_items, p_catalog -> 'cluster' -> 'roles', p_catalog -> 'previous_scope', p_catalog -> 'grants')
$$;
comment on function xplane.role_states(jsonb, jsonb) is
  'role_states of a catalog in one object (role_batch_catalog, or a slice of it).';

create or replace function xplane.role_observed(p_kind xplane.resource_kind, p_name text, p_spec jsonb, p_catalog jsonb)
returns jsonb language sql stable set search_path = xplane, pg_catalog as $$
  select nullif(xplane.role_states(jsonb_build_array(jsonb_build_object('kind', p_kind, 'name', p_name, 'spec', p_spec)), p_catalog) -> 0,
                'null'::jsonb)
$$;
comment on function xplane.role_observed(xplane.resource_kind, text, jsonb, jsonb) is
  'The observed state of a Role or ServiceAccount, in the shape of its normalised spec (never a password), from role_batch_catalog (null when absent): role_states of one.';

create or replace function xplane.observe_many_role(p_items jsonb, p_provider_config text)
returns jsonb language plpgsql volatile set search_path = xplane, pg_catalog as $$
begin
  -- observe_many_roles is in 060_service_account.sql (it needs service_account_scope).
  return xplane.observe_many_roles(
    (select coalesce(jsonb_agg(e || '{"kind": "Role"}'::jsonb order by n), '[]') from jsonb_array_elements(p_items) with ordinality t(e, n)),
    p_provider_config);
end
$$;
comment on function xplane.observe_many_role(jsonb, text) is
  'Batched observe of Roles: [{"name","spec"(normalised)}] → observed states in input order (null when absent).';

create or replace function xplane.role_converge(p_provider_config text, p_name text, p_spec jsonb, p_observed jsonb,
                                                p_catalog jsonb, p_implicit jsonb, p_extra text[] default '{}')
returns integer language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_stmts text[];
  v_delta jsonb;
  v_n     integer;
begin
  -- Role attributes first (one transaction under role:<name>), then the grant deltas per
  -- database / schema. Returns the number of steps run (0: already in sync).
  -- (membership options need the server's version: the catalog reads it once for the batch)
  v_stmts := p_extra || xplane.role_alter_statements(p_name, p_spec,
               p_observed || jsonb_build_object('server_version_num', p_catalog #> '{cluster,server_version_num}'));
  perform xplane.role_exec(p_provider_config, p_name, v_stmts);
  v_delta := xplane.grants_delta(p_name, p_spec -> 'grants',
               coalesce(p_implicit, '[]') || coalesce(p_catalog -> 'previous_scope' -> p_name, '[]'), p_catalog -> 'grants');
  v_n := cardinality(v_stmts) + xplane.grants_apply(p_provider_config, v_delta);
  perform xplane.grant_scope_record(p_provider_config, p_name, coalesce(p_spec -> 'grants', '[]') || coalesce(p_implicit, '[]'));
  if p_spec ? 'members' then
    perform xplane.member_edges_record(p_provider_config, p_name, p_spec -> 'members');
  end if;
  return v_n;
end
$$;
comment on function xplane.role_converge(text, text, jsonb, jsonb, jsonb, jsonb, text[]) is
  'Turns an existing role into its normalised spec: ALTER ROLE / COMMENT / SET / membership, then GRANT/REVOKE deltas. Shared by Role and ServiceAccount.';

create or replace function xplane.create_roles(p_provider_config text, p_items jsonb)
returns xplane.action_result[] language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_n       integer := jsonb_array_length(p_items);
  v_kinds   xplane.resource_kind[] := '{}';
  v_names   text[] := '{}';
  v_specs   jsonb[] := '{}';
  v_scopes  jsonb[] := '{}';
  v_implied jsonb[] := '{}';
  v_pw      text[] := '{}';
  v_results xplane.action_result[] := array_fill(null::xplane.action_result, array[v_n]);
  v_todo    integer[] := '{}';
  v_sql     text[] := '{}';
  v_steps   jsonb := '[]';
  v_slices  jsonb;
  v_db      text;
  v_item    jsonb;
  v_spec    jsonb;
  v_missing text;
  v_obs     jsonb;
  v_cat     jsonb;
  v_states  jsonb;
  v_k       integer;
  v_version integer;
  v_state text; v_msg text; v_detail text; v_hint text;
  i integer;
begin
  -- Creates absent Roles and ServiceAccounts ([{"kind", "name", "spec"}]) together: one remote
  -- transaction creates every role with its attributes, password and membership; one batched
  -- catalog read; one transaction per database grants what each role is to hold; one batched
  -- read for the observed states. A batch that fails is retried one role at a time, so each
  -- failure is its own role's. create_role and create_service_account are batches of one.
  for i in 1 .. v_n loop
    v_item := p_items -> (i - 1);
    v_kinds[i] := (v_item ->> 'kind')::xplane.resource_kind;
    v_names[i] := v_item ->> 'name';
    begin
      v_spec := xplane.normalize_spec(v_kinds[i], v_item -> 'spec');
      v_specs[i] := v_spec;
      -- Implicit grants (a service account's CONNECT and USAGE), and where its grants are authoritative.
      v_implied[i] := case when v_kinds[i] = 'ServiceAccount' then xplane.service_account_implicit(v_spec) else '[]' end;
      v_scopes[i] := coalesce(v_spec -> 'grants', '[]') || v_implied[i];
      if v_kinds[i] = 'ServiceAccount' then
        -- A verifier in the spec (a direct call) is stored first; the stored one is what is set.
        if xplane.check_password('ServiceAccount', v_item -> 'spec') is not null then
          perform xplane.credential_put(p_provider_config, v_names[i], v_item -> 'spec' ->> 'password');
        end if;
        v_pw[i] := (xplane.credential_get(p_provider_config, v_names[i])).verifier;
      end if;
      v_sql := v_sql || (format('create role %I with %s', v_names[i], array_to_string(xplane.role_attribute_clauses(v_spec, null), ' '))
                         || case when v_pw[i] is null then '' else format(' password %L', v_pw[i]) end);
      -- What CREATE ROLE set is as declared; membership, settings and comment come next.
      -- Membership options of PostgreSQL 16+ (inherit, set) need the server's version: asked
      -- once, only when a role of the batch declares one.
      if v_version is null and (exists (select 1 from jsonb_array_elements(v_spec -> 'memberships') m
                                         where (m -> 'inherit') is distinct from (v_spec -> 'inherit') or not (m ->> 'set')::boolean)
                                or exists (select 1 from jsonb_array_elements(coalesce(v_spec -> 'members', '[]')) m
                                            where m ->> 'inherit' is not null or not (m ->> 'set')::boolean)) then
        v_version := xplane.remote_query(p_provider_config, '', $q$(select pg_catalog.to_json(pg_catalog.current_setting('server_version_num')::int))$q$)::text::integer;
      end if;
      v_sql := v_sql || xplane.role_alter_statements(v_names[i], v_spec,
                          v_spec || '{"member_of": [], "settings": {}, "database_settings": {}, "comment": null}'::jsonb
                                 || jsonb_build_object('server_version_num', v_version));
      v_todo := v_todo || i;
    exception when others then
      get stacked diagnostics v_state = returned_sqlstate, v_msg = message_text, v_detail = pg_exception_detail, v_hint = pg_exception_hint;
      v_results[i] := xplane.failure(v_state, v_msg, v_detail, v_hint);
    end;
  end loop;
  if cardinality(v_todo) = 0 then
    return v_results;
  end if;
  -- The roles: one remote transaction (a role that exists fails it with 42710: already_exists).
  begin
    perform xplane.remote_exec(p_provider_config, '',
      xplane.locked_sql(array(select 'role:' || v_names[t] from unnest(v_todo) t), array_to_string(v_sql, '; ')));
  exception when others then
    get stacked diagnostics v_state = returned_sqlstate, v_msg = message_text, v_detail = pg_exception_detail, v_hint = pg_exception_hint;
    if cardinality(v_todo) = 1 then
      v_results[v_todo[1]] := xplane.failure(v_state, v_msg, v_detail, v_hint);
    else
      foreach i in array v_todo loop
        v_results[i] := (xplane.create_roles(p_provider_config, jsonb_build_array(p_items -> (i - 1))))[1];
      end loop;
    end if;
    return v_results;
  end;
  foreach i in array v_todo loop
    if v_pw[i] is not null then
      perform xplane.credential_applied(p_provider_config, v_names[i], v_pw[i]);
    end if;
    if v_kinds[i] = 'Role' then
      perform xplane.member_edges_record(p_provider_config, v_names[i], v_specs[i] -> 'members');
    end if;
  end loop;
  -- Their grants: every role's delta from one batched catalog read, one transaction per database.
  v_slices := xplane.role_batch_slices(p_provider_config,
    (select jsonb_agg(jsonb_build_object('name', v_names[t], 'scope', v_scopes[t])) from unnest(v_todo) t));
  foreach i in array v_todo loop
    select v_steps || coalesce(jsonb_agg(d || jsonb_build_object('item', i)), '[]') into v_steps
      from jsonb_array_elements(xplane.grants_delta(v_names[i], v_specs[i] -> 'grants',
             v_implied[i] || coalesce(v_slices -> v_names[i] -> 'previous_scope' -> v_names[i], '[]'),
             v_slices -> v_names[i] -> 'grants')) d;
  end loop;
  for v_db in select distinct d ->> 'database' from jsonb_array_elements(v_steps) d loop
    begin
      perform xplane.remote_exec(p_provider_config, v_db, xplane.locked_sql(
        array(select d ->> 'lock' from jsonb_array_elements(v_steps) d where d ->> 'database' = v_db),
        (select string_agg(d ->> 'sql', '; ' order by n) from jsonb_array_elements(v_steps) with ordinality t(d, n)
          where d ->> 'database' = v_db)));
    exception when others then
      -- One role's grants broke the transaction: each role on its own, to find whose.
      for i in select distinct (d ->> 'item')::int from jsonb_array_elements(v_steps) d where d ->> 'database' = v_db loop
        begin
          perform xplane.remote_exec(p_provider_config, v_db, xplane.locked_sql(
            array(select d ->> 'lock' from jsonb_array_elements(v_steps) d where d ->> 'database' = v_db and (d ->> 'item')::int = i),
            (select string_agg(d ->> 'sql', '; ' order by n) from jsonb_array_elements(v_steps) with ordinality t(d, n)
              where d ->> 'database' = v_db and (d ->> 'item')::int = i)));
        exception when others then
          get stacked diagnostics v_state = returned_sqlstate, v_msg = message_text, v_detail = pg_exception_detail, v_hint = pg_exception_hint;
          v_results[i] := xplane.failure(v_state, v_msg, v_detail, v_hint);
        end;
      end loop;
    end;
  end loop;
  v_todo := array(select t from unnest(v_todo) t where v_results[t] is null);
  foreach i in array v_todo loop
    perform xplane.grant_scope_record(p_provider_config, v_names[i], v_scopes[i]);
  end loop;
  -- What they look like now: one catalog read and one query (role_states) for the batch.
  v_cat := xplane.role_batch_catalog(p_provider_config,
    (select coalesce(jsonb_agg(jsonb_build_object('name', v_names[t], 'scope', v_scopes[t])), '[]') from unnest(v_todo) t));
  v_states := xplane.role_states(
    (select coalesce(jsonb_agg(jsonb_build_object('kind', v_kinds[t], 'name', v_names[t], 'spec', v_specs[t]) order by k), '[]')
       from unnest(v_todo) with ordinality u(t, k)), v_cat);
  v_k := 0;
  foreach i in array v_todo loop
    v_missing := xplane.grants_missing(v_scopes[i], v_cat -> 'grants');
    v_obs := nullif(v_states -> v_k, 'null'::jsonb);
    v_k := v_k + 1;
    if v_kinds[i] = 'ServiceAccount' then
      v_results[i] := case when v_missing is not null
        then xplane.result('dependency_not_ready', format('service account "%s" created; its grants wait for %s', v_names[i], v_missing), v_obs)
        else xplane.result('success', format('service account "%s" created%s', v_names[i],
               case when v_pw[i] is null then ' (no password stored: it cannot log in until one is set)' else '' end), v_obs) end;
    else
      v_results[i] := case when v_missing is not null
        then xplane.result('dependency_not_ready', format('role "%s" created; its grants wait for %s', v_names[i], v_missing), v_obs)
        else xplane.result('success', format('role "%s" created', v_names[i]), v_obs) end;
    end if;
  end loop;
  return v_results;
exception when others then
  -- A catalog read failed (a database went away, the server is unreachable): the roles still
  -- going share the failure; reconcile retries them.
  get stacked diagnostics v_state = returned_sqlstate, v_msg = message_text, v_detail = pg_exception_detail, v_hint = pg_exception_hint;
  return array(select coalesce(v_results[k], xplane.failure(v_state, v_msg, v_detail, v_hint))
                 from generate_series(1, v_n) k);
end
$$;
comment on function xplane.create_roles(text, jsonb) is
  'Creates absent Roles and ServiceAccounts [{"kind","name","spec"}] together, in a fixed number of round trips (one for the roles, one batched catalog read, one per database for the grants, one batched read of the result); a failing batch is retried one role at a time. Results in input order: success, dependency_not_ready (grants wait for a database or schema), already_exists, or the failure.';

create or replace function xplane.act_update_role(p_kind xplane.resource_kind, p_name text, p_spec jsonb, p_provider_config text)
returns xplane.action_result language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_sa    boolean := p_kind = 'ServiceAccount';
  v_label text := format(case when v_sa then 'service account "%s"' else 'role "%s"' end, p_name);
  v_spec  jsonb := xplane.normalize_spec(p_kind, p_spec);
  -- Where its grants are authoritative: a service account's include its implicit ones.
  v_scope jsonb := case when v_sa then xplane.service_account_scope(v_spec) else v_spec -> 'grants' end;
  v_cat   jsonb;
  v_obs   jsonb;
  v_role  jsonb;
  v_pw    text;
  v_n     integer;
  v_missing text;
begin
  v_cat := xplane.role_catalog_of(p_provider_config, p_name, v_scope);
  v_role := v_cat -> 'cluster' -> 'roles' -> p_name;
  if v_role is null then
    return xplane.result('not_found', format('role "%s" does not exist', p_name), null);
  end if;
  v_obs := xplane.role_observed(p_kind, p_name, v_spec, v_cat);
  -- Every attribute as declared (login, superuser …), whatever someone made of them.
  v_n := xplane.role_converge(p_provider_config, p_name, v_spec, v_role, v_cat,
           case when v_sa then xplane.service_account_implicit(v_spec) else '[]' end);
  if v_sa then
    -- A verifier replaced by hand: the recorded one is set again (the connection secret stays valid).
    v_pw := xplane.service_account_password(p_provider_config, p_name, p_spec, coalesce(v_role ->> 'password' = 'password changed outside xp', false));
  end if;
  v_missing := xplane.grants_missing(v_scope, v_cat -> 'grants');
  if v_n = 0 and v_pw is null and v_missing is null then
    return xplane.result('no_change', v_label || ' is up to date', v_obs);
  end if;
  v_cat := xplane.role_catalog_of(p_provider_config, p_name, v_scope);
  if v_missing is not null then
    return xplane.result('dependency_not_ready', format('%s: its grants wait for %s', v_label, v_missing),
                         xplane.role_observed(p_kind, p_name, v_spec, v_cat));
  end if;
  return xplane.result('updated', format('%s updated (%s)', v_label,
    array_to_string(array_remove(array_remove(xplane.spec_diff(p_kind, v_spec, v_obs), 'password') || coalesce(v_pw, ''), ''), ', ')),
    xplane.role_observed(p_kind, p_name, v_spec, v_cat));
end
$$;
comment on function xplane.act_update_role(xplane.resource_kind, text, jsonb, text) is
  'The update action of Role and ServiceAccount (update_role and update_service_account are its guarded forms, through xplane.act): converges an existing role to its spec with deltas only (ALTER ROLE, SET/RESET, GRANT/REVOKE membership and privileges; a service account''s new stored verifier: rotation). no_change when in sync, not_found when absent.';

create or replace function xplane.act_delete_role(p_kind xplane.resource_kind, p_name text, p_spec jsonb, p_provider_config text)
returns xplane.action_result language plpgsql volatile set search_path = xplane, pg_catalog as $$
declare
  v_cat     jsonb;
  v_result  xplane.action_result;
  v_refusal text;
begin
  -- Also called directly (psql): REASSIGN/DROP OWNED of the role xp connects as, or of one
  -- owning schema xplane or its objects, would drop the provider itself (or wait forever on
  -- the locks this very session holds on them).
  v_refusal := xplane.protection_refusal('delete', p_kind, p_name, '', null, p_provider_config);
  if v_refusal is not null then
    return xplane.result('error', v_refusal);
  end if;
  v_cat := xplane.roles_catalog(p_provider_config, array[p_name]);
  if not (v_cat -> 'roles' ? p_name) then
    v_result := xplane.result('not_found', format('role "%s" does not exist', p_name), null);
  else
    v_result := xplane.drop_role_everywhere(p_provider_config, p_name, v_cat -> 'roles' -> p_name);
  end if;
  -- Once the role is gone (dropped now, or already absent): forget where its grants were and,
  -- for a service account, its stored verifier.
  if (v_result).status_code in ('success', 'not_found') then
    perform xplane.grant_scope_record(p_provider_config, p_name, '[]');
    perform xplane.member_edges_record(p_provider_config, p_name, '[]');
    if p_kind = 'ServiceAccount' then
      perform xplane.credential_forget(p_provider_config, p_name);
    end if;
  end if;
  return v_result;
end
$$;
comment on function xplane.act_delete_role(xplane.resource_kind, text, jsonb, text) is
  'The delete action of Role and ServiceAccount (delete_role and delete_service_account are its guarded forms, through xplane.act): drops the role; what it owns is reassigned to the role xp runs as and its privileges dropped, in every database where they are (or a refusal naming them); a service account''s stored verifier is forgotten. Refuses the roles xp depends on (protection_refusal).';

create or replace function xplane.role_catalog_slices(p_catalog jsonb, p_names text[])
returns table (name text, slice jsonb) language sql immutable parallel safe as $$
  -- Cuts a batch catalog (role_batch_catalog) into one small catalog per role, in the same
  -- shape. Every subtree is unnested once: per-role lookups in the whole catalog would copy
  -- its large subtrees for every role (quadratic in the batch size). A role's slice holds the
  -- schemas of its own scope (where its grants are authoritative: the only ones its observe
  -- looks at) and those where it holds anything, not every schema of the batch: with one
  -- schema per tenant that would again be quadratic (1,000 tenants: 10 s).
  with names as (select distinct unnest(p_names) as name),
  dbs as (select d.key as db, d.value ->> 'me' as me, d.value ->> 'db_owner' as db_owner,
                 d.value -> 'db_held' as db_held, coalesce(d.value -> 'db_grantable', '{}'::jsonb) as db_grantable,
                 coalesce(d.value -> 'db_grantors', '{}'::jsonb) as db_grantors, d.value -> 'schemas' as schemas,
                 coalesce(d.value -> 'db_by', '{}'::jsonb) as db_by,                                      -- (granted_by)
                 d.value -> 'objects' as objects
            from jsonb_each(coalesce(p_catalog -> 'grants', '{}'::jsonb)) d),
  dbheld as (select dbs.db, h.key as name, h.value from dbs, jsonb_each(dbs.db_held) h),
  dbgrant as (select dbs.db, h.key as name, h.value from dbs, jsonb_each(dbs.db_grantable) h),
  dbthird as (select dbs.db, h.key as name, h.value from dbs, jsonb_each(dbs.db_grantors) h),
  dbby as (select dbs.db, h.key as name, h.value from dbs, jsonb_each(dbs.db_by) h),                      -- (granted_by)
  sch as (select dbs.db, s.key as schema, s.value ->> 'owner' as owner, s.value -> 'future_for' as future_for,
                 s.value -> 'held' as held, coalesce(s.value -> 'grantable', '{}'::jsonb) as grantable,
                 coalesce(s.value -> 'grantors', '{}'::jsonb) as grantors,
                 coalesce(s.value -> 'by', '{}'::jsonb) as by,                                            -- (granted_by)
                 s.value -> 'objects' as objects, s.value -> 'defaults' as defaults
            from dbs, jsonb_each(dbs.schemas) s),
  nheld as (select sch.db, sch.schema, h.key as name, h.value from sch, jsonb_each(sch.held) h),
  ngrant as (select sch.db, sch.schema, h.key as name, h.value from sch, jsonb_each(sch.grantable) h),
  nthird as (select sch.db, sch.schema, h.key as name, h.value from sch, jsonb_each(sch.grantors) h),
  nby as (select sch.db, sch.schema, h.key as name, h.value from sch, jsonb_each(sch.by) h),             -- (granted_by)
  nobj as (select sch.db, sch.schema, o.key as name, o.value from sch, jsonb_each(sch.objects) o),
  ndef as (select sch.db, sch.schema, f.key as name, f.value from sch, jsonb_each(sch.defaults) f),
  pairs as (
    select n.name, sc.database as db, sc.schema
      from names n join jsonb_each(coalesce(p_catalog -> 'scopes', '{}'::jsonb)) ps on ps.key = n.name, xplane.grants_scope(ps.value) sc
     where sc.schema is not null
    union select name, db, schema from nheld
    union select name, db, schema from nobj
    union select name, db, schema from ndef
    -- a catalog without scopes (not from role_batch_slices): every schema for every role
    union select n.name, sch.db, sch.schema from names n, sch where not (p_catalog ? 'scopes')),
  sch_slice as (
    select sch.db, n.name, jsonb_object_agg(sch.schema, jsonb_build_object(
             'owner', sch.owner, 'future_for', sch.future_for,
             'held', case when h.value is null then '{}'::jsonb else jsonb_build_object(n.name, h.value) end,
             'grantable', case when g.value is null then '{}'::jsonb else jsonb_build_object(n.name, g.value) end,
             'grantors', case when t.value is null then '{}'::jsonb else jsonb_build_object(n.name, t.value) end,
             'by', case when b.value is null then '{}'::jsonb else jsonb_build_object(n.name, b.value) end,  -- (granted_by)
             'objects', case when o.value is null then '{}'::jsonb else jsonb_build_object(n.name, o.value) end,
             'defaults', case when f.value is null then '{}'::jsonb else jsonb_build_object(n.name, f.value) end)) as schemas
      from sch join pairs n on n.db = sch.db and n.schema = sch.schema
      left join nheld h on h.db = sch.db and h.schema = sch.schema and h.name = n.name
      left join ngrant g on g.db = sch.db and g.schema = sch.schema and g.name = n.name
      left join nthird t on t.db = sch.db and t.schema = sch.schema and t.name = n.name
      left join nby b on b.db = sch.db and b.schema = sch.schema and b.name = n.name                        -- (granted_by)
      left join nobj o on o.db = sch.db and o.schema = sch.schema and o.name = n.name
      left join ndef f on f.db = sch.db and f.schema = sch.schema and f.name = n.name
     group by sch.db, n.name),
  db_slice as (
    select n.name, jsonb_object_agg(dbs.db, jsonb_build_object(
             'me', dbs.me, 'db_owner', dbs.db_owner,
             'db_held', case when h.value is null then '{}'::jsonb else jsonb_build_object(n.name, h.value) end,
             'db_grantable', case when g.value is null then '{}'::jsonb else jsonb_build_object(n.name, g.value) end,
             'db_grantors', case when t.value is null then '{}'::jsonb else jsonb_build_object(n.name, t.value) end,
             'db_by', case when b.value is null then '{}'::jsonb else jsonb_build_object(n.name, b.value) end,  -- (granted_by)
             'schemas', coalesce(s.schemas, '{}'::jsonb))
             -- object-level grants (049_object_grants.sql): the named objects, whole
             || case when dbs.objects is null then '{}'::jsonb else jsonb_build_object('objects', dbs.objects) end) as grants
      from dbs cross join names n
      left join dbheld h on h.db = dbs.db and h.name = n.name
      left join dbgrant g on g.db = dbs.db and g.name = n.name
      left join dbthird t on t.db = dbs.db and t.name = n.name
      left join dbby b on b.db = dbs.db and b.name = n.name                                                  -- (granted_by)
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

create or replace function xplane.role_batch_slices(p_provider_config text, p_items jsonb)
returns jsonb language sql volatile set search_path = xplane, pg_catalog as $$
  -- role_batch_catalog cut into one catalog per role (by role_scopes): {name: slice}.
  select coalesce(jsonb_object_agg(s.name, s.slice), '{}'::jsonb)
    from (select xplane.role_batch_catalog(p_provider_config, p_items) as cat) c,
         xplane.role_catalog_slices(c.cat || jsonb_build_object('scopes', xplane.role_scopes(p_items, c.cat -> 'previous_scope')),
                                    array(select e ->> 'name' from jsonb_array_elements(p_items) e)) s
$$;
comment on function xplane.role_batch_slices(text, jsonb) is
  'The catalog of a batch of roles [{"name", "scope"}] (role_batch_catalog), as {name: the slice of it that concerns that role} (role_catalog_slices).';
