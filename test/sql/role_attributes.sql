-- Role attributes of Role and ServiceAccount (normalize_role_attributes, roles_catalog,
-- role_attribute_clauses, role_setting_statements): defaults that keep 0.6.0's roles as they
-- are, located diagnostics, every flag and setting observed, drift seen by spec_diff and healed
-- by update and by the reconcile loop, per-database settings authoritative, a password changed
-- outside xp seen (by fingerprint, never the verifier) and restored.
select plan(45);

create function pg_temp.n(p text) returns text language sql as $$ select p || '_' || right(current_database(), 8) $$;
create function pg_temp.v1() returns text language sql as
  $$ select 'SCRAM-SHA-256$4096:akriNjc+f4+QN6tmu/LxbA==$K2AWqxqThABq0uol4x2wfhoTlaNphpRGD3j4OWLB4gs=:6pvYgH2UTzeCesrfYCn7vIpvv1VD4Wgs/p0K6ULVhn0=' $$;
create function pg_temp.err(p_kind text, p_spec jsonb) returns text language plpgsql as $$
begin
  perform xplane.normalize_spec(p_kind::xplane.resource_kind, p_spec);
  return null;
exception when others then
  return sqlerrm;
end
$$;
create function pg_temp.id(p_name text) returns uuid language sql as $$ select id from xplane.managed_resources where name = p_name $$;
create function pg_temp.flags(p_name text) returns text language sql as $$
  select format('login=%s super=%s createdb=%s createrole=%s repl=%s bypassrls=%s inherit=%s limit=%s',
                rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, rolinherit, rolconnlimit)
    from pg_roles where rolname = p_name
$$;
create function pg_temp.settings(p_name text) returns text[] language sql as $$
  select coalesce(array_agg(coalesce(d.datname, '*') || ':' || c order by coalesce(d.datname, '*'), c), '{}')
    from pg_db_role_setting s left join pg_database d on d.oid = s.setdatabase, unnest(s.setconfig) c
   where s.setrole = (select oid from pg_roles where rolname = p_name)
$$;

-- Defaults: a Role is NOLOGIN, a ServiceAccount LOGIN; both INHERIT and nothing more.
select is(xplane.normalize_spec('Role', '{}') - array['member_of', 'memberships', 'members', 'grants'],
  '{"login": false, "superuser": false, "createdb": false, "createrole": false, "replication": false,
    "bypass_row_level_security": false, "inherit": true, "connection_limit": -1, "valid_until": null,
    "settings": {}, "database_settings": {}}'::jsonb, 'Role defaults');
select is(xplane.normalize_spec('ServiceAccount', '{"database": "d"}') ->> 'login', 'true', 'ServiceAccount: login defaults to true');
select is(xplane.normalize_spec('ServiceAccount', '{"database": "d", "settings": {"STATEMENT_TIMEOUT": 30000}}') -> 'settings',
  '{"statement_timeout": "30000"}', 'ServiceAccount settings normalise as Role settings do');
select is(xplane.normalize_spec('Role', '{"database_settings": {"shop": {"SEARCH_PATH": "a,\"b c\"", "work_mem": "64MB"}, "empty": {}}}') -> 'database_settings',
  '{"shop": {"search_path": "a, \"b c\"", "work_mem": "64MB"}}', 'database_settings: canonical names and values, empty maps left out');

-- Every attribute at its default, as the client sends it, is answered without a per-key pass:
-- that shortcut must not drop settings (an empty object contains any object) nor pass a
-- default written in another shape.
select is(xplane.normalize_role_attributes('Role', xplane.role_attribute_defaults(false) || '{"settings": {"WORK_MEM": "64MB"}}'::jsonb) -> 'settings',
  '{"work_mem": "64MB"}', 'all defaults but settings: settings kept, and canonical');
select is(xplane.normalize_role_attributes('ServiceAccount', xplane.role_attribute_defaults(true) || '{"database_settings": {"shop": {"work_mem": "1MB"}}}'::jsonb) -> 'database_settings',
  '{"shop": {"work_mem": "1MB"}}', 'all defaults but database_settings: kept');
select is(pg_temp.err('Role', xplane.role_attribute_defaults(false) || '{"connection_limit": -1.5}'::jsonb),
  'Role.connection_limit: must be an integer, got -1.5', 'a value beside the defaults is still checked');

-- Located diagnostics.
select is(pg_temp.err('Role', '{"superuser": "yes"}'), 'Role.superuser: must be true or false, got "yes"', 'a flag must be a boolean');
select is(pg_temp.err('ServiceAccount', '{"database": "d", "bypass_row_level_security": 1}'),
  'ServiceAccount.bypass_row_level_security: must be true or false, got 1', 'every flag is checked, on both kinds');
select is(pg_temp.err('Role', '{"database_settings": {"shop": {"no_such_setting": "1"}}}'),
  'Role.database_settings.shop.no_such_setting: unknown setting (custom settings need a prefix, as in myapp.tenant)',
  'a per-database setting is checked as settings are, at its path');
select is(pg_temp.err('Role', '{"database_settings": {"shop": "64MB"}}'), 'Role.database_settings.shop: must be an object of setting = value',
  'a per-database entry must be a map');
select is(pg_temp.err('Role', '{"database_settings": ["shop"]}'), 'Role.database_settings: must be an object of database = { setting = value }',
  'database_settings must be a map');
select is(pg_temp.err('Role', '{"valid_until": "garbage"}') like 'Role.valid_until: %', true, 'valid_until on Role is checked');

-- A 0.6.0 spec (no new keys) normalises to the same role 0.6.0 made: nothing flips.
select is((xplane.create_role(pg_temp.n('old'), '{"inherit": true, "createdb": false, "createrole": false, "connection_limit": -1,
    "member_of": [], "settings": {}, "grants": []}')).status_code, 'success', 'a role from a 0.6.0 spec');
select is(pg_temp.flags(pg_temp.n('old')), 'login=f super=f createdb=f createrole=f repl=f bypassrls=f inherit=t limit=-1',
  'created NOLOGIN INHERIT, nothing more');
select is(xplane.spec_diff('Role', xplane.normalize_spec('Role', '{"inherit": true, "connection_limit": -1, "settings": {}}'),
  xplane.observe_resource('Role', pg_temp.n('old'), '{}')), '{}', 'and observes in sync with a 0.6.0 spec');

-- The reconcile loop on specs stored by 0.6.0 (without the new keys) changes nothing.
select isnt(xplane.apply('Role', pg_temp.n('old6'), '{"inherit": true, "createdb": true, "connection_limit": 2, "settings": {"work_mem": "8MB"}}'),
  null, 'a Role stored with a 0.6.0 spec');
select isnt(xplane.apply('ServiceAccount', pg_temp.n('sa6'), jsonb_build_object('database', current_database(), 'connection_limit', 3,
  'valid_until', null, 'password', pg_temp.v1())), null, 'a ServiceAccount stored with a 0.6.0 spec');
select is(array[(xplane.reconcile(pg_temp.id(pg_temp.n('old6')))).status_code, (xplane.reconcile(pg_temp.id(pg_temp.n('sa6')))).status_code],
  array['no_change', 'no_change']::xplane.status_code[], 'reconcile: no_change for both (nothing flips)');
select is(array[pg_temp.flags(pg_temp.n('old6')), pg_temp.flags(pg_temp.n('sa6'))],
  array['login=f super=f createdb=t createrole=f repl=f bypassrls=f inherit=t limit=2',
        'login=t super=f createdb=f createrole=f repl=f bypassrls=f inherit=t limit=3'], 'NOLOGIN / LOGIN as 0.6.0 made them');

-- Every attribute set at create, read back as declared (no perpetual diff).
create function pg_temp.full() returns jsonb language sql as $$
  select jsonb_build_object('login', true, 'createdb', true, 'createrole', true, 'replication', true, 'bypass_row_level_security', true,
    'inherit', false, 'connection_limit', 4, 'valid_until', '2031-06-01T12:00:00Z',
    'settings', jsonb_build_object('statement_timeout', '10s'),
    'database_settings', jsonb_build_object(current_database(), jsonb_build_object('work_mem', '64MB', 'search_path', 'a, public')))
$$;
select is((xplane.create_role(pg_temp.n('full'), pg_temp.full())).status_code, 'success', 'a role with every attribute');
select is(pg_temp.flags(pg_temp.n('full')), 'login=t super=f createdb=t createrole=t repl=t bypassrls=t inherit=f limit=4',
  'pg_roles has every flag');
select is((select to_char(rolvaliduntil at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') from pg_roles where rolname = pg_temp.n('full')),
  '2031-06-01 12:00:00', 'VALID UNTIL on a Role');
select is(pg_temp.settings(pg_temp.n('full')),
  array['*:statement_timeout=10s', current_database() || ':search_path=a, public', current_database() || ':work_mem=64MB'],
  'pg_db_role_setting has the settings, for all databases and in the database');
select is(xplane.observe_resource('Role', pg_temp.n('full'), pg_temp.full()) - 'comment', xplane.normalize_spec('Role', pg_temp.full()),
  'observe equals the normalised spec');
select is((xplane.update_role(pg_temp.n('full'), pg_temp.full())).status_code, 'no_change', 'update again: no_change');

-- Drift by hand: seen key by key, healed by update with only the differing clauses.
select is(xplane.remote_exec('default', '', format(
  'alter role %1$I superuser nobypassrls noreplication nologin inherit connection limit 9; alter role %1$I reset statement_timeout;
   alter role %1$I in database %2$I set work_mem = ''1MB''; alter role %1$I in database postgres set work_mem = ''2MB''',
  pg_temp.n('full'), current_database())), 'ALTER ROLE', 'drift by hand');
select is(xplane.spec_diff('Role', xplane.normalize_spec('Role', pg_temp.full()), xplane.observe_resource('Role', pg_temp.n('full'), pg_temp.full())),
  array['bypass_row_level_security', 'connection_limit', 'database_settings', 'inherit', 'login', 'replication', 'settings', 'superuser'],
  'each attribute changed by hand is a difference');
select is((xplane.update_role(pg_temp.n('full'), pg_temp.full())).status_code, 'updated', 'update heals it');
select is(pg_temp.flags(pg_temp.n('full')), 'login=t super=f createdb=t createrole=t repl=t bypassrls=t inherit=f limit=4',
  'flags back as declared');
select is(pg_temp.settings(pg_temp.n('full')),
  array['*:statement_timeout=10s', current_database() || ':search_path=a, public', current_database() || ':work_mem=64MB'],
  'settings back; the other database''s setting reset');
select is(xplane.role_attribute_clauses('{"superuser": false, "login": true, "inherit": true}', '{"superuser": false, "login": false, "inherit": true}'),
  array['login'], 'ALTER ROLE names only what differs (a non-superuser may not even name SUPERUSER)');

-- Through the reconcile loop: a service account made NOLOGIN by hand logs in again.
select isnt(xplane.apply('ServiceAccount', pg_temp.n('sa'), jsonb_build_object('database', current_database(), 'password', pg_temp.v1(),
  'settings', jsonb_build_object('lock_timeout', '5s'))), null, 'apply a service account with settings');
select is(pg_temp.settings(pg_temp.n('sa')), array['*:lock_timeout=5s'], 'its settings are set');
select is(xplane.remote_exec('default', '', format('alter role %I nologin', pg_temp.n('sa'))), 'ALTER ROLE', 'NOLOGIN by hand');
select is((xplane.reconcile(pg_temp.id(pg_temp.n('sa')))).status_code, 'updated', 'reconcile sees and heals it');
select is((select rolcanlogin from pg_roles where rolname = pg_temp.n('sa')), true, 'LOGIN again');

-- A password changed outside xp: seen by fingerprint, restored by reconcile; never shown.
select is(xplane.observe_resource('ServiceAccount', pg_temp.n('sa'), jsonb_build_object('database', current_database())) ? 'password', false,
  'in sync: observe says nothing of the password');
select is(xplane.remote_exec('default', '', format('alter role %I password ''by-hand''', pg_temp.n('sa'))), 'ALTER ROLE', 'password changed by hand');
select is(xplane.observe_resource('ServiceAccount', pg_temp.n('sa'), jsonb_build_object('database', current_database())) ->> 'password',
  'password changed outside xp', 'observe reports it, without any verifier');
-- The catalog of a role is its attributes and the other keys (role_catalog_other_keys), which
-- role_states removes to get the attributes: a key added to either list must be in the other.
select is((select array_agg(k order by k) from jsonb_object_keys(xplane.roles_catalog('default', array[pg_temp.n('sa')]) -> 'roles' -> pg_temp.n('sa')) k
            where k <> all(xplane.role_catalog_other_keys())),
  (select array_agg(k order by k) from unnest(xplane.role_attribute_keys()) k),
  'roles_catalog: a role''s keys are role_attribute_keys and role_catalog_other_keys');
select is(xplane.spec_diff('ServiceAccount', xplane.normalize_spec('ServiceAccount', jsonb_build_object('database', current_database(), 'settings', jsonb_build_object('lock_timeout', '5s'))),
  xplane.observe_resource('ServiceAccount', pg_temp.n('sa'), jsonb_build_object('database', current_database()))), array['password'],
  'spec_diff: the password differs');
select is((xplane.reconcile(pg_temp.id(pg_temp.n('sa')))).status_code, 'updated', 'reconcile sets the recorded verifier again');
select is((select rolpassword from pg_authid where rolname = pg_temp.n('sa')), pg_temp.v1(), 'the server has xp''s verifier again');
select ok(not exists (select 1 from xplane.managed_resources r, xplane.events e
                       where (r.spec::text || r.status::text || e.message) like '%SCRAM%'),
  'no verifier in spec, status or events');

select xplane.delete('ServiceAccount', pg_temp.n('sa'));
select xplane.delete('ServiceAccount', pg_temp.n('sa6'));
select xplane.delete('Role', pg_temp.n('old6'));
select xplane.delete_role(pg_temp.n('full'), '{}');
select xplane.delete_role(pg_temp.n('old'), '{}');
select * from finish();
