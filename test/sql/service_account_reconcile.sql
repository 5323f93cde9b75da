-- Through xplane.apply and the reconcile loop: the password goes to xplane.credentials only;
-- an account or a role dropped by hand is re-created (password restored); drift is healed.
select plan(12);

create function pg_temp.n(p text) returns text language sql as $$ select p || '_' || right(current_database(), 8) $$;
create function pg_temp.v1() returns text language sql as
  $$ select 'SCRAM-SHA-256$4096:akriNjc+f4+QN6tmu/LxbA==$K2AWqxqThABq0uol4x2wfhoTlaNphpRGD3j4OWLB4gs=:6pvYgH2UTzeCesrfYCn7vIpvv1VD4Wgs/p0K6ULVhn0=' $$;
create function pg_temp.role_spec() returns jsonb language sql as $$
  select jsonb_build_object('settings', jsonb_build_object('work_mem', '16MB'), 'grants', jsonb_build_array(
    jsonb_build_object('database', current_database(), 'schema', 'rc', 'privileges', jsonb_build_array('SELECT'), 'future', true)))
$$;
create function pg_temp.sa_spec() returns jsonb language sql as $$
  select jsonb_build_object('database', current_database(), 'schemas', jsonb_build_array('rc'), 'member_of', jsonb_build_array(pg_temp.n('rcr')))
$$;
create function pg_temp.id(p_name text) returns uuid language sql as $$ select id from xplane.managed_resources where name = p_name $$;

select is(xplane.remote_exec('default', '', 'create schema rc; create table rc.t (id int)'), 'CREATE TABLE', 'fixtures');
select isnt(xplane.apply('Role', pg_temp.n('rcr'), pg_temp.role_spec()), null, 'apply a role');
select isnt(xplane.apply('ServiceAccount', pg_temp.n('rcs'), pg_temp.sa_spec() || jsonb_build_object('password', pg_temp.v1())), null,
  'apply a service account with a verifier');
select is((select array_agg(status ->> 'status_code' order by kind) from xplane.managed_resources), array['success', 'success'], 'both created');
select ok(not exists (select 1 from xplane.managed_resources r, xplane.events e
                       where (r.spec::text || r.status::text || e.message) like '%SCRAM%'),
  'no verifier in spec, status or events');
select is((select rolpassword from pg_authid where rolname = pg_temp.n('rcs')), pg_temp.v1(), 'the server has the verifier');

-- Dropped by hand, both; reconcile re-creates them in order, with the password.
select is(xplane.remote_exec('default', '', format('drop owned by %1$I, %2$I; drop role %2$I; drop role %1$I', pg_temp.n('rcr'), pg_temp.n('rcs'))),
  'DROP ROLE', 'both dropped by hand');
select is((xplane.reconcile(pg_temp.id(pg_temp.n('rcr')))).status_code, 'success', 'reconcile re-creates the role');
select is((xplane.reconcile(pg_temp.id(pg_temp.n('rcs')))).status_code, 'success', 'reconcile re-creates the service account');
select ok((select rolpassword from pg_authid where rolname = pg_temp.n('rcs')) = pg_temp.v1()
          and pg_has_role(pg_temp.n('rcs'), pg_temp.n('rcr'), 'MEMBER') and has_table_privilege(pg_temp.n('rcs'), 'rc.t', 'SELECT'),
  'password restored, membership and grants back');

-- Drift: a privilege revoked by hand comes back at the next reconcile.
select is(xplane.remote_exec('default', '', format('revoke select on rc.t from %I', pg_temp.n('rcr'))), 'REVOKE', 'drift by hand');
select is((xplane.reconcile(pg_temp.id(pg_temp.n('rcr')))).status_code, 'updated', 'reconcile heals it');

select xplane.delete('ServiceAccount', pg_temp.n('rcs'));
select xplane.delete('Role', pg_temp.n('rcr'));
select * from finish();
