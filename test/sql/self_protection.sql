-- xp never destroys itself: the provider refuses to drop or strip what it depends on, however
-- it is called (protection_refusal, run_action, delete_role/_database/_schema), and every
-- dblink connection carries bounded lock_timeout and statement_timeout.
-- Names derive from current_database() (unique per run); dblink work commits, so clean up.
select plan(24);

create temp table t as select current_database() || '_owner' as owner, current_database() || '_other' as other;
-- A role owning one object of schema xplane (DROP OWNED would drop it), made through dblink so
-- that it is committed (this file is one transaction: a DROP ROLE of it later would wait on it).
select xplane.remote_exec('default', current_database(),
  format('create role %I; create role %I; create table xplane.%I (); alter table xplane.%I owner to %I', owner, other, owner, owner, owner)) from t;

-- which objects, and why
select alike(xplane.protected_reason('Role', current_user, '', 'default'), 'xp connects as it', 'the role xp connects as');
select alike(xplane.protected_reason('Role', owner, '', 'default'), 'it owns objects of schema xplane%', 'a role owning an object of schema xplane') from t;
select is(xplane.protected_reason('Role', other, '', 'default'), null, 'any other role: not protected') from t;
select alike(xplane.protected_reason('Database', current_database(), '', 'default'), 'it is the control database%', 'the control database');
select alike(xplane.protected_reason('Schema', 'xplane', current_database(), 'default'), 'it is schema xplane%', 'schema xplane');
select is(xplane.protected_reason('Schema', 'xplane', 'postgres', 'default'), null, 'a schema named xplane elsewhere: not protected');
select alike(xplane.protected_reason('Extension', 'dblink', current_database(), 'default'), 'xp reaches the server through it', 'dblink');

-- what may change
select alike(xplane.protection_refusal('delete', 'Role', current_user, '', null), 'refusing to drop role %: xp connects as it%', 'dropping the connecting role: refused');
select alike(xplane.protection_refusal('update', 'Role', current_user, '', array['comment', 'createrole']),
  'refusing to change createrole of role %', 'stripping it (createrole): refused, naming the attribute');
select is(xplane.protection_refusal('update', 'Role', current_user, '', array['comment']), null, 'its comment may change');
select alike(xplane.protection_refusal('update', 'ServiceAccount', current_user, '', array[]::text[]), 'refusing to change password of role %',
  'a service account xp connects as: no update at all (it may set a password)');
select alike(xplane.protection_refusal('update', 'Database', current_database(), '', array['owner']),
  'refusing to change owner of database %', 'another owner for the control database: refused');
select alike(xplane.protection_refusal('replace', 'Database', current_database(), '', null), 'refusing to drop database %', 'a replace is a drop');
select is(xplane.protection_refusals(jsonb_build_array(
    jsonb_build_object('action', 'delete', 'kind', 'Role', 'name', other),
    jsonb_build_object('action', 'delete', 'kind', 'Schema', 'name', 'xplane', 'database', current_database()))) -> 0,
  'null'::jsonb, 'protection_refusals: in input order, null when allowed') from t;

-- the actions refuse, however they are called
select alike((xplane.delete_role(owner, '{}')).message, 'refusing to drop role %', 'delete_role: no DROP OWNED of a role owning xplane objects') from t;
select alike((xplane.run_action('delete', 'Schema', 'xplane', jsonb_build_object('database', current_database()))).message,
  'refusing to drop schema "xplane"%', 'run_action: schema xplane is never dropped');
select is((xplane.run_action('delete', 'Role', other, '{}')).status_code, 'success', 'an unprotected role is dropped as before') from t;
select alike((xplane.delete_extension('dblink', jsonb_build_object('database', current_database()))).message,
  'refusing to drop extension "dblink"%', 'delete_extension, called directly: dblink is never dropped');
select alike((xplane.delete_schema('xplane', jsonb_build_object('database', current_database()))).message,
  'refusing to drop schema "xplane"%', 'delete_schema, called directly: schema xplane is never dropped');

-- bounded remote statements
select ok(xplane.connection_string('default') ~ 'lock_timeout=1min -c statement_timeout=30min', 'dblink connections carry lock_timeout and statement_timeout');
set xplane.remote_lock_timeout = '0';
select throws_ok($$select xplane.connection_string('default')$$, '22023', null, 'no limit (0) is refused');
set xplane.remote_lock_timeout = '5s -c default_transaction_read_only=on';
select throws_ok($$select xplane.connection_string('default')$$, '22023', null, 'a value carrying another option is refused');
reset xplane.remote_lock_timeout;
-- A remote statement waiting for a lock this very session holds (what no deadlock detector
-- sees): it gives up after the bound, naming the holder.
select pg_advisory_lock(7893101, 42);
set xplane.remote_lock_timeout = '200ms';
select throws_like($$select xplane.remote_exec('default', current_database(), 'select pg_advisory_xact_lock(7893101, 42)')$$,
  '%gave up: canceling statement due to lock timeout; the lock is held by pid %: this very session, which waits for the statement%',
  'a lock wait on the caller itself ends after remote_lock_timeout, naming it');
reset xplane.remote_lock_timeout;
select pg_advisory_unlock(7893101, 42);
set xplane.remote_statement_timeout = '100ms';
select throws_ok($$select xplane.remote_exec('default', '', 'select pg_sleep(2)')$$, '55000', null,
  'a remote statement running too long is cancelled after remote_statement_timeout: an error an action catches');
reset xplane.remote_statement_timeout;

select xplane.remote_exec('default', current_database(), format('drop table xplane.%I; drop role %I', owner, owner)) from t;

select * from finish();
