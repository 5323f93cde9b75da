-- Role: create, no perpetual diff, idempotency, attribute/setting/membership deltas, delete,
-- invalid specs. The file runs in a fresh control database; role names carry its suffix.
select plan(33);

create function pg_temp.n(p text) returns text language sql as $$ select p || '_' || right(current_database(), 8) $$;
create function pg_temp.spec_a() returns jsonb language sql as $$
  select jsonb_build_object(
    'createdb', true, 'connection_limit', 7, 'comment', 'readers of the shop',
    'member_of', jsonb_build_array(pg_temp.n('base2'), pg_temp.n('base1'), pg_temp.n('base1')),
    'settings', jsonb_build_object('work_mem', '64MB', 'SEARCH_PATH', '"$user", public , "a b"', 'statement_timeout', 30000,
                                   'myapp.tenant', 'it''s'))
$$;

select is((xplane.create_role(pg_temp.n('base1'), '{}')).status_code, 'success', 'create a plain role');
select is((xplane.create_role(pg_temp.n('base2'), '{"inherit": false}')).status_code, 'success', 'create a NOINHERIT role');
select is((xplane.create_role(pg_temp.n('reader'), pg_temp.spec_a())).status_code, 'success', 'create a role with attributes, settings, membership');
select ok(exists (select 1 from pg_roles where rolname = pg_temp.n('reader') and not rolcanlogin and rolcreatedb and rolconnlimit = 7),
  'the role exists, NOLOGIN, CREATEDB, connection limit 7');
select is(xplane.observe_resource('Role', pg_temp.n('reader'), pg_temp.spec_a()),
          xplane.normalize_spec('Role', pg_temp.spec_a()), 'observe after create equals the normalised spec (no perpetual diff)');
select is(xplane.normalize_spec('Role', pg_temp.spec_a()) -> 'settings',
  jsonb_build_object('work_mem', '64MB', 'search_path', '"$user", public, "a b"', 'statement_timeout', '30000', 'myapp.tenant', 'it''s'),
  'settings normalise to what PostgreSQL stores: canonical names, list settings quoted');
select is(xplane.normalize_spec('Role', xplane.normalize_spec('Role', pg_temp.spec_a())), xplane.normalize_spec('Role', pg_temp.spec_a()),
  'normalisation is idempotent');
select is((xplane.create_role(pg_temp.n('reader'), pg_temp.spec_a())).status_code, 'already_exists', 'create again: already_exists');
select is((xplane.update_role(pg_temp.n('reader'), pg_temp.spec_a())).status_code, 'no_change', 'update with the same spec: no_change');
select is(xplane.spec_diff('Role', xplane.normalize_spec('Role', pg_temp.spec_a()),
                           (xplane.update_role(pg_temp.n('reader'), pg_temp.spec_a())).observed), '{}', 'second update: observed in sync');

-- Deltas: one attribute, one setting removed and one changed, one membership revoked.
select is((xplane.update_role(pg_temp.n('reader'), pg_temp.spec_a() || jsonb_build_object(
    'createdb', false, 'settings', jsonb_build_object('work_mem', '32MB'),
    'member_of', jsonb_build_array(pg_temp.n('base1'))))).status_code, 'updated', 'update attributes, settings, membership: updated');
select is((select setconfig from pg_db_role_setting where setrole = pg_temp.n('reader')::regrole and setdatabase = 0),
  array['work_mem=32MB'], 'settings are authoritative: removed ones are RESET');
select is((select array_agg(g.rolname::text) from pg_auth_members m join pg_roles g on g.oid = m.roleid
            where m.member = pg_temp.n('reader')::regrole), array[pg_temp.n('base1')], 'membership is authoritative: base2 revoked');
select ok((select not rolcreatedb from pg_roles where rolname = pg_temp.n('reader')), 'NOCREATEDB applied');

-- Drift by hand is observed and healed.
select xplane.remote_exec('default', '', format('grant %I to %I; alter role %I connection limit 3; comment on role %I is null',
  pg_temp.n('base2'), pg_temp.n('reader'), pg_temp.n('reader'), pg_temp.n('reader')));
select is(xplane.spec_diff('Role', xplane.normalize_spec('Role', pg_temp.spec_a()),
          xplane.observe_resource('Role', pg_temp.n('reader'), pg_temp.spec_a())),
  array['comment', 'connection_limit', 'createdb', 'settings'], 'drift shows as differences');
select is((xplane.update_role(pg_temp.n('reader'), pg_temp.spec_a())).status_code, 'updated', 'update heals the drift');
select is(xplane.observe_resource('Role', pg_temp.n('reader'), pg_temp.spec_a()),
          xplane.normalize_spec('Role', pg_temp.spec_a()), 'after healing: observed equals normalised spec');

-- A membership granted by another role (PostgreSQL 16+ keeps one per grantor) is revoked too.
select is(xplane.remote_exec('default', '', format('create role %1$I createrole; grant %2$I to %1$I with admin option; '
  || 'set role %1$I; grant %2$I to %3$I granted by %1$I; reset role', pg_temp.n('grantor'), pg_temp.n('base2'), pg_temp.n('base1'))),
  'RESET', 'base1 made a member of base2 by another grantor');
select ok((xplane.update_role(pg_temp.n('base1'), '{}')).status_code = 'updated'
          and (xplane.observe_resource('Role', pg_temp.n('base1'), '{}') -> 'member_of') = '[]'::jsonb,
  'update revokes it, whoever granted it');
select xplane.remote_exec('default', '', format('drop role %I', pg_temp.n('grantor')));

-- Invalid specs name the field; nothing raises.
select matches((xplane.create_role(pg_temp.n('bad'), '{"inherits": true}')).message, 'Role\.inherits: unknown attribute', 'unknown attribute named');
select is((xplane.create_role(pg_temp.n('bad'), '{"connection_limit": "ten"}')).status_code, 'invalid_spec', 'wrong type: invalid_spec');
select matches((xplane.create_role(pg_temp.n('bad'), '{"settings": {"work_mme": "1MB"}}')).message, 'settings\.work_mme: unknown setting', 'unknown setting named');
select ok(not exists (select 1 from pg_roles where rolname = pg_temp.n('bad')), 'an invalid spec creates nothing');
-- Normalisation takes shortcuts for the common shapes (no key unknown, lists of none or one,
-- one grant): the answers and the refusals are those of the general path.
select is(xplane.normalize_role('{"member_of": ["b", "a", "b"]}') -> 'member_of', '["a", "b"]', 'member_of: de-duplicated and sorted');
select is(xplane.normalize_role('{"member_of": ["x"]}') -> 'member_of', '["x"]', 'member_of of one');
select throws_like($$select xplane.normalize_role('{"member_of": [""]}')$$, '%Role.member_of: must be a list of non-empty strings%', 'an empty string refused, alone too');
select throws_like($$select xplane.normalize_role('{"member_of": [7]}')$$, '%Role.member_of: must be a list of non-empty strings%', 'a number refused, alone too');
select throws_like($$select xplane.normalize_role('{"grants": [{"database": "d", "schema": "s", "privileges": ["SELECT"], "futur": true}]}')$$,
  '%Role.grants[0]: unknown attribute "futur"%', 'a grant block''s unknown attribute named, in a list of one');
select is(xplane.normalize_role('{"grants": [{"database": "d", "schema": "s", "privileges": ["select", "insert"]}]}') -> 'grants',
  '[{"on": "tables", "future": false, "schema": "s", "database": "d", "privileges": ["INSERT", "SELECT"], "grant_option": false, "future_owners": []}]', 'one grant: normalised');
select is(xplane.normalize_role('{"grants": [{"database": "d", "schema": "s", "privileges": ["SELECT"]}, {"database": "d", "schema": "s", "privileges": ["INSERT"], "future": true}]}') -> 'grants',
  '[{"on": "tables", "future": true, "schema": "s", "database": "d", "privileges": ["INSERT", "SELECT"], "grant_option": false, "future_owners": []}]', 'two blocks for the same target: merged');

-- Delete.
select is((xplane.delete_role(pg_temp.n('reader'), '{}')).status_code, 'success', 'delete: success');
select is((xplane.delete_role(pg_temp.n('reader'), '{}')).status_code, 'not_found', 'delete again: not_found');
select is((xplane.update_role(pg_temp.n('reader'), pg_temp.spec_a())).status_code, 'not_found', 'update of a missing role: not_found');

select xplane.delete_role(pg_temp.n('base1'), '{}');
select xplane.delete_role(pg_temp.n('base2'), '{}');
select * from finish();
