-- Installs or upgrades the xplane provider from psql, in one transaction:
--   psql -v ON_ERROR_STOP=1 -d <control database> -f sql/install.sql
-- Same order as src/provider/install.ts: 000, the upgrade migrations (each runs only when
-- the installed version is its starting version), then every other numbered file.
-- test/provider/install.test.ts checks that this list matches the files in sql/.
\set ON_ERROR_STOP on
begin;
\ir 000_schema.sql
\ir updates/xplane--0.1.0--0.2.0.sql
\ir updates/xplane--0.2.0--0.3.0.sql
\ir updates/xplane--0.3.0--0.4.0.sql
\ir updates/xplane--0.4.0--0.5.0.sql
\ir updates/xplane--0.5.0--0.6.0.sql
\ir updates/xplane--0.6.0--0.7.0.sql
\ir 010_types.sql
\ir 020_tables.sql
\ir 025_common.sql
\ir 030_remote.sql
\ir 035_spec.sql
\ir 038_public_privileges.sql
\ir 040_database.sql
\ir 045_schema.sql
\ir 048_extension.sql
\ir 049_object_grants.sql
\ir 050_grants.sql
\ir 051_import_catalog.sql
\ir 052_role_catalog.sql
\ir 053_role_memberships.sql
\ir 055_role.sql
\ir 058_credentials.sql
\ir 060_service_account.sql
\ir 068_self_protection.sql
\ir 069_names.sql
\ir 070_dispatch.sql
\ir 075_status.sql
\ir 080_apply.sql
\ir 082_rename.sql
\ir 085_reconcile.sql
\ir 090_views.sql
\ir 095_cron.sql
\ir 999_version.sql
commit;
