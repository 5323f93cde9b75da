-- The grants catalog of `xp import`: what grants_catalog_sql (050_grants.sql) reads, in a
-- shape whose size grows with what is granted, not with roles × schemas. grants_catalog gives,
-- for every role asked about and every schema, how many objects of each kind are not the role's
-- (its "total"): with 1,000 tenants (2,000 roles, 1,000 schemas with a table each) that is two
-- million entries, and import asks about every role and every schema. Here the count comes
-- once per schema and kind, with the counts per owner; a role's total is the one less the
-- objects it owns (src/import/catalog.ts rebuilds grants_catalog's entries from it, and
-- test/import/read.test.ts checks that they are the same as grants_catalog's).

create or replace function xplane.import_grants_catalog_sql()
returns text language sql immutable parallel safe as $$
  -- The rules are grants_catalog_sql's, and so are the CTEs and keys they share
  -- (grants_catalog_ctes_sql, grants_catalog_select_sql): objects a role owns do not count,
  -- only explicit grants to the role count (never PUBLIC's), default privileges of the role
  -- xp runs as and of the schema owner (when xp may act as it). Its own: per schema the
  -- objects per kind, those each role owns, and per role the objects per privilege it holds.
  select $q$(with$q$ || xplane.grants_catalog_ctes_sql() || $q$,
  -- per schema and kind: every object, and how many each owner has
  totals as (select nsp, kind, count(*)::int as n from objs group by 1, 2),
  totn as materialized (select nsp, json_object_agg(kind, n) as j from totals group by 1),
  owned as (select o.nsp, r.rolname, o.kind, count(*)::int as n from objs o join r on r.oid = o.owner group by 1, 2, 3),
  ownr as (select nsp, rolname, json_object_agg(kind, n) as j from owned group by 1, 2),
  ownn as materialized (select nsp, json_object_agg(rolname, j) as j from ownr group by 1),
  held as materialized (select c.nsp, c.kind, r.rolname, a.privilege_type::text as priv, count(distinct c.oid)::int as n,
                  count(distinct c.oid) filter (where a.is_grantable)::int as g
             from cand c cross join lateral pg_catalog.aclexplode(array[c.item]) a join r on r.oid = a.grantee and c.owner <> r.oid
            group by 1, 2, 3, 4),
  heldj as (select nsp, kind, rolname, json_object_agg(priv, n) as j,
                   coalesce(json_object_agg(priv, g) filter (where g > 0), '{}'::json) as gj from held group by 1, 2, 3),
  heldr as (select nsp, rolname, json_object_agg(kind, j) as j, json_object_agg(kind, gj) as gj from heldj group by 1, 2),
  heldn as materialized (select nsp, json_object_agg(rolname, j) as j, json_object_agg(rolname, gj) as gj from heldr group by 1)$q$ || xplane.grants_catalog_select_sql('', $k$
        'totals', coalesce(totn.j, '{}'::json),
        'owned', coalesce(ownn.j, '{}'::json),
        'objects_held', coalesce(heldn.j, '{}'::json),
        'objects_grantable', coalesce(heldn.gj, '{}'::json),$k$, $k$
             left join totn on totn.nsp = s.oid
             left join ownn on ownn.nsp = s.oid
             left join heldn on heldn.nsp = s.oid$k$) || ')'
$$;
comment on function xplane.import_grants_catalog_sql() is
  'grants_catalog_sql for xp import: the same facts with, per schema, "totals" (objects per kind), "owned" (per role and kind, objects it owns) and "objects_held" (per role and kind, objects per privilege, only roles holding one) instead of an entry per role and schema: its size grows with the grants, not with roles × schemas.';

create or replace function xplane.import_grants_catalog(p_provider_config text, p_requests jsonb, p_databases text[])
returns jsonb language plpgsql volatile set search_path = xplane, pg_catalog set jit = off as $$
declare
  v_db   text;
  v_req  jsonb;
  v_out  jsonb := '{}';
begin
  -- As grants_catalog: one round trip per database of p_requests that exists (p_databases).
  for v_db, v_req in select key, value from jsonb_each(coalesce(p_requests, '{}'::jsonb)) order by key loop
    continue when not (v_db = any (p_databases));
    v_out := v_out || jsonb_build_object(v_db, xplane.remote_query(p_provider_config, v_db, xplane.import_grants_catalog_sql(),
      array[array(select distinct jsonb_array_elements_text(v_req -> 'roles'))::text,
            array(select distinct jsonb_array_elements_text(v_req -> 'schemas'))::text]));
  end loop;
  return v_out;
end
$$;
comment on function xplane.import_grants_catalog(text, jsonb, text[]) is
  'Runs import_grants_catalog_sql once per database of p_requests ({"db": {"roles": [...], "schemas": [...]}}) that exists, and returns {"db": <catalog>}.';
