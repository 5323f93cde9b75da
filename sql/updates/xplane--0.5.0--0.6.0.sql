-- Upgrade 0.5.0 → 0.6.0. Runs after 000_schema.sql and before the other numbered files
-- (which then create or replace every function, type and view of 0.6.0). Guarded, so that
-- sql/install.sql can include it unconditionally; it also runs after the earlier upgrades.
do $upgrade$
begin
  if (select version from xplane.schema_version
       order by pg_catalog.string_to_array(version, '.')::int[] desc limit 1) not in ('0.1.0', '0.2.0', '0.3.0', '0.4.0', '0.5.0') then
    return;
  end if;
  -- (each change of 0.6.0 to the tables or to a function's signature, below)
  -- delete: p_stack and p_orphan (the ownership check and the orphan mark in the write itself).
  drop function if exists xplane.delete(xplane.resource_kind, text, text, text, boolean);
end
$upgrade$;
