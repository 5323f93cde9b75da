-- Last file: no function callable by PUBLIC, then record the installed version.
revoke all on all functions in schema xplane from public;
revoke all on all tables in schema xplane from public;

insert into xplane.schema_version (version)
values (pg_catalog.current_setting('xplane.installing_version'))
on conflict (version) do nothing;
