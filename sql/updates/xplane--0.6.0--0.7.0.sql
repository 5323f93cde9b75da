-- Upgrade 0.6.0 → 0.7.0. Runs after 000_schema.sql and before the other numbered files
-- (which then create or replace every function, type and view of 0.7.0). Guarded, so that
-- sql/install.sql can include it unconditionally; it also runs after the earlier upgrades.
do $upgrade$
begin
  -- coalesce: on a fresh install (no version yet) `null not in (…)` is null, which does not return.
  if coalesce((select version from xplane.schema_version
                order by pg_catalog.string_to_array(version, '.')::int[] desc limit 1), '') not in ('0.1.0', '0.2.0', '0.3.0', '0.4.0', '0.5.0', '0.6.0') then
    return;
  end if;
  -- (each change of 0.7.0 to the tables or to a function's signature, below)
  -- quiet_logging_sql takes p_parameter_privileges (false on PostgreSQL 14).
  drop function if exists xplane.quiet_logging_sql();
  -- missing_names: also tablespaces and extension relocations (two parameters more)
  drop function if exists xplane.missing_names(text, text[], text[], jsonb, text[], jsonb, jsonb);
  -- roles_catalog: p_databases, the databases a batch reads (acl_outside)
  drop function if exists xplane.roles_catalog(text, text[], text[]);
  -- normalize_items: now part of observe_many_json (arrays by ordinal, not one jsonb array)
  drop function if exists xplane.normalize_items(jsonb);
  -- managed_resources.address: the configuration address, for renames and moved blocks
  alter table xplane.managed_resources add column if not exists address text;
  -- events.address: the address of the event's resource when it happened (xp events, once gone)
  alter table xplane.events add column if not exists address text;
  -- (Role.members: table xplane.member_edges is new, created by 052_role_catalog.sql if not there.)
end
$upgrade$;
