-- Reading and checking spec fields, for every normalize_<kind>. Each raises the one
-- invalid-spec error (xplane.invalid_spec: SQLSTATE 22023, message "Kind.field: problem").

create or replace function xplane.spec_check_keys(p_kind xplane.resource_kind, p_spec jsonb, p_allowed text[])
returns void language plpgsql stable set search_path = xplane, pg_catalog as $$
declare
  v_unknown text;
begin
  if p_spec is null or jsonb_typeof(p_spec) <> 'object' then
    perform xplane.invalid_spec(p_kind, 'spec', 'must be a JSON object');
  end if;
  if p_spec - p_allowed = '{}'::jsonb then
    return;                                            -- (an expression, not a query: runs per resource)
  end if;
  select string_agg(k, ', ' order by k) into v_unknown from jsonb_object_keys(p_spec) k where k <> all (p_allowed);
  if v_unknown is not null then
    perform xplane.invalid_spec(p_kind, split_part(v_unknown, ', ', 1),
      format('unknown attribute (allowed: %s)', array_to_string(p_allowed, ', ')));
  end if;
end
$$;
comment on function xplane.spec_check_keys(xplane.resource_kind, jsonb, text[]) is
  'Refuses a spec that is not an object or carries an attribute the kind does not know (a typo would otherwise be ignored silently).';

create or replace function xplane.spec_text(p_kind xplane.resource_kind, p_spec jsonb, p_key text, p_default text,
                                            p_nullable boolean default false)
returns text language plpgsql stable set search_path = xplane, pg_catalog as $$
declare
  v jsonb := p_spec -> p_key;
begin
  if v is null then
    return p_default;
  elsif jsonb_typeof(v) = 'null' then
    if p_nullable then return null; end if;
    if p_default is not null then return p_default; end if;
    perform xplane.invalid_spec(p_kind, p_key, 'must not be null');
  elsif jsonb_typeof(v) <> 'string' then
    perform xplane.invalid_spec(p_kind, p_key, format('must be a string, got %s', v::text));
  elsif v #>> '{}' = '' and not p_nullable then
    perform xplane.invalid_spec(p_kind, p_key, 'must not be empty');
  end if;
  return v #>> '{}';
end
$$;
comment on function xplane.spec_text(xplane.resource_kind, jsonb, text, text, boolean) is
  'A string attribute of a spec, or p_default when absent; refuses other JSON types and (unless nullable) null or empty strings.';

create or replace function xplane.identifier_problem(p_value text)
returns text language sql stable parallel safe as $$
  -- The same rule as identifierProblem in src/kinds/domains.ts (test/kinds/domains.contract.test.ts).
  -- A NUL cannot reach here: PostgreSQL text (and jsonb) refuses it on input.
  select case when p_value is null or p_value = '' then 'must not be empty'
              when octet_length(p_value) > 63
              then format('is %s bytes long, more than PostgreSQL''s limit of 63 bytes (NAMEDATALEN)', octet_length(p_value)) end
$$;
comment on function xplane.identifier_problem(text) is
  'Why a string cannot be a PostgreSQL name (empty, or longer than 63 bytes: the server would truncate it silently), or null when it can.';

create or replace function xplane.spec_identifier(p_kind xplane.resource_kind, p_spec jsonb, p_key text, p_default text,
                                                  p_nullable boolean default false)
returns text language plpgsql stable set search_path = xplane, pg_catalog as $$
declare
  v text := xplane.spec_text(p_kind, p_spec, p_key, p_default, p_nullable);
begin
  if v is not null and xplane.identifier_problem(v) is not null then
    perform xplane.invalid_spec(p_kind, p_key, xplane.identifier_problem(v));
  end if;
  return v;
end
$$;
comment on function xplane.spec_identifier(xplane.resource_kind, jsonb, text, text, boolean) is
  'A string attribute that names an object (spec_text, then identifier_problem): 1 to 63 bytes.';

create or replace function xplane.spec_identifier_set(p_kind xplane.resource_kind, p_spec jsonb, p_key text)
returns jsonb language plpgsql stable set search_path = xplane, pg_catalog as $$
declare
  v jsonb := xplane.spec_text_set(p_kind, p_spec, p_key);
  v_bad text;
begin
  if jsonb_array_length(v) = 1 then
    v_bad := v ->> 0;                                  -- the common list of one, without a query
    if xplane.identifier_problem(v_bad) is not null then
      perform xplane.invalid_spec(p_kind, p_key, format('%s %s', v -> 0, xplane.identifier_problem(v_bad)));
    end if;
  elsif jsonb_array_length(v) > 1 then
    select e #>> '{}' into v_bad from jsonb_array_elements(v) e where xplane.identifier_problem(e #>> '{}') is not null limit 1;
    if v_bad is not null then
      perform xplane.invalid_spec(p_kind, p_key, format('%s %s', to_jsonb(v_bad), xplane.identifier_problem(v_bad)));
    end if;
  end if;
  return v;
end
$$;
comment on function xplane.spec_identifier_set(xplane.resource_kind, jsonb, text) is
  'A list of object names (spec_text_set, then identifier_problem for each).';

create or replace function xplane.timestamp_problem(p_value text)
returns text language plpgsql immutable parallel safe set search_path = xplane, pg_catalog as $$
-- The same rule as timestampProblem in src/kinds/domains.ts (test/kinds/domains.contract.test.ts):
-- YYYY-MM-DD, then optionally [T ]HH:MM[:SS[.ffffff]], then optionally Z or ±HH[[:]MM]; a real
-- date. Stricter than timestamptz input, which also takes 'now', 'epoch' or '+99' (a time zone).
declare
  m text[];
  v_year int; v_month int; v_day int;
begin
  if p_value in ('infinity', '-infinity') then
    return null;
  end if;
  m := regexp_match(p_value, '^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?)?(Z|[+-](\d{2})(?::?(\d{2}))?)?$');
  if m is null then
    return 'must be an ISO 8601 timestamp such as 2027-01-01T00:00:00Z (or 2027-01-01, 2027-01-01 12:00:00+02:00), or "infinity"';
  end if;
  v_year := m[1]::int; v_month := m[2]::int; v_day := m[3]::int;
  if v_year < 1000 then
    return 'the year must be between 1000 and 9999';
  elsif v_month not between 1 and 12 then
    return format('month %s does not exist', m[2]);
  elsif v_day < 1 or v_day > extract(day from make_date(v_year, v_month, 1) + interval '1 month' - interval '1 day') then
    return format('%s-%s has no day %s', m[1], m[2], m[3]);
  elsif m[4] is not null and (m[4]::int > 23 or m[5]::int > 59 or coalesce(m[6], '0')::int > 59) then
    return 'the time must be from 00:00:00 to 23:59:59';
  elsif m[8] is not null and (m[8]::int > 15 or coalesce(m[9], '0')::int > 59) then
    return 'the time zone offset must be from -15:59 to +15:59';
  end if;
  return null;
end
$$;
comment on function xplane.timestamp_problem(text) is
  'Why a string is not a timestamp xp accepts (strict ISO 8601, a real date, or infinity / -infinity), or null when it is one.';

create or replace function xplane.spec_int(p_kind xplane.resource_kind, p_spec jsonb, p_key text, p_default integer,
                                           p_min integer default null)
returns integer language plpgsql stable set search_path = xplane, pg_catalog as $$
declare
  v jsonb := p_spec -> p_key;
  n numeric;
begin
  if v is null or jsonb_typeof(v) = 'null' then
    return p_default;
  elsif jsonb_typeof(v) <> 'number' then
    perform xplane.invalid_spec(p_kind, p_key, format('must be an integer, got %s', v::text));
  end if;
  n := v::numeric;
  if n <> trunc(n) or n > 2147483647 or n < -2147483648 then
    perform xplane.invalid_spec(p_kind, p_key, format('must be an integer, got %s', v::text));
  end if;
  if p_min is not null and n < p_min then
    perform xplane.invalid_spec(p_kind, p_key, format('must be at least %s, got %s', p_min, v::text));
  end if;
  return n::integer;
end
$$;
comment on function xplane.spec_int(xplane.resource_kind, jsonb, text, integer, integer) is
  'An integer attribute of a spec (optionally at least p_min), or p_default when absent or null.';

create or replace function xplane.spec_bool(p_kind xplane.resource_kind, p_spec jsonb, p_key text, p_default boolean)
returns boolean language plpgsql stable set search_path = xplane, pg_catalog as $$
declare
  v jsonb := p_spec -> p_key;
begin
  if v is null or jsonb_typeof(v) = 'null' then
    return p_default;
  elsif jsonb_typeof(v) <> 'boolean' then
    perform xplane.invalid_spec(p_kind, p_key, format('must be true or false, got %s', v::text));
  end if;
  return v::text::boolean;
end
$$;
comment on function xplane.spec_bool(xplane.resource_kind, jsonb, text, boolean) is
  'A boolean attribute of a spec, or p_default when absent or null.';

create or replace function xplane.spec_text_set(p_kind xplane.resource_kind, p_spec jsonb, p_key text)
returns jsonb language plpgsql stable set search_path = xplane, pg_catalog as $$
declare
  v jsonb := p_spec -> p_key;
begin
  if v is null or jsonb_typeof(v) = 'null' then
    return '[]'::jsonb;
  elsif jsonb_typeof(v) <> 'array' then
    perform xplane.invalid_spec(p_kind, p_key, format('must be a list of strings, got %s', v::text));
  elsif jsonb_array_length(v) = 0 then
    return v;                                          -- the common lists, empty or of one string,
  elsif jsonb_array_length(v) = 1 and jsonb_typeof(v -> 0) = 'string' and v ->> 0 <> '' then
    return v;                                          -- without a query
  elsif exists (select 1 from jsonb_array_elements(v) e where jsonb_typeof(e) <> 'string' or e #>> '{}' = '') then
    perform xplane.invalid_spec(p_kind, p_key, 'must be a list of non-empty strings');
  end if;
  return (select coalesce(jsonb_agg(x order by x collate "C"), '[]'::jsonb)
            from (select distinct e #>> '{}' as x from jsonb_array_elements(v) e) d);
end
$$;
comment on function xplane.spec_text_set(xplane.resource_kind, jsonb, text) is
  'A list-of-strings attribute as a JSON array, de-duplicated and sorted (byte order), [] when absent.';

create or replace function xplane.spec_comment(p_kind xplane.resource_kind, p_spec jsonb)
returns jsonb language plpgsql immutable set search_path = xplane, pg_catalog as $$
begin
  -- Absent: not managed, so not part of the normalised spec: neither compared nor changed (an
  -- adopted object keeps its comment; the language leaves out an attribute set to null). null
  -- or "": no comment (COMMENT IS '' removes it, and it reads back as null). A normalised spec
  -- normalises to itself.
  if p_spec -> 'comment' is null then
    return '{}'::jsonb;
  end if;
  if p_spec -> 'comment' = 'null'::jsonb then
    return '{"comment": null}'::jsonb;
  end if;
  if jsonb_typeof(p_spec -> 'comment') <> 'string' then
    perform xplane.invalid_spec(p_kind, 'comment', 'must be a string or null');
  end if;
  return jsonb_build_object('comment', nullif(p_spec -> 'comment', '""'::jsonb));
end
$$;
comment on function xplane.spec_comment(xplane.resource_kind, jsonb) is
  'The comment of a spec, as the part of the normalised spec it gives: {} when absent (left as it is on the server), {"comment": null} for null or "" (no comment), else {"comment": text}.';

create or replace function xplane.data_loss_sql()
returns text language sql immutable parallel safe as $fn$
  -- What DROP … CASCADE of each target would destroy, read from the catalogs of one database,
  -- generically. $1: targets [{"kind": "Database"|"Schema"|"Extension", "name"}]; $2: names of
  -- the extensions xp manages there (dropped by xp before the database, so not counted).
  --  * Database: every object created after initdb (oid >= 16384, FirstNormalObjectId) in
  --    every catalog of the database: relations, functions, types, operators, … large
  --    objects, event triggers, publications, subscriptions, extensions (plpgsql is initdb's);
  --    schemas themselves are containers, not counted.
  --  * Schema, Extension: the closure of pg_depend from it, as PostgreSQL's CASCADE walks it.
  -- An object that is an internal or automatic part of another dropped object (an index, a
  -- constraint, a trigger, an array type, a view's rewrite rule, a column of a dropped table)
  -- or a member of an extension is counted as that object, not one by one.
  -- → json array in target order: {"count", "tables", "kinds": {type: n} (pg_identify_object's
  -- type names), "names": first 5 identities}. ASCII only: it runs in databases of any encoding.
  select $q$(
  with recursive
  targets as (
    select t.i, t.v ->> 'kind' as kind, t.v ->> 'name' as name from pg_catalog.jsonb_array_elements($1::jsonb) with ordinality as t(v, i)),
  ignored as (
    select e.oid from pg_catalog.pg_extension e where e.extname = any ($2::text[])),
  roots as (
    select t.i, 'pg_catalog.pg_namespace'::pg_catalog.regclass as classid, n.oid as objid, 0 as objsubid
      from targets t join pg_catalog.pg_namespace n on t.kind = 'Schema' and n.nspname = t.name
    union all
    select t.i, 'pg_catalog.pg_extension'::pg_catalog.regclass, e.oid, 0
      from targets t join pg_catalog.pg_extension e on t.kind = 'Extension' and e.extname = t.name),
  closure (i, classid, objid, objsubid) as (
    select * from roots
    union
    -- what depends on a dropped object is dropped (CASCADE), and so is the object that a dropped
    -- one is an internal part of (a view, when its rewrite rule goes)
    select c.i, n.classid, n.objid, n.objsubid
      from closure c cross join lateral (
        select d.classid, d.objid, d.objsubid from pg_catalog.pg_depend d
         where d.refclassid = c.classid and d.refobjid = c.objid and (c.objsubid = 0 or d.refobjsubid = c.objsubid) and d.deptype <> 'p'
        union all
        select d.refclassid, d.refobjid, 0 from pg_catalog.pg_depend d
         where d.classid = c.classid and d.objid = c.objid and d.objsubid = c.objsubid and d.deptype = 'i') n),
  user_objects (classid, objid) as (
    select 'pg_catalog.pg_class'::pg_catalog.regclass, oid from pg_catalog.pg_class where oid >= 16384
    union all select 'pg_catalog.pg_proc'::pg_catalog.regclass, oid from pg_catalog.pg_proc where oid >= 16384
    union all select 'pg_catalog.pg_type'::pg_catalog.regclass, oid from pg_catalog.pg_type where oid >= 16384
    union all select 'pg_catalog.pg_collation'::pg_catalog.regclass, oid from pg_catalog.pg_collation where oid >= 16384
    union all select 'pg_catalog.pg_conversion'::pg_catalog.regclass, oid from pg_catalog.pg_conversion where oid >= 16384
    union all select 'pg_catalog.pg_operator'::pg_catalog.regclass, oid from pg_catalog.pg_operator where oid >= 16384
    union all select 'pg_catalog.pg_opclass'::pg_catalog.regclass, oid from pg_catalog.pg_opclass where oid >= 16384
    union all select 'pg_catalog.pg_opfamily'::pg_catalog.regclass, oid from pg_catalog.pg_opfamily where oid >= 16384
    union all select 'pg_catalog.pg_amop'::pg_catalog.regclass, oid from pg_catalog.pg_amop where oid >= 16384
    union all select 'pg_catalog.pg_amproc'::pg_catalog.regclass, oid from pg_catalog.pg_amproc where oid >= 16384
    union all select 'pg_catalog.pg_am'::pg_catalog.regclass, oid from pg_catalog.pg_am where oid >= 16384
    union all select 'pg_catalog.pg_cast'::pg_catalog.regclass, oid from pg_catalog.pg_cast where oid >= 16384
    union all select 'pg_catalog.pg_transform'::pg_catalog.regclass, oid from pg_catalog.pg_transform where oid >= 16384
    union all select 'pg_catalog.pg_language'::pg_catalog.regclass, oid from pg_catalog.pg_language where oid >= 16384
    union all select 'pg_catalog.pg_ts_config'::pg_catalog.regclass, oid from pg_catalog.pg_ts_config where oid >= 16384
    union all select 'pg_catalog.pg_ts_dict'::pg_catalog.regclass, oid from pg_catalog.pg_ts_dict where oid >= 16384
    union all select 'pg_catalog.pg_ts_parser'::pg_catalog.regclass, oid from pg_catalog.pg_ts_parser where oid >= 16384
    union all select 'pg_catalog.pg_ts_template'::pg_catalog.regclass, oid from pg_catalog.pg_ts_template where oid >= 16384
    union all select 'pg_catalog.pg_constraint'::pg_catalog.regclass, oid from pg_catalog.pg_constraint where oid >= 16384
    union all select 'pg_catalog.pg_attrdef'::pg_catalog.regclass, oid from pg_catalog.pg_attrdef where oid >= 16384
    union all select 'pg_catalog.pg_rewrite'::pg_catalog.regclass, oid from pg_catalog.pg_rewrite where oid >= 16384
    union all select 'pg_catalog.pg_trigger'::pg_catalog.regclass, oid from pg_catalog.pg_trigger where oid >= 16384
    union all select 'pg_catalog.pg_policy'::pg_catalog.regclass, oid from pg_catalog.pg_policy where oid >= 16384
    union all select 'pg_catalog.pg_statistic_ext'::pg_catalog.regclass, oid from pg_catalog.pg_statistic_ext where oid >= 16384
    union all select 'pg_catalog.pg_event_trigger'::pg_catalog.regclass, oid from pg_catalog.pg_event_trigger where oid >= 16384
    union all select 'pg_catalog.pg_publication'::pg_catalog.regclass, oid from pg_catalog.pg_publication where oid >= 16384
    union all select 'pg_catalog.pg_publication_rel'::pg_catalog.regclass, oid from pg_catalog.pg_publication_rel where oid >= 16384
    union all select 'pg_catalog.pg_subscription'::pg_catalog.regclass, oid from pg_catalog.pg_subscription where oid >= 16384 and subdbid = (select oid from pg_catalog.pg_database where datname = pg_catalog.current_database())
    union all select 'pg_catalog.pg_foreign_data_wrapper'::pg_catalog.regclass, oid from pg_catalog.pg_foreign_data_wrapper where oid >= 16384
    union all select 'pg_catalog.pg_foreign_server'::pg_catalog.regclass, oid from pg_catalog.pg_foreign_server where oid >= 16384
    union all select 'pg_catalog.pg_user_mapping'::pg_catalog.regclass, umid from pg_catalog.pg_user_mappings where umid >= 16384
    union all select 'pg_catalog.pg_extension'::pg_catalog.regclass, oid from pg_catalog.pg_extension where oid >= 16384
    union all select 'pg_catalog.pg_largeobject'::pg_catalog.regclass, oid from pg_catalog.pg_largeobject_metadata),
  destroyed (i, classid, objid, objsubid) as (
    select * from closure
    union all
    select t.i, u.classid, u.objid, 0 from targets t cross join user_objects u where t.kind = 'Database'),
  parts (i, classid, objid, objsubid) as (
    select i, classid, objid, objsubid from roots
    union
    -- an internal or automatic part of a dropped object (index, constraint, trigger, rewrite rule,
    -- array type, ...) or a member of an extension is counted as that object
    select x.i, x.classid, x.objid, x.objsubid
      from destroyed x
      join pg_catalog.pg_depend d on d.classid = x.classid and d.objid = x.objid and d.objsubid = x.objsubid and d.deptype in ('i', 'a', 'e')
      join destroyed y on y.i = x.i and y.classid = d.refclassid and y.objid = d.refobjid and (y.objsubid = 0 or y.objsubid = d.refobjsubid)
    union
    -- the extensions xp itself manages there (its own plan drops them first), and their members
    select x.i, x.classid, x.objid, x.objsubid
      from destroyed x
     where x.classid = 'pg_catalog.pg_extension'::pg_catalog.regclass and x.objid in (select oid from ignored)
    union
    select x.i, x.classid, x.objid, x.objsubid
      from destroyed x
      join pg_catalog.pg_depend d on d.classid = x.classid and d.objid = x.objid and d.objsubid = x.objsubid and d.deptype = 'e'
     where d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass and d.refobjid in (select oid from ignored)
    union
    -- a column of a table that is dropped whole
    select x.i, x.classid, x.objid, x.objsubid
      from destroyed x join destroyed y on y.i = x.i and y.classid = x.classid and y.objid = x.objid and y.objsubid = 0
     where x.objsubid <> 0),
  kept as materialized (
    select x.* from destroyed x
     where not exists (select 1 from parts p where p.i = x.i and p.classid = x.classid and p.objid = x.objid and p.objsubid = x.objsubid)),
  counted as (
    -- named once the parts are left out (pg_identify_object is the costly step)
    select x.i, o.type, case when o.type = 'large object' then 'large object ' || o.identity else o.identity end as identity
      from kept x cross join lateral pg_catalog.pg_identify_object(x.classid, x.objid, x.objsubid) o
     where coalesce(o.schema, '') !~ '^pg_(toast_)?temp_')
  select json_agg(r order by t.i)
    from targets t
    left join lateral (
      select json_build_object('count', count(*),
                               'tables', count(*) filter (where c.type in ('table', 'materialized view', 'foreign table')),
                               'kinds', coalesce((select json_object_agg(k.type, k.n order by k.type) from (select c2.type, count(*) n from counted c2 where c2.i = t.i group by c2.type) k), '{}'::json),
                               'names', coalesce((array_agg(c.identity order by c.type not in ('table', 'materialized view', 'foreign table'), c.identity))[1:5], '{}')) as r
        from counted c where c.i = t.i) x on true
)$q$
$fn$;
comment on function xplane.data_loss_sql() is
  'A remote_query expression ($1 targets jsonb, $2 managed extension names text[]) counting, by kind, every user object that dropping a database, a schema or an extension would destroy. The one data-loss counter: plan (data_loss_many) and delete_* use it.';

create or replace function xplane.data_loss_many(p_items jsonb, p_provider_config text default 'default')
returns jsonb language plpgsql volatile set search_path = xplane, pg_catalog set jit = off as $$
declare
  v_out jsonb := '{}';
  v_db  record;
  v_res jsonb;
begin
  if p_items is null or jsonb_typeof(p_items) <> 'array' then
    raise exception 'data_loss_many: items must be a JSON array of {"kind", "name", "database"}' using errcode = 'invalid_parameter_value';
  end if;
  -- One remote query per database concerned, whatever the number of targets in it.
  for v_db in
    select case when t.e ->> 'kind' = 'Database' then t.e ->> 'name' else t.e ->> 'database' end as db,
           array_agg(t.n order by t.n) as ords,
           jsonb_agg(jsonb_build_object('kind', t.e -> 'kind', 'name', t.e -> 'name') order by t.n) as targets
      from jsonb_array_elements(p_items) with ordinality t(e, n)
     group by 1
  loop
    begin
      v_res := xplane.remote_query(p_provider_config, v_db.db, xplane.data_loss_sql(), array[
        v_db.targets::text,
        (select coalesce(array_agg(m.name order by m.name), '{}')
           from xplane.managed_resources m
          where m.kind = 'Extension' and m.database = v_db.db and m.provider_config = p_provider_config
            and m.deleted_at is null)::text]);
    exception when sqlstate '08001' or sqlstate '08000' or sqlstate '08003' or sqlstate '08006' or sqlstate '3D000' then
      v_res := null;  -- absent, or not connectable (allow_connections = false): not checked
    end;
    v_out := v_out || (select jsonb_object_agg(o.ord, coalesce(v_res -> (o.i::int - 1), 'null'::jsonb))
                         from unnest(v_db.ords) with ordinality o(ord, i));
  end loop;
  return (select coalesce(jsonb_agg(coalesce(v_out -> t.n::text, 'null'::jsonb) order by t.n), '[]'::jsonb)
            from jsonb_array_elements(p_items) with ordinality t(e, n));
end
$$;
comment on function xplane.data_loss_many(jsonb, text) is
  'Batched data-loss count: items [{"kind": "Database"|"Schema"|"Extension", "name", "database"}] → [{"count", "tables", "kinds", "names"} | null (could not be checked)] in input order; one remote query per database (xplane.data_loss_sql). Extensions xp manages in that database are not counted.';

create or replace function xplane.data_loss_kinds(p_loss jsonb)
returns text language sql immutable parallel safe as $$
  -- "1 function, 2 tables, 1 view": pg_identify_object's type names, counted and pluralised.
  select string_agg(format('%s %s', k.value, case when k.value::int = 1 then k.key
                                                  when k.key ~ '(s|x|ch|sh)$' then k.key || 'es'
                                                  when k.key ~ '[^aeiou]y$' then left(k.key, -1) || 'ies'
                                                  else k.key || 's' end), ', ' order by k.key)
    from jsonb_each_text(p_loss -> 'kinds') k
$$;
comment on function xplane.data_loss_kinds(jsonb) is
  'The kinds and counts of a data_loss_many result as text: "1 function, 1 large object, 1 view".';

create or replace function xplane.data_loss_refusal(p_what text, p_loss jsonb)
returns text language sql immutable parallel safe as $$
  select format('refusing to drop %s: that would destroy %s (%s%s). Set allow_data_loss = true (xp destroy --allow-data-loss, or xplane.delete(…, p_allow_data_loss => true)) to drop it with its data.',
    p_what, xplane.data_loss_kinds(p_loss),
    (select string_agg(e #>> '{}', ', ') from jsonb_array_elements(p_loss -> 'names') e),
    case when (p_loss ->> 'count')::int > jsonb_array_length(p_loss -> 'names') then ', …' else '' end)
$$;
comment on function xplane.data_loss_refusal(text, jsonb) is
  'The message of a refused drop: what it holds (kinds and counts, first names) and how to allow it.';
