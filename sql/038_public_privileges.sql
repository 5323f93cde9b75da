-- PUBLIC as a grantee: the attribute public_privileges of Database and Schema (docs/kinds/
-- database.md, schema.md). Before 040/045, whose observe queries embed its expression.
-- Not managed when absent (specs recorded before 0.7.0 lack it: they plan empty); a list, even
-- empty, is authoritative: `public_privileges = []` is the hardening step REVOKE ALL … FROM PUBLIC.

create or replace function xplane.public_privilege_targets(p_on text)
returns text[] language sql immutable parallel safe as $$
  select case p_on when 'database' then array['CONNECT', 'CREATE', 'TEMPORARY']
                   when 'schema' then array['CREATE', 'USAGE'] end
$$;
comment on function xplane.public_privilege_targets(text) is
  'Every privilege PUBLIC may hold on a database or a schema, sorted (what ALL expands to).';

create or replace function xplane.spec_public_privileges(p_kind xplane.resource_kind, p_spec jsonb, p_on text)
returns jsonb language plpgsql immutable set search_path = xplane, pg_catalog as $$
declare
  v       jsonb := p_spec -> 'public_privileges';
  v_all   text[] := xplane.public_privilege_targets(p_on);
  v_privs text[] := '{}';
  v_raw   text;
  v_p     text;
begin
  -- Absent or null: not managed, not part of the normalised spec (like comment).
  if v is null or v = 'null'::jsonb then
    return '{}'::jsonb;
  end if;
  if jsonb_typeof(v) <> 'array' then
    perform xplane.invalid_spec(p_kind, 'public_privileges', format('must be a list of privileges, got %s', v::text));
  end if;
  for v_raw in select e #>> '{}' from jsonb_array_elements(v) e loop
    v_p := regexp_replace(upper(btrim(coalesce(v_raw, ''))), '\s+', ' ', 'g');
    if v_p in ('ALL', 'ALL PRIVILEGES') then
      v_privs := v_privs || v_all;
    elsif v_p = 'TEMP' and p_on = 'database' then
      v_privs := v_privs || 'TEMPORARY'::text;
    elsif v_p = any (v_all) then
      v_privs := v_privs || v_p;
    else
      perform xplane.invalid_spec(p_kind, 'public_privileges',
        format('unknown privilege %s for a %s (allowed: %s, ALL)', coalesce(to_jsonb(v_raw), 'null'), p_on, array_to_string(v_all, ', ')));
    end if;
  end loop;
  return jsonb_build_object('public_privileges',
    coalesce((select jsonb_agg(p order by p) from (select distinct p collate "C" as p from unnest(v_privs) p) x), '[]'::jsonb));
end
$$;
comment on function xplane.spec_public_privileges(xplane.resource_kind, jsonb, text) is
  'The public_privileges of a Database (p_on database) or Schema spec, as the part of the normalised spec it gives: {} when absent (not managed), else {"public_privileges": privileges upper case, ALL expanded, TEMP = TEMPORARY, sorted}. Raises 22023 (Kind.public_privileges: unknown privilege …).';

create or replace function xplane.public_privileges_observed_sql(p_kind text, p_oid text)
returns text language sql stable parallel safe as $$
  -- The expression (for a catalog query) of what PUBLIC holds on a database (p_kind 'd') or
  -- schema ('n') whose oid is p_oid: a sorted JSON array, the shape of the spec. Asked with
  -- has_*_privilege('public', …), which reads the ACL (or the built-in default) in one pass:
  -- aclexplode detoasts the ACL again for every item it returns (a database granted to 1,000
  -- accounts took 50 ms), and picking PUBLIC's items by their text looks every grantee up.
  select format($q$(select coalesce(pg_catalog.jsonb_agg(p order by p collate "C"), '[]'::jsonb) from pg_catalog.unnest(%L::text[]) p where pg_catalog.%I('public', %s, p))$q$,
                case p_kind when 'd' then array['CONNECT', 'CREATE', 'TEMPORARY'] else array['CREATE', 'USAGE'] end,
                case p_kind when 'd' then 'has_database_privilege' else 'has_schema_privilege' end, p_oid)
$$;
comment on function xplane.public_privileges_observed_sql(text, text) is
  'SQL expression: the privileges PUBLIC holds on the database (p_kind ''d'') or schema (''n'') whose oid is the expression p_oid (the built-in default when its ACL is null), as the sorted JSON array of public_privileges.';

create or replace function xplane.public_privileges_sql(p_on text, p_name text, p_privileges jsonb)
returns text language sql immutable parallel safe as $$
  -- Makes PUBLIC hold exactly p_privileges on database/schema p_name: REVOKE of every other
  -- privilege, GRANT of these (both no-ops for what is already so); never revoke-then-grant,
  -- so access has no gap. p_on is 'database' or 'schema', never user input.
  select concat(
    (select format('revoke %s on %s %I from public; ', string_agg(p, ', ' order by p), p_on, p_name)
       from unnest(xplane.public_privilege_targets(p_on)) p
      where not coalesce(p_privileges, '[]'::jsonb) ? p having count(*) > 0),
    (select format('grant %s on %s %I to public; ', string_agg(p, ', ' order by p), p_on, p_name)
       from jsonb_array_elements_text(coalesce(p_privileges, '[]'::jsonb)) p having count(*) > 0))
$$;
comment on function xplane.public_privileges_sql(text, text, jsonb) is
  'The REVOKE … FROM PUBLIC of the privileges not in p_privileges and the GRANT … TO PUBLIC of those in it, on database or schema p_name: what alter_sql runs for public_privileges.';
