-- Last file: no function callable by PUBLIC, then record the installed version.
revoke all on all functions in schema xplane from public;
revoke all on all tables in schema xplane from public;

insert into xplane.schema_version (version, digest)
values (pg_catalog.current_setting('xplane.installing_version'), nullif(pg_catalog.current_setting('xplane.installing_digest', true), ''))
on conflict (version) do update set digest = excluded.digest;
