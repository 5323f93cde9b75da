-- xplane: the in-database provider of xp. File 000: the schema, the version table and the
-- install guard. Every file in sql/ is idempotent; the files run in numeric order inside one
-- transaction (sql/install.sql for psql, src/provider/install.ts for the CLI and the tests).

set local client_min_messages = warning;
do $start$
begin
  -- Serialise concurrent installs (until this transaction ends).
  perform pg_catalog.pg_advisory_xact_lock(7893100, 1);
  -- The version these files install: written here and nowhere else. 999_version.sql and
  -- src/provider/install.ts read it back.
  perform pg_catalog.set_config('xplane.installing_version', '0.7.0', true);
end
$start$;

create schema if not exists xplane;
comment on schema xplane is 'xp: desired state, conditions and events of managed PostgreSQL objects, and the functions that reconcile them';

create table if not exists xplane.schema_version (
  version      text        not null primary key,
  installed_at timestamptz not null default pg_catalog.now(),
  installed_by text        not null default current_user
);
comment on table xplane.schema_version is 'One row per provider version installed into this database; the newest is what is installed now.';
-- The sha256 of the install files (src/provider/install.ts, bundledDigest): the same version
-- built from other SQL (a development build) is installed again. Null when installed by psql.
alter table xplane.schema_version add column if not exists digest text;
comment on column xplane.schema_version.digest is 'sha256 of the install files this version was installed from (null: installed with psql); xp reinstalls when its own files differ.';

-- Refuse to downgrade: a newer provider owns this schema.
do $guard$
declare
  v_target    text := pg_catalog.current_setting('xplane.installing_version');
  v_installed text;
begin
  select version into v_installed
    from xplane.schema_version
   order by pg_catalog.string_to_array(version, '.')::int[] desc
   limit 1;
  if v_installed is not null
     and pg_catalog.string_to_array(v_installed, '.')::int[] > pg_catalog.string_to_array(v_target, '.')::int[] then
    raise exception 'xplane %: refusing to downgrade the provider installed in database % from % to %',
      v_target, pg_catalog.current_database(), v_installed, v_target
      using errcode = 'object_not_in_prerequisite_state',
            hint = 'Use an xp release that is at least ' || v_installed || ', or drop schema xplane to start over.';
  end if;
end
$guard$;

-- dblink carries every statement that must run in another database, or outside this
-- transaction (CREATE/DROP DATABASE). It is not a trusted extension: on a server where the
-- installing role is not a superuser, an administrator creates it first (docs/security.md).
do $dblink$
begin
  if not exists (select 1 from pg_catalog.pg_extension where extname = 'dblink') then
    create extension dblink with schema xplane;
  end if;
end
$dblink$;
