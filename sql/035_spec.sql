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

create or replace function xplane.identifier_problem(p_value text)
returns text
language sql immutable parallel safe
as $$
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
returns text
language plpgsql stable
set search_path = xplane, pg_catalog
as $$
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
returns jsonb
language plpgsql stable
set search_path = xplane, pg_catalog
as $$
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
returns text
language plpgsql immutable parallel safe
set search_path = xplane, pg_catalog
as $$
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
