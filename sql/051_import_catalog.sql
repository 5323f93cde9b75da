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
  -- The rules are grants_catalog_sql's: objects a role owns do not count, only explicit grants
  -- to the role count (never PUBLIC's), default privileges of the role xp runs as and of the
  -- schema owner (when xp may act as it).
  select $q$(with
  r as (select oid, rolname::text as rolname from pg_catalog.pg_roles where rolname = any ($1::text[])),
  s as (select oid, nspname::text as nspname, nspowner, nspacl from pg_catalog.pg_namespace where nspname = any ($2::text[])),
  d as (select datdba, datacl from pg_catalog.pg_database where datname = pg_catalog.current_database()),
  ff as materialized (select s.oid as nsp, u.rolname::text as forrole
           from s join pg_catalog.pg_roles u
             on u.rolname = current_user
             or (u.oid = s.nspowner and case when pg_catalog.current_setting('server_version_num')::int >= 160000
                   then pg_catalog.pg_has_role(current_user, s.nspowner, 'SET')
                   else pg_catalog.pg_has_role(current_user, s.nspowner, 'MEMBER') end)),
  objs as materialized (select c.relnamespace as nsp, case c.relkind when 'S' then 'sequences' else 'tables' end as kind, c.oid, c.relowner as owner,
                  coalesce(c.relacl, pg_catalog.acldefault(case c.relkind when 'S' then 's' else 'r' end::"char", c.relowner)) as acl
             from pg_catalog.pg_class c join s on s.oid = c.relnamespace
            where c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
           union all
           select p.pronamespace, 'functions', p.oid, p.proowner, coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))
             from pg_catalog.pg_proc p join s on s.oid = p.pronamespace),
  -- per schema and kind: every object, and how many each owner has
  totals as (select nsp, kind, count(*)::int as n from objs group by 1, 2),
  totn as materialized (select nsp, json_object_agg(kind, n) as j from totals group by 1),
  owned as (select o.nsp, r.rolname, o.kind, count(*)::int as n from objs o join r on r.oid = o.owner group by 1, 2, 3),
  ownr as (select nsp, rolname, json_object_agg(kind, n) as j from owned group by 1, 2),
  ownn as materialized (select nsp, json_object_agg(rolname, j) as j from ownr group by 1),
  items as (select o.nsp, o.kind, o.oid, o.owner, i.item, i.item::text as t
              from objs o cross join lateral unnest(o.acl) as i(item)),
  cand as (select it.* from items it
            where left(it.t, 1) = '"' or split_part(it.t, '=', 1) in (select rolname from r)),
  held as materialized (select c.nsp, c.kind, r.rolname, a.privilege_type::text as priv, count(distinct c.oid)::int as n,
                  count(distinct c.oid) filter (where a.is_grantable)::int as g
             from cand c cross join lateral pg_catalog.aclexplode(array[c.item]) a join r on r.oid = a.grantee and c.owner <> r.oid
            group by 1, 2, 3, 4),
  heldj as (select nsp, kind, rolname, json_object_agg(priv, n) as j,
                   coalesce(json_object_agg(priv, g) filter (where g > 0), '{}'::json) as gj from held group by 1, 2, 3),
  heldr as (select nsp, rolname, json_object_agg(kind, j) as j, json_object_agg(kind, gj) as gj from heldj group by 1, 2),
  heldn as materialized (select nsp, json_object_agg(rolname, j) as j, json_object_agg(rolname, gj) as gj from heldr group by 1),
  defs as (select da.defaclnamespace as nsp, r.rolname,
                  case da.defaclobjtype when 'r' then 'tables' when 'S' then 'sequences' when 'T' then 'types'
                                        when 'n' then 'schemas' else 'functions' end as kind,
                  pg_catalog.pg_get_userbyid(da.defaclrole)::text as forrole,
                  json_agg(distinct a.privilege_type::text order by a.privilege_type::text) as privs
             from pg_catalog.pg_default_acl da
             cross join lateral unnest(da.defaclacl) as i(item) cross join lateral pg_catalog.aclexplode(array[i.item]) a
             join r on r.oid = a.grantee
            -- as grants_catalog_sql: IN SCHEMA and global rows, never the creator's own rights
            where (da.defaclnamespace = 0 or da.defaclnamespace in (select oid from s))
              and a.grantee <> da.defaclrole
              -- only creators xp may act as (ALTER DEFAULT PRIVILEGES FOR ROLE needs it)
              and case when pg_catalog.current_setting('server_version_num')::int >= 160000
                       then pg_catalog.pg_has_role(current_user, da.defaclrole, 'SET')
                       else pg_catalog.pg_has_role(current_user, da.defaclrole, 'MEMBER') end
            group by 1, 2, 3, 4),
  defk as (select nsp, rolname, kind, json_object_agg(forrole, privs) as j from defs group by 1, 2, 3),
  defr as (select nsp, rolname, json_object_agg(kind, j) as j from defk group by 1, 2),
  defn as materialized (select nsp, json_object_agg(rolname, j) as j from defr where nsp <> 0 group by 1),
  me as (select oid from pg_catalog.pg_roles where rolname = current_user),
  nsh as (select s.oid as nsp, r.rolname, json_agg(distinct a.privilege_type::text order by a.privilege_type::text) as privs,
                 json_agg(distinct a.privilege_type::text order by a.privilege_type::text) filter (where a.is_grantable) as gprivs,
                 json_agg(distinct pg_catalog.pg_get_userbyid(a.grantor)::text) filter (where a.grantor <> s.nspowner
                   and a.grantor <> (select oid from me) and case when pg_catalog.current_setting('server_version_num')::int >= 160000
                   then pg_catalog.pg_has_role(current_user, a.grantor, 'SET') else pg_catalog.pg_has_role(current_user, a.grantor, 'MEMBER') end) as thirds,
                 -- (granted_by) as grants_catalog_sql: who granted what, where some grantor is a third one
                 bool_or(a.grantor <> s.nspowner and a.grantor <> (select oid from me)) as any_third,
                 array_agg(a.grantor) as grs, array_agg(a.privilege_type::text) as prs
            from s cross join lateral unnest(coalesce(s.nspacl, pg_catalog.acldefault('n', s.nspowner))) as i(item)
                   cross join lateral pg_catalog.aclexplode(array[i.item]) a
            join r on r.oid = a.grantee group by 1, 2),
  nshn as materialized (select nsp, json_object_agg(rolname, privs) as j,
                                json_object_agg(rolname, gprivs) filter (where gprivs is not null) as gj,
                                json_object_agg(rolname, thirds) filter (where thirds is not null) as tj,
                                json_object_agg(rolname, (select json_object_agg(x.g, x.p) from (
                                    select pg_catalog.pg_get_userbyid(u.g)::text as g, json_agg(distinct u.p order by u.p) as p
                                      from unnest(grs, prs) u(g, p) group by 1) x)) filter (where any_third) as bj from nsh group by 1),
  dbh as (select r.rolname, json_agg(distinct a.privilege_type::text order by a.privilege_type::text) as privs,
                 json_agg(distinct a.privilege_type::text order by a.privilege_type::text) filter (where a.is_grantable) as gprivs,
                 json_agg(distinct pg_catalog.pg_get_userbyid(a.grantor)::text) filter (where a.grantor <> d.datdba
                   and a.grantor <> (select oid from me) and case when pg_catalog.current_setting('server_version_num')::int >= 160000
                   then pg_catalog.pg_has_role(current_user, a.grantor, 'SET') else pg_catalog.pg_has_role(current_user, a.grantor, 'MEMBER') end) as thirds,
                 bool_or(a.grantor <> d.datdba and a.grantor <> (select oid from me)) as any_third,
                 array_agg(a.grantor) as grs, array_agg(a.privilege_type::text) as prs
            from d cross join lateral unnest(coalesce(d.datacl, pg_catalog.acldefault('d', d.datdba))) as i(item)
                   cross join lateral pg_catalog.aclexplode(array[i.item]) a
            join r on r.oid = a.grantee group by 1)
  select json_build_object(
    'me', current_user::text,
    'db_owner', (select pg_catalog.pg_get_userbyid(datdba)::text from d),
    'db_held', coalesce((select json_object_agg(rolname, privs) from dbh), '{}'::json),
    'db_grantable', coalesce((select json_object_agg(rolname, gprivs) from dbh where gprivs is not null), '{}'::json),
    'db_grantors', coalesce((select json_object_agg(rolname, thirds) from dbh where thirds is not null), '{}'::json),
    'db_by', coalesce((select json_object_agg(rolname, (select json_object_agg(x.g, x.p) from (
                          select pg_catalog.pg_get_userbyid(u.g)::text as g, json_agg(distinct u.p order by u.p) as p
                            from unnest(grs, prs) u(g, p) group by 1) x)) from dbh where any_third), '{}'::json),
    'db_defaults', coalesce((select json_object_agg(rolname, j) from defr where nsp = 0), '{}'::json),
    'default_roles', coalesce((select json_agg(distinct rolname) from defs where nsp = 0 or kind = 'types'), '[]'::json),
    'schemas', coalesce((select json_object_agg(s.nspname, json_build_object(
        'owner', pg_catalog.pg_get_userbyid(s.nspowner)::text,
        'future_for', coalesce(ffn.j, '[]'::json),
        'held', coalesce(nshn.j, '{}'::json),
        'grantable', coalesce(nshn.gj, '{}'::json),
        'grantors', coalesce(nshn.tj, '{}'::json),
        'by', coalesce(nshn.bj, '{}'::json),
        'totals', coalesce(totn.j, '{}'::json),
        'owned', coalesce(ownn.j, '{}'::json),
        'objects_held', coalesce(heldn.j, '{}'::json),
        'objects_grantable', coalesce(heldn.gj, '{}'::json),
        'defaults', coalesce(defn.j, '{}'::json)))
      from s left join (select ff.nsp, json_agg(ff.forrole order by ff.forrole) as j from ff group by ff.nsp) ffn on ffn.nsp = s.oid
             left join nshn on nshn.nsp = s.oid
             left join totn on totn.nsp = s.oid
             left join ownn on ownn.nsp = s.oid
             left join heldn on heldn.nsp = s.oid
             left join defn on defn.nsp = s.oid), '{}'::json)))$q$::text
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
