-- ServiceAccount: create with a SCRAM verifier (kept only in xplane.credentials), CONNECT,
-- schemas, grants, membership, expiry; no perpetual diff; idempotency; plaintext refused;
-- dropped by hand and re-created with its password; rotation; delete.
select plan(29);

create function pg_temp.n(p text) returns text language sql as $$ select p || '_' || right(current_database(), 8) $$;
-- Verifiers of 's3cret-one' and 's3cret-two' (computed client-side, as xp does).
create function pg_temp.v1() returns text language sql as
  $$ select 'SCRAM-SHA-256$4096:akriNjc+f4+QN6tmu/LxbA==$K2AWqxqThABq0uol4x2wfhoTlaNphpRGD3j4OWLB4gs=:6pvYgH2UTzeCesrfYCn7vIpvv1VD4Wgs/p0K6ULVhn0=' $$;
create function pg_temp.v2() returns text language sql as
  $$ select 'SCRAM-SHA-256$4096:wwLqFjdsLaLt5PJh8cLRfQ==$Mj+MZUabxdu1paERaPi9uZZgTMXTeZ4bcPf4Ia7z3b8=:PWMDzog5hU489KMXB5FFZWlnd7MoJCdrBU37ekAmTUg=' $$;
create function pg_temp.spec() returns jsonb language sql as $$
  select jsonb_build_object('database', current_database(), 'schemas', jsonb_build_array('api', 'api'),
    'member_of', jsonb_build_array(pg_temp.n('readers')), 'connection_limit', 4,
    'valid_until', '2031-06-01 12:00:00+02', 'comment', 'the app',
    'grants', jsonb_build_array(jsonb_build_object('schema', 'api', 'privileges', jsonb_build_array('SELECT', 'insert'), 'future', true),
                                jsonb_build_object('schema', 'api', 'on', 'sequences', 'privileges', jsonb_build_array('usage'))))
$$;
create function pg_temp.in_sync() returns boolean language sql as $$
  select xplane.observe_resource('ServiceAccount', pg_temp.n('app'), pg_temp.spec()) = xplane.normalize_spec('ServiceAccount', pg_temp.spec())
$$;

select is(xplane.remote_exec('default', '', 'create schema api; create table api.orders (id serial primary key)'), 'CREATE TABLE', 'fixtures');
select is((xplane.create_role(pg_temp.n('readers'), '{}')).status_code, 'success', 'a group role to join');

select is((xplane.create_service_account(pg_temp.n('app'), pg_temp.spec() || jsonb_build_object('password', pg_temp.v1()))).status_code,
  'success', 'create with a verifier');
select ok((select rolcanlogin and rolinherit and rolconnlimit = 4 from pg_roles where rolname = pg_temp.n('app')), 'a LOGIN role, INHERIT, limit 4');
select is((select rolpassword from pg_authid where rolname = pg_temp.n('app')), pg_temp.v1(), 'the server holds exactly the verifier');
select is((select verifier from xplane.credentials where role_name = pg_temp.n('app')), pg_temp.v1(), 'xplane.credentials keeps it');
select ok(pg_temp.in_sync(), 'observed equals the normalised spec (no perpetual diff)');
select is(xplane.normalize_spec('ServiceAccount', pg_temp.spec()) ->> 'valid_until', '2031-06-01T10:00:00Z', 'valid_until normalised to UTC');
select ok(not (xplane.normalize_spec('ServiceAccount', pg_temp.spec() || jsonb_build_object('password', pg_temp.v1())) ? 'password'),
  'normalize removes the password');
select ok(has_database_privilege(pg_temp.n('app'), current_database(), 'CONNECT')
          and has_schema_privilege(pg_temp.n('app'), 'api', 'USAGE')
          and has_table_privilege(pg_temp.n('app'), 'api.orders', 'SELECT,INSERT')
          and has_sequence_privilege(pg_temp.n('app'), 'api.orders_id_seq', 'USAGE'),
  'CONNECT, USAGE on api, SELECT/INSERT on tables, USAGE on sequences');
select ok(pg_has_role(pg_temp.n('app'), pg_temp.n('readers'), 'MEMBER'), 'member of readers');
select is((xplane.update_service_account(pg_temp.n('app'), pg_temp.spec())).status_code, 'no_change', 'update with the same spec: no_change');

-- Default privileges: a table created after the apply is readable.
select is(xplane.remote_exec('default', '', 'create table api.later (id int)'), 'CREATE TABLE', 'a table created after the apply');
select ok(has_table_privilege(pg_temp.n('app'), 'api.later', 'SELECT'), 'the service account can read it');
select ok(pg_temp.in_sync(), 'still in sync');

-- Plaintext is refused and never repeated.
select is((xplane.create_service_account(pg_temp.n('bad'), jsonb_build_object('database', current_database(), 'password', 'hunter2-plain'))).status_code,
  'invalid_spec', 'a plaintext password: invalid_spec');
select unalike((xplane.create_service_account(pg_temp.n('bad'), jsonb_build_object('database', current_database(), 'password', 'hunter2-plain'))).message,
  '%hunter2%', 'the message does not repeat it');
select ok(not exists (select 1 from pg_roles where rolname = pg_temp.n('bad')), 'nothing created');
select unalike((select string_agg(coalesce((r).message, '') || coalesce((r).observed::text, ''), ' ')
                  from (select xplane.update_service_account(pg_temp.n('app'), pg_temp.spec() || jsonb_build_object('password', pg_temp.v1())) as r
                        union all select xplane.create_service_account(pg_temp.n('app'), pg_temp.spec())) x),
  '%SCRAM%', 'no result carries the verifier');

-- Dropped by hand: update says not_found, create re-creates it with the stored verifier.
select is(xplane.remote_exec('default', '', format('drop owned by %1$I; drop role %1$I', pg_temp.n('app'))), 'DROP ROLE', 'dropped by hand');
select is((xplane.update_service_account(pg_temp.n('app'), pg_temp.spec())).status_code, 'not_found', 'update: not_found');
select is((xplane.create_service_account(pg_temp.n('app'), pg_temp.spec())).status_code, 'success', 're-created from the spec without password');
select is((select rolpassword from pg_authid where rolname = pg_temp.n('app')), pg_temp.v1(), 'password restored from xplane.credentials');
select ok(pg_temp.in_sync(), 'in sync again');

-- Rotation: a new verifier is stored; the next update sets it.
select ok(xplane.credential_put('default', pg_temp.n('app'), pg_temp.v2()), 'store a new verifier');
select is((xplane.update_service_account(pg_temp.n('app'), pg_temp.spec())).message,
  format('service account "%s" updated (password)', pg_temp.n('app')), 'update sets it and says so (without the value)');
select is((select rolpassword from pg_authid where rolname = pg_temp.n('app')), pg_temp.v2(), 'rotated on the server');
select is((xplane.delete_service_account(pg_temp.n('app'), '{}')).status_code, 'success', 'delete');
select ok(not exists (select 1 from xplane.credentials where role_name = pg_temp.n('app'))
          and not exists (select 1 from pg_roles where rolname = pg_temp.n('app')), 'the account is gone and its verifier forgotten');

select xplane.delete_role(pg_temp.n('readers'), '{}');
select * from finish();
