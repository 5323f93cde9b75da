-- Upgrade 0.2.0 → 0.3.0. Runs after 000_schema.sql and before the other numbered files
-- (which then create or replace every function, type and view of 0.3.0). Guarded, so that
-- sql/install.sql can include it unconditionally; it also runs after 0.1.0 → 0.2.0.
do $upgrade$
begin
  if (select version from xplane.schema_version
       order by pg_catalog.string_to_array(version, '.')::int[] desc limit 1) not in ('0.1.0', '0.2.0') then
    return;
  end if;
  -- Catalog queries take their names as arguments (prepared once per connection) instead of
  -- literals: the query builders lose their parameters, remote_query gains p_args.
  drop function if exists xplane.roles_catalog_sql(text[]);
  drop function if exists xplane.grants_catalog_sql(text[], text[]);
  drop function if exists xplane.remote_query(text, text, text);
  -- role_batch_catalog builds its requests in one query.
  drop function if exists xplane.grants_request(jsonb, text, jsonb);
  drop function if exists xplane.grant_scope_previous(text, text);
end
$upgrade$;
