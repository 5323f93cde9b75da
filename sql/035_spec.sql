-- Reading and checking spec fields, for every normalize_<kind>. Each raises the one
-- invalid-spec error (xplane.invalid_spec: SQLSTATE 22023, message "Kind.field: problem").

create or replace function xplane.spec_check_keys(p_kind xplane.resource_kind, p_spec jsonb, p_allowed text[])
returns void
language plpgsql stable
set search_path = xplane, pg_catalog
as $$
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
returns text
language plpgsql stable
set search_path = xplane, pg_catalog
as $$
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

create or replace function xplane.spec_int(p_kind xplane.resource_kind, p_spec jsonb, p_key text, p_default integer,
                                           p_min integer default null)
returns integer
language plpgsql stable
set search_path = xplane, pg_catalog
as $$
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
returns boolean
language plpgsql stable
set search_path = xplane, pg_catalog
as $$
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
returns jsonb
language plpgsql stable
set search_path = xplane, pg_catalog
as $$
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
returns jsonb
language plpgsql immutable
set search_path = xplane, pg_catalog
as $$
begin
  if p_spec -> 'comment' is null or p_spec -> 'comment' = 'null'::jsonb or p_spec -> 'comment' = '""'::jsonb then
    return 'null'::jsonb;  -- COMMENT IS '' removes the comment: '' reads back as null
  end if;
  if jsonb_typeof(p_spec -> 'comment') <> 'string' then
    perform xplane.invalid_spec(p_kind, 'comment', 'must be a string or null');
  end if;
  return p_spec -> 'comment';
end
$$;
comment on function xplane.spec_comment(xplane.resource_kind, jsonb) is
  'comment of a spec: a string, or null (also for "", which PostgreSQL stores as no comment).';

create or replace function xplane.user_tables_sql(p_schema text default null)
returns text
language sql immutable parallel safe
as $$
  select format($q$(select jsonb_build_object('count', count(*),
      'names', coalesce(jsonb_agg(x.n order by x.n) filter (where x.rn <= 5), '[]'::jsonb))
     from (select pg_catalog.format('%%I.%%I', n.nspname, c.relname) as n,
                  row_number() over (order by n.nspname, c.relname) as rn
             from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
            where c.relkind in ('r', 'p', 'm')
              and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname !~ '^pg_(toast|temp)'
              and %s
              and not exists (select 1 from pg_catalog.pg_depend d
                               where d.classid = 'pg_catalog.pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')) x)$q$,
    case when p_schema is null then 'true' else format('n.nspname = %L', p_schema) end)
$$;
comment on function xplane.user_tables_sql(text) is
  'A remote_query expression counting user tables and materialized views (not extension members) in a database, or in one schema: {"count", "names" (first 5)}.';

create or replace function xplane.data_loss_refusal(p_what text, p_tables jsonb)
returns text
language sql immutable parallel safe
as $$
  select format('refusing to drop %s: it holds %s user table(s) (%s%s). Set allow_data_loss = true (xp destroy --allow-data-loss, or xplane.delete(…, p_allow_data_loss => true)) to drop it with its data.',
    p_what, p_tables ->> 'count',
    (select string_agg(e #>> '{}', ', ') from jsonb_array_elements(p_tables -> 'names') e),
    case when (p_tables ->> 'count')::int > 5 then ', …' else '' end)
$$;
comment on function xplane.data_loss_refusal(text, jsonb) is
  'The message of a refused drop: what holds data and how to allow it.';
