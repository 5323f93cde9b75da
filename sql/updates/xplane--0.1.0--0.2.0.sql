-- Upgrade 0.1.0 → 0.2.0. Runs after 000_schema.sql and before the other numbered files
-- (which then create or replace every function, type and view of 0.2.0). Guarded, so that
-- sql/install.sql can include it unconditionally.
do $upgrade$
begin
  if (select version from xplane.schema_version
       order by pg_catalog.string_to_array(version, '.')::int[] desc limit 1) is distinct from '0.1.0' then
    return;
  end if;
  -- Conditions remember which generation of the spec they describe (as in Kubernetes).
  alter table xplane.conditions add column if not exists observed_generation bigint;
  update xplane.conditions c set observed_generation = r.observed_generation
    from xplane.managed_resources r where r.id = c.resource_id and c.observed_generation is null;
end
$upgrade$;
