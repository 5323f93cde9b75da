import { describe, expect, it } from 'vitest';
import { Sensitive, UNKNOWN, type ResourceType, type Value } from '../../src/model/types.js';
import { assemblePlan, changesToCheck, contentsToObserve } from '../../src/plan/plan.js';
import { describeDataLoss } from '../../src/plan/data-loss.js';
import { lifecycleAttributes } from '../../src/kinds/index.js';
import { instanceKey } from '../../src/plan/identity.js';
import type { AttributeChange, Json, ObservedItem, Plan, ResourcePlan } from '../../src/plan/types.js';
import { EMPTY, instance, managedOf, scenario, type Scenario } from './builders.js';

const app = instance('database', 'app', { owner: 'app_owner' });
const api = instance('schema', 'api', { database: 'app', owner: 'app_owner' }, { dependsOn: ['database.app'] });
const citext = instance('extension', 'citext', { database: 'app' }, { dependsOn: ['database.app'] });
const readonly = instance('role', 'readonly', {
  member_of: ['base'],
  grants: [{ database: 'app', schema: 'api', on: 'tables', privileges: ['SELECT'], future: true }],
});
const crypto = instance('extension', 'pgcrypto', { database: 'app' }, { dependsOn: ['database.app'] });
const svc = instance('service_account', 'svc', { database: 'app', schemas: ['api'] }, { dependsOn: ['schema.api'] });

function only(plan: Plan, address: string): ResourcePlan {
  const r = plan.resources.find((x) => x.address === address);
  if (!r) throw new Error(`no ${address} in plan: ${plan.resources.map((x) => x.address).join(', ')}`);
  return r;
}

describe('assemblePlan: actions', () => {
  const cases: Array<[string, Scenario, string, Partial<ResourcePlan>]> = [
    ['an absent database is created', { desired: [{ r: app, server: null, managed: false }] }, 'database.app', { action: 'create', destructive: false }],
    ['a database as declared is left alone', { desired: [{ r: app, server: 'same' }] }, 'database.app', { action: 'no-op', changes: [], unchanged: 9 }],
    ['a schema as declared is left alone', { desired: [{ r: api, server: 'same' }] }, 'schema.api', { action: 'no-op', unchanged: 2 }],
    ['a role as declared is left alone', { desired: [{ r: readonly, server: 'same' }] }, 'role.readonly', { action: 'no-op', unchanged: 15 }],
    ['an extension as declared is left alone', { desired: [{ r: crypto, server: 'same' }] }, 'extension.pgcrypto', { action: 'no-op' }],
    ['a service account as declared is left alone', { desired: [{ r: svc, server: 'same' }] }, 'service_account.svc', { action: 'no-op', passwordSource: 'keep' }],
    [
      'a changed connection limit is updated in place',
      { desired: [{ r: app, server: { connection_limit: 5 } }] },
      'database.app',
      { action: 'update', changes: [{ path: 'connection_limit', before: 5, after: -1 }], unchanged: 8 },
    ],
    [
      'an owner changed by hand is drift, updated back',
      { desired: [{ r: api, server: { owner: 'mallory' } }] },
      'schema.api',
      { action: 'update', drifted: true, reason: 'drifted: changed outside xp', changes: [{ path: 'owner', before: 'mallory', after: 'app_owner' }] },
    ],
    [
      'keys observe does not return are not compared (template)',
      { desired: [{ r: instance('database', 'app', { template: 'template0' }), server: { template: 'template1' } }] },
      'database.app',
      { action: 'no-op' },
    ],
    [
      'an extension with no version pinned does not compare the version',
      { desired: [{ r: crypto, server: { version: '1.3', schema: 'public' } }] },
      'extension.pgcrypto',
      { action: 'no-op' },
    ],
    [
      'a pinned extension version is updated in place',
      { desired: [{ r: instance('extension', 'pgcrypto', { database: 'app', version: '1.3' }), server: { version: '1.2' } }] },
      'extension.pgcrypto',
      { action: 'update', changes: [{ path: 'version', before: '1.2', after: '1.3' }] },
    ],
    [
      'an ignored attribute is not compared and keeps its observed value',
      { desired: [{ r: instance('database', 'app', { comment: 'new' }, { lifecycle: { ignore_changes: ['comment'] } }), server: { comment: 'hand' } }] },
      'database.app',
      { action: 'no-op' },
    ],
    [
      'a comment not declared is not compared: one made by hand is kept',
      { desired: [{ r: app, server: { comment: 'by hand' } }] },
      'database.app',
      { action: 'no-op', changes: [], unchanged: 9 },
    ],
    [
      'a declared comment changed by hand is drift, updated back',
      { desired: [{ r: instance('schema', 'api', { database: 'app', owner: 'app_owner', comment: 'c' }), server: { comment: 'by hand' } }] },
      'schema.api',
      { action: 'update', drifted: true, changes: [{ path: 'comment', before: 'by hand', after: 'c' }], unchanged: 2 },
    ],
    [
      'an existing object with a comment, not yet managed, is adopted without touching it',
      { desired: [{ r: api, server: { comment: 'by hand' }, managed: false }] },
      'schema.api',
      { action: 'update', reason: 'exists on the server, not yet managed by this stack: adopted', changes: [] },
    ],
    [
      'an existing object not yet managed is adopted',
      { desired: [{ r: api, server: 'same', managed: false }] },
      'schema.api',
      { action: 'update', reason: 'exists on the server, not yet managed by this stack: adopted', changes: [] },
    ],
    [
      'a managed object deleted by hand is re-created',
      { desired: [{ r: api, server: null }] },
      'schema.api',
      { action: 'create', reason: 'deleted outside xp: it is re-created' },
    ],
    [
      'a managed resource no longer declared is deleted',
      { undeclared: [{ r: readonly, server: 'same' }] },
      'role.readonly',
      { action: 'delete', reason: 'no longer declared', destructive: true },
    ],
    [
      'an orphaned resource is forgotten, not dropped',
      { undeclared: [{ r: readonly, server: 'same', policy: 'orphan' }] },
      'role.readonly',
      { action: 'delete', orphan: true, destructive: false, deletionPolicy: 'orphan' },
    ],
    [
      'a managed resource already gone only loses its record',
      { undeclared: [{ r: readonly, server: null }] },
      'role.readonly',
      { action: 'delete', destructive: false, reason: 'no longer declared; already absent from the server: only the record is removed' },
    ],
    [
      '--replace of a service account rotates its password',
      { desired: [{ r: svc, server: 'same' }], options: { replace: ['service_account.svc'] } },
      'service_account.svc',
      { action: 'replace', reason: 'requested by --replace: the password is rotated', destructive: false, passwordSource: 'generated' },
    ],
    [
      '--replace of a role drops and re-creates it',
      { desired: [{ r: readonly, server: 'same' }], options: { replace: ['role.readonly'] } },
      'role.readonly',
      { action: 'replace', reason: 'requested by --replace', destructive: true },
    ],
  ];
  it.each(cases)('%s', (_name, s, address, expected) => {
    const plan = assemblePlan(scenario(s));
    expect(plan.errors).toEqual([]);
    expect(only(plan, address)).toMatchObject(expected);
  });

  it('a recorded object that never existed (its first create failed) is created, and says so', () => {
    const input = scenario({ desired: [{ r: api, server: null }] });
    input.managed[0]!.observed_generation = 0;
    expect(assemblePlan(input).resources[0]).toMatchObject({ action: 'create', reason: 'not created yet: an earlier create failed' });
    input.managed[0]!.observed_generation = 3;
    expect(assemblePlan(input).resources[0]).toMatchObject({ action: 'create', reason: 'deleted outside xp: it is re-created' });
  });

  it('creates a database with every attribute it sets, none it leaves null, and no delete-only key', () => {
    const plan = assemblePlan(scenario({ desired: [{ r: app, server: null, managed: false }] }));
    expect(only(plan, 'database.app').changes).toEqual([
      { path: 'owner', after: 'app_owner' },
      { path: 'encoding', after: 'UTF8' },
      { path: 'lc_collate', after: 'C.UTF-8' },
      { path: 'lc_ctype', after: 'C.UTF-8' },
      { path: 'template', after: 'template1' },
      { path: 'connection_limit', after: -1 },
      { path: 'allow_connections', after: true },
      { path: 'is_template', after: false },
    ]);
    expect(plan.summary).toEqual({ add: 1, change: 0, destroy: 0, forget: 0 });
  });

  it('a password the evaluator marks unknown (sensitive or not) is generated', () => {
    const marked = instance('service_account', 'marked', { database: 'app', password: new Sensitive(UNKNOWN) });
    const bare = instance('service_account', 'bare', { database: 'app', password: UNKNOWN });
    const plan = assemblePlan(scenario({ desired: [{ r: marked, server: null }, { r: bare, server: null }] }));
    expect(plan.resources.map((r) => r.passwordSource)).toEqual(['generated', 'generated']);
  });

  it('a created service account gets a password known only after apply; a configured one is sensitive', () => {
    const withPw = instance('service_account', 'given', { database: 'app', password: new Sensitive('hunter2') });
    const plan = assemblePlan(scenario({ desired: [{ r: svc, server: null }, { r: withPw, server: null }] }));
    expect(only(plan, 'service_account.svc')).toMatchObject({ passwordSource: 'generated' });
    expect(only(plan, 'service_account.svc').changes.at(-1)).toEqual({ path: 'password', sensitive: true, unknown: true });
    expect(only(plan, 'service_account.given')).toMatchObject({ passwordSource: 'configured' });
    expect(only(plan, 'service_account.given').changes.at(-1)).toEqual({ path: 'password', sensitive: true });
    expect(JSON.stringify(plan)).not.toContain('hunter2');
  });

  it('never puts a password in the spec it will apply', () => {
    const withPw = instance('service_account', 'given', { database: 'app', password: 'hunter2' });
    const plan = assemblePlan(scenario({ desired: [{ r: withPw, server: 'same' }], options: { replace: ['service_account.given'] } }));
    expect(JSON.stringify(plan)).not.toContain('hunter2');
    expect(only(plan, 'service_account.given')).toMatchObject({ action: 'replace', passwordSource: 'configured' });
  });

  it('an ignored attribute keeps the observed value in the spec apply sends', () => {
    const r = instance('database', 'app', { comment: 'new' }, { lifecycle: { ignore_changes: ['comment'] } });
    const plan = assemblePlan(scenario({ desired: [{ r, server: { comment: 'hand' } }] }));
    expect(only(plan, 'database.app').spec['comment']).toBe('hand');
  });

  it('a sensitive attribute shows neither side, an unknown one shows only the old value', () => {
    const r = instance('role', 'r', { comment: new Sensitive('secret plan'), connection_limit: UNKNOWN });
    const plan = assemblePlan(scenario({ desired: [{ r, server: { comment: 'old', connection_limit: 3 } }] }));
    expect(only(plan, 'role.r').changes).toEqual([
      { path: 'connection_limit', before: 3, unknown: true },
      { path: 'comment', sensitive: true },
    ]);
    // Kept in the spec apply needs, and named so that --json can mask it.
    expect(only(plan, 'role.r').sensitivePaths).toEqual(['comment']);
  });
});

describe('assemblePlan: every attribute of every kind', () => {
  const g = (privileges: string[], future = false) => ({ database: 'app', schema: 'api', on: 'tables', privileges, future });
  // [type, attribute, server value, desired value, what the change carries besides before/after]
  const table: Array<[ResourceType, string, Json, Json, Partial<AttributeChange>]> = [
    ['database', 'owner', 'a', 'b', {}],
    ['database', 'encoding', 'UTF8', 'SQL_ASCII', { forcesReplacement: true }],
    ['database', 'lc_collate', 'C', 'C.UTF-8', { forcesReplacement: true }],
    ['database', 'lc_ctype', 'C', 'C.UTF-8', { forcesReplacement: true }],
    ['database', 'connection_limit', -1, 10, {}],
    ['database', 'allow_connections', true, false, {}],
    ['database', 'comment', null, 'c', {}],
    ['schema', 'owner', 'a', 'b', {}],
    ['schema', 'comment', 'c', null, {}],
    ['role', 'inherit', true, false, {}],
    ['role', 'createdb', false, true, {}],
    ['role', 'createrole', false, true, {}],
    ['role', 'connection_limit', 3, -1, {}],
    ['role', 'member_of', ['a'], ['a', 'b'], { set: { added: ['b'], removed: [] } }],
    ['role', 'settings', {}, { work_mem: '64MB' }, { elements: [{ key: 'work_mem', identity: { key: 'work_mem' }, action: 'create', after: '64MB' }] }],
    ['role', 'grants', [g(['SELECT'])], [g(['SELECT'], true)], { elements: [expect.objectContaining({ action: 'update', changes: [{ path: 'future', before: false, after: true }] })] }],
    ['role', 'comment', 'x', 'y', {}],
    ['extension', 'schema', 'public', 'ext', {}],
    ['extension', 'version', '1.2', '1.3', {}],
    ['service_account', 'database', 'old', 'app', {}],
    ['service_account', 'schemas', ['api'], [], { set: { added: [], removed: ['api'] } }],
    ['service_account', 'grants', [], [g(['SELECT'])], { elements: [expect.objectContaining({ action: 'create', key: 'app.api (tables)' })] }],
    ['service_account', 'member_of', [], ['r'], { set: { added: ['r'], removed: [] } }],
    ['service_account', 'connection_limit', -1, 5, {}],
    ['service_account', 'valid_until', null, '2027-01-01T00:00:00Z', {}],
    ['service_account', 'comment', null, 'svc', {}],
  ];
  it.each(table)('%s.%s: %j → %j', (type, key, have, want, extra) => {
    const base: Record<string, Value> = type === 'database' || type === 'role' ? {} : { database: 'app' };
    const r = instance(type, 'x', { ...base, [key]: want as Value });
    const plan = assemblePlan(scenario({ desired: [{ r, server: { [key]: have } }], options: extra.forcesReplacement ? { replace: [r.address], allowDataLoss: true } : {} }));
    const p = only(plan, r.address);
    expect(p.action).toBe(extra.forcesReplacement ? 'replace' : 'update');
    expect(p.changes).toEqual([{ path: key, before: have, after: want, ...extra }]);
    expect(plan.errors).toEqual([]);
  });
});

describe('assemblePlan: passwords', () => {
  const given = instance('service_account', 'given', { database: 'app', password: new Sensitive('hunter2') });
  it.each([
    ['a matching password is left alone', svc, 'match', { action: 'no-op', passwordSource: 'keep', changes: [] }],
    [
      'a configured password that differs is set again',
      given,
      'differs',
      { action: 'update', passwordSource: 'configured', reason: 'the password differs from the configured one', changes: [{ path: 'password', sensitive: true }] },
    ],
    [
      'a lost generated password is generated again',
      svc,
      'differs',
      {
        action: 'update',
        passwordSource: 'generated',
        reason: 'the generated password is lost (secret file missing or out of date): a new one is generated',
        changes: [{ path: 'password', sensitive: true }],
      },
    ],
  ] as const)('%s', (_n, r, state, expected) => {
    const plan = assemblePlan(scenario({ desired: [{ r, server: 'same' }], passwords: [[r, state]] }));
    expect(only(plan, r.address)).toMatchObject(expected);
  });

  it('the password state is part of the fingerprint', () => {
    const a = assemblePlan(scenario({ desired: [{ r: svc, server: 'same' }], passwords: [[svc, 'match']] }));
    const b = assemblePlan(scenario({ desired: [{ r: svc, server: 'same' }], passwords: [[svc, 'differs']] }));
    expect(a.fingerprint).not.toBe(b.fingerprint);
  });
});

describe('assemblePlan: lists are diffed as sets', () => {
  it('member_of shows the roles added and removed', () => {
    const r = instance('role', 'r', { member_of: ['b', 'c'] });
    const plan = assemblePlan(scenario({ desired: [{ r, server: { member_of: ['a', 'b'] } }] }));
    expect(only(plan, 'role.r').changes).toEqual([
      { path: 'member_of', before: ['a', 'b'], after: ['b', 'c'], set: { added: ['c'], removed: ['a'] } },
    ]);
  });

  it('schemas of a service account show the schemas added and removed', () => {
    const plan = assemblePlan(scenario({ desired: [{ r: svc, server: { schemas: ['api', 'old'] } }] }));
    expect(only(plan, 'service_account.svc').changes[0]).toMatchObject({ path: 'schemas', set: { added: [], removed: ['old'] } });
  });

  it('grants are keyed by (database, schema, on): privileges change as a delta, others added or removed', () => {
    const want = [
      { database: 'app', schema: 'api', on: 'tables', privileges: ['INSERT', 'SELECT'], future: true },
      { database: 'app', schema: 'api', on: 'sequences', privileges: ['USAGE'], future: false },
    ];
    const have = [
      { database: 'app', schema: 'api', on: 'tables', privileges: ['DELETE', 'SELECT'], future: false },
      { database: 'app', schema: null, on: 'database', privileges: ['CONNECT'], future: false },
    ];
    const r = instance('role', 'r', { grants: want });
    const plan = assemblePlan(scenario({ desired: [{ r, server: { grants: have } }] }));
    const grants = only(plan, 'role.r').changes[0]!;
    expect(grants.path).toBe('grants');
    expect(grants.elements).toEqual([
      { key: 'app (database)', identity: { database: 'app', schema: null, on: 'database' }, action: 'delete', before: have[1] },
      { key: 'app.api (sequences)', identity: { database: 'app', schema: 'api', on: 'sequences' }, action: 'create', after: want[1] },
      {
        key: 'app.api (tables)',
        identity: { database: 'app', schema: 'api', on: 'tables' },
        action: 'update',
        before: have[0],
        after: want[0],
        changes: [
          { path: 'future', before: false, after: true },
          { path: 'privileges', before: ['DELETE', 'SELECT'], after: ['INSERT', 'SELECT'], set: { added: ['INSERT'], removed: ['DELETE'] } },
        ],
      },
    ]);
  });

  it('settings are diffed key by key', () => {
    const r = instance('role', 'r', { settings: { statement_timeout: '5s', search_path: 'api' } });
    const plan = assemblePlan(scenario({ desired: [{ r, server: { settings: { statement_timeout: '1s', work_mem: '4MB' } } }] }));
    expect(only(plan, 'role.r').changes[0]!.elements).toEqual([
      { key: 'search_path', identity: { key: 'search_path' }, action: 'create', after: 'api' },
      { key: 'statement_timeout', identity: { key: 'statement_timeout' }, action: 'update', before: '1s', after: '5s' },
      { key: 'work_mem', identity: { key: 'work_mem' }, action: 'delete', before: '4MB' },
    ]);
  });
});

describe('assemblePlan: refusals', () => {
  it('refuses to change an immutable attribute in place, and says what to do', () => {
    const r = instance('database', 'app', { encoding: 'LATIN1' });
    const plan = assemblePlan(scenario({ desired: [{ r, server: { encoding: 'UTF8' } }] }));
    expect(only(plan, 'database.app')).toMatchObject({
      action: 'replace',
      reason: 'encoding cannot change in place',
      changes: [{ path: 'encoding', before: 'UTF8', after: 'LATIN1', forcesReplacement: true }],
    });
    expect(plan.errors).toEqual([
      expect.objectContaining({ code: 'immutable_attribute', address: 'database.app', message: expect.stringContaining('encoding cannot change in place ("UTF8" → "LATIN1")') }),
    ]);
    expect(plan.errors[0]!.hint).toContain('xp apply --replace database.app');
  });

  it('replaces a database whose encoding changes when --replace names it and it is empty', () => {
    const r = instance('database', 'app', { encoding: 'LATIN1' });
    const plan = assemblePlan(scenario({ desired: [{ r, server: { encoding: 'UTF8' } }], contents: [[r, EMPTY]], options: { replace: ['database.app'] } }));
    expect(plan.errors).toEqual([]);
    expect(plan.summary).toEqual({ add: 1, change: 0, destroy: 1, forget: 0 });
  });

  it.each([
    ['a database holding tables', app, { tables: 2, objects: 1, kinds: { table: 2, view: 1 }, examples: ['api.orders', 'api.users'] }, 'Dropping database "app" would destroy 2 tables, 1 view (api.orders, api.users, …).'],
    [
      'a database holding no table',
      app,
      { tables: 0, objects: 6, kinds: { view: 1, sequence: 1, function: 1, type: 1, 'large object': 1, index: 1 }, examples: ['large object 16500', 'public.f()', 'public.mood', 'public.s', 'public.v'] },
      'Dropping database "app" would destroy 1 function, 1 index, 1 large object, 1 sequence, 1 type, 1 view (large object 16500, public.f(), public.mood, public.s, public.v, …).',
    ],
    ['a schema holding a function', api, { tables: 0, objects: 1, kinds: { function: 1 }, examples: ['api.f()'] }, 'Dropping schema "api" in database "app" would destroy 1 function (api.f()).'],
    ['an extension a column depends on', citext, { tables: 0, objects: 2, kinds: { 'table column': 2 }, examples: ['api.users.email', 'public.t.c'] }, 'Dropping extension "citext" in database "app" would destroy 2 table columns (api.users.email, public.t.c).'],
    ['a database whose contents are unknown', app, undefined, 'Dropping database "app" may destroy data: its contents could not be checked.'],
  ] as const)('refuses to drop %s without --allow-data-loss', (_n, r, contents, message) => {
    const s: Scenario = { undeclared: [{ r, server: 'same' }], ...(contents ? { contents: [[r, { ...contents, kinds: { ...contents.kinds }, examples: [...contents.examples] }]] } : {}) };
    const plan = assemblePlan(scenario(s));
    expect(plan.errors).toEqual([
      { code: 'data_loss', address: r.address, message: `${r.address}: ${message}`, hint: expect.stringContaining('--allow-data-loss') },
    ]);
    const allowed = assemblePlan(scenario({ ...s, options: { allowDataLoss: true } }));
    expect(allowed.errors).toEqual([]);
    expect(only(allowed, r.address).dataLoss).toMatchObject({ allowed: true, checked: contents !== undefined });
  });

  it('names kinds and counts as the provider does (xplane.data_loss_kinds)', () => {
    const loss = { checked: true, tables: 0, objects: 8, kinds: { view: 1, index: 2, policy: 3, 'large object': 2 }, examples: ['public.v'], allowed: false };
    expect(describeDataLoss(loss)).toBe('2 indexes, 2 large objects, 3 policies, 1 view (public.v, …)');
    expect(describeDataLoss({ ...loss, checked: false })).toBe('contents that could not be checked');
  });

  it('drops an empty database, schema or extension without asking', () => {
    const plan = assemblePlan(scenario({ undeclared: [{ r: app, server: 'same' }, { r: api, server: 'same' }, { r: citext, server: 'same' }], contents: [[app, EMPTY], [api, EMPTY], [citext, EMPTY]] }));
    expect(plan.errors).toEqual([]);
    expect(plan.resources.map((r) => r.dataLoss)).toEqual([undefined, undefined, undefined]);
  });

  it('does not check contents of an orphaned database', () => {
    const plan = assemblePlan(scenario({ undeclared: [{ r: app, server: 'same', policy: 'orphan' }] }));
    expect(plan.errors).toEqual([]);
    expect(contentsToObserve(plan)).toEqual([]);
  });

  it('asks for the contents of every database, schema and extension it would drop', () => {
    const plan = assemblePlan(scenario({ undeclared: [{ r: app, server: 'same' }, { r: api, server: 'same' }, { r: citext, server: 'same' }, { r: readonly, server: 'same' }] }));
    expect(contentsToObserve(plan)).toEqual([
      { kind: 'Database', name: 'app', database: '', provider: 'default' },
      { kind: 'Extension', name: 'citext', database: 'app', provider: 'default' },
      { kind: 'Schema', name: 'api', database: 'app', provider: 'default' },
    ]);
  });

  it('refuses to destroy a resource with prevent_destroy', () => {
    const r = instance('role', 'keep', {}, { lifecycle: { prevent_destroy: true } });
    const plan = assemblePlan(scenario({ desired: [{ r, server: 'same' }], options: { destroy: true } }));
    expect(plan.operation).toBe('destroy');
    expect(plan.errors).toEqual([expect.objectContaining({ code: 'prevent_destroy', address: 'role.keep' })]);
  });

  it('asks the provider about every update, replace and delete (not creates, no-ops or orphans), with the attributes that change', () => {
    const me = instance('role', 'me', { createrole: false });
    const kept = instance('role', 'kept');
    const input = scenario({
      desired: [{ r: me, server: { createrole: true } }, { r: kept, server: 'same' }, { r: instance('role', 'fresh'), server: null }],
      undeclared: [{ r: app, server: 'same' }, { r: instance('role', 'gone'), server: 'same', policy: 'orphan' }],
    });
    expect(changesToCheck(assemblePlan(input))).toEqual([
      { kind: 'Database', name: 'app', database: '', provider: 'default', action: 'delete', changed: expect.any(Array) },
      { kind: 'Role', name: 'me', database: '', provider: 'default', action: 'update', changed: ['createrole'] },
    ]);
  });

  it('shows what the provider refuses to drop or strip as errors: file:line for a declaration, the address otherwise', () => {
    const me = instance('role', 'me', { createrole: false });
    const input = scenario({ desired: [{ r: me, server: { createrole: true } }], undeclared: [{ r: app, server: 'same' }] });
    input.refusals = new Map([
      [instanceKey(me), 'refusing to change createrole of role "me": xp connects as it'],
      [instanceKey(app), 'refusing to drop database "app": it is the control database'],
    ]);
    const plan = assemblePlan(input);
    expect(plan.errors).toEqual([
      expect.objectContaining({ code: 'self_protection', address: 'database.app', message: 'database.app: refusing to drop database "app": it is the control database' }),
      expect.objectContaining({ code: 'self_protection', address: 'role.me', message: 'main.xp:1:1: role.me: refusing to change createrole of role "me": xp connects as it' }),
    ]);
  });

  it('refuses a resource another stack manages', () => {
    const input = scenario({ desired: [{ r: readonly, server: 'same', managed: false }] });
    input.foreign = [{ ...input.managed[0]!, stack: 'billing' } as never];
    input.foreign = [{ stack: 'billing', kind: 'Role', name: 'readonly', database: '', provider: 'default', spec: {}, deletion_policy: 'delete' }];
    const plan = assemblePlan(input);
    expect(plan.errors).toEqual([expect.objectContaining({ code: 'conflict', message: 'role.readonly: role "readonly" is owned by stack "billing", not "test".' })]);
  });

  it('reports a spec the provider refused, and leaves the resource out', () => {
    const input = scenario({ desired: [{ r: app, server: null }, { r: api, server: null }] });
    const key = [...input.observed.keys()].find((k) => k.includes('Database'))!;
    (input.observed as Map<string, ObservedItem>).set(key, { ...input.observed.get(key)!, normalized: null, error: 'Database.connection_limit: must be >= -1' });
    const plan = assemblePlan(input);
    expect(plan.errors).toEqual([
      { code: 'invalid_spec', address: 'database.app', message: 'database.app: Database.connection_limit: must be >= -1', hint: expect.any(String) },
    ]);
    expect(plan.resources.map((r) => r.address)).toEqual(['schema.api']);
  });

  it('reports --replace and --target addresses that name nothing', () => {
    const plan = assemblePlan(scenario({ desired: [{ r: app, server: 'same' }], options: { replace: ['role.nope'], targets: ['schema.nope'] } }));
    expect(plan.errors.map((e) => e.code).sort()).toEqual(['unknown_replace', 'unknown_target']);
  });
});

describe('assemblePlan: lifecycle settings are compared with the record', () => {
  const keep = (l: Parameters<typeof instance>[3] = {}) => instance('role', 'keep', {}, l);
  const cases: Array<[string, Scenario, Partial<ResourcePlan>]> = [
    [
      'deletion_policy "orphan" added to an applied resource is an update that records it',
      { desired: [{ r: keep({ lifecycle: { deletion_policy: 'orphan' } }), server: 'same', recorded: { deletion_policy: 'delete' } }] },
      {
        action: 'update',
        reason: 'lifecycle changed: recorded by xp, nothing changes on the server',
        deletionPolicy: 'orphan',
        changes: [{ path: 'lifecycle.deletion_policy', before: 'delete', after: 'orphan' }],
      },
    ],
    [
      'deletion_policy removed again goes back to "delete"',
      { desired: [{ r: keep(), server: 'same', recorded: { deletion_policy: 'orphan' } }] },
      { action: 'update', deletionPolicy: 'delete', changes: [{ path: 'lifecycle.deletion_policy', before: 'orphan', after: 'delete' }] },
    ],
    [
      'prevent_destroy added',
      { desired: [{ r: keep({ lifecycle: { prevent_destroy: true } }), server: 'same', recorded: { prevent_destroy: false } }] },
      { action: 'update', preventDestroy: true, changes: [{ path: 'lifecycle.prevent_destroy', before: false, after: true }] },
    ],
    [
      'ignore_changes changed, as a set',
      { desired: [{ r: keep({ lifecycle: { ignore_changes: ['connection_limit', 'comment'] } }), server: 'same', recorded: { ignore_changes: ['comment'] } }] },
      {
        action: 'update',
        ignoreChanges: ['comment', 'connection_limit'],
        changes: [{ path: 'lifecycle.ignore_changes', before: ['comment'], after: ['comment', 'connection_limit'], set: { added: ['connection_limit'], removed: [] } }],
      },
    ],
    [
      'a lifecycle change beside an attribute change: both shown, the attribute first',
      { desired: [{ r: instance('role', 'keep', { connection_limit: 3 }, { lifecycle: { deletion_policy: 'orphan' } }), server: { connection_limit: 5 }, recorded: { deletion_policy: 'delete' } }] },
      {
        action: 'update',
        changes: [
          { path: 'connection_limit', before: 5, after: 3 },
          { path: 'lifecycle.deletion_policy', before: 'delete', after: 'orphan' },
        ],
      },
    ],
    ['the same lifecycle as recorded: no change', { desired: [{ r: keep({ lifecycle: { deletion_policy: 'orphan', prevent_destroy: true } }), server: 'same' }] }, { action: 'no-op', changes: [] }],
    ['a resource not yet managed has no record to compare with', { desired: [{ r: keep({ lifecycle: { deletion_policy: 'orphan' } }), server: 'same', managed: false }] }, { changes: [] }],
  ];
  it.each(cases)('%s', (_name, s, expected) => {
    const plan = assemblePlan(scenario(s));
    expect(plan.errors).toEqual([]);
    const r = only(plan, 'role.keep');
    expect(r).toMatchObject(expected);
    // A lifecycle change alone is no drift: the server is as declared.
    if (r.changes.every((c) => c.path.startsWith('lifecycle.'))) expect(r.drifted).toBeUndefined();
    if (r.action === 'update' && r.changes.length > 0) expect(plan.summary).toMatchObject({ add: 0, change: 1, destroy: 0 });
  });

  // Every lifecycle attribute the language has is compared (a new one cannot be left out).
  it.each(lifecycleAttributes)('a change of lifecycle.%s alone is planned', (attr) => {
    const other: Record<(typeof lifecycleAttributes)[number], unknown> = { prevent_destroy: true, deletion_policy: 'orphan', ignore_changes: ['comment'] };
    const r = keep({ lifecycle: { [attr]: other[attr] } });
    const plan = assemblePlan(scenario({ desired: [{ r, server: 'same', recorded: { prevent_destroy: false, deletion_policy: 'delete', ignore_changes: [] } }] }));
    expect(only(plan, 'role.keep').changes.map((c) => c.path)).toEqual([`lifecycle.${attr}`]);
  });

  it('refuses to delete a resource no longer declared whose recorded lifecycle has prevent_destroy', () => {
    const plan = assemblePlan(scenario({ undeclared: [{ r: keep(), server: 'same', preventDestroy: true }] }));
    expect(plan.errors).toEqual([
      expect.objectContaining({ code: 'prevent_destroy', address: 'role.keep', message: expect.stringContaining('as last applied') }),
    ]);
  });

  it('a recorded prevent_destroy does not hold an orphan, nor a declared resource whose configuration dropped it', () => {
    expect(assemblePlan(scenario({ undeclared: [{ r: keep(), server: 'same', policy: 'orphan', preventDestroy: true }] })).errors).toEqual([]);
    const declared = assemblePlan(scenario({ desired: [{ r: keep(), server: 'same', recorded: { prevent_destroy: true } }], options: { destroy: true } }));
    expect(declared.errors).toEqual([]);
  });
});

describe('assemblePlan: scope and order', () => {
  it('never plans to delete what the stack does not manage', () => {
    const plan = assemblePlan(scenario({}));
    expect(plan.resources).toEqual([]);
  });

  it('--target includes what the target depends on', () => {
    const plan = assemblePlan(
      scenario({
        desired: [{ r: app, server: null }, { r: api, server: null }, { r: svc, server: null }, { r: readonly, server: null }],
        options: { targets: ['service_account.svc'] },
      }),
    );
    expect(plan.resources.map((r) => r.address)).toEqual(['database.app', 'schema.api', 'service_account.svc']);
  });

  it('--target of a destroy includes what depends on the target', () => {
    const plan = assemblePlan(
      scenario({
        desired: [{ r: app, server: 'same' }, { r: api, server: 'same' }, { r: readonly, server: 'same' }],
        contents: [[app, EMPTY], [api, EMPTY]],
        options: { destroy: true, targets: ['database.app'] },
      }),
    );
    expect(plan.resources.map((r) => [r.address, r.action])).toEqual([
      ['database.app', 'delete'],
      ['schema.api', 'delete'],
    ]);
  });

  it('a target without an index selects every instance', () => {
    const a = instance('schema', 't_a', { database: 'app' }, { address: 'schema.t["a"]' });
    const b = instance('schema', 't_b', { database: 'app' }, { address: 'schema.t["b"]' });
    const plan = assemblePlan(scenario({ desired: [{ r: a, server: null }, { r: b, server: null }, { r: app, server: 'same' }], options: { targets: ['schema.t'] } }));
    expect(plan.resources.map((r) => r.address)).toEqual(['schema.t["a"]', 'schema.t["b"]']);
  });

  it('orders resources by address, numbers naturally, whatever the input order', () => {
    const rs = [10, 2, 1].map((i) => instance('role', `r${i}`, {}, { address: `role.r[${i}]` }));
    const plan = assemblePlan(scenario({ desired: rs.map((r) => ({ r, server: null })) }));
    expect(plan.resources.map((r) => r.address)).toEqual(['role.r[1]', 'role.r[2]', 'role.r[10]']);
  });

  it('gives undeclared resources with the same name in two databases distinct addresses', () => {
    const a = instance('schema', 'api', { database: 'one' });
    const b = instance('schema', 'api', { database: 'two' });
    const input = scenario({ undeclared: [{ r: a, server: 'same' }, { r: b, server: 'same' }], contents: [[a, EMPTY], [b, EMPTY]] });
    for (const m of input.managed) delete m.address;
    expect(assemblePlan(input).resources.map((r) => r.address)).toEqual(['schema.api@one', 'schema.api@two']);
  });

  it('gives a record whose address a declared resource took (its name changed) an address of its own', () => {
    // extension "lbl" {} became extension "lbl" { name = "lbl2" }: a create and a delete (an
    // extension cannot be renamed in place: test/plan/renames.test.ts), once both under
    // extension.lbl, where the walker saw one step waiting for itself
    const renamed = instance('extension', 'lbl2', { database: 'app' }, { address: 'extension.lbl' });
    const old = instance('extension', 'lbl', { database: 'app' }, { address: 'extension.lbl' });
    const plan = assemblePlan(scenario({ desired: [{ r: renamed, server: null, managed: false }], undeclared: [{ r: old, server: 'same' }], contents: [[old, EMPTY]] }));
    expect(plan.resources.map((r) => [r.address, r.action, r.name])).toEqual([
      ['extension.lbl', 'create', 'lbl2'],
      ['extension.lbl@app', 'delete', 'lbl'],
    ]);
    // renamed twice: the old name is free as an address
    const older = instance('extension', 'lbl1', { database: 'app' }, { address: 'extension.lbl' });
    const again = assemblePlan(scenario({ desired: [{ r: renamed, server: null, managed: false }], undeclared: [{ r: older, server: 'same' }], contents: [[older, EMPTY]] }));
    expect(again.resources.map((r) => r.address)).toEqual(['extension.lbl', 'extension.lbl@app']);
    expect(again.resources.every((r) => !r.dependsOn.includes(r.address))).toBe(true);
  });

  it('derives delete order from specs for resources no longer declared', () => {
    const plan = assemblePlan(
      scenario({ undeclared: [{ r: api, server: 'same' }, { r: app, server: 'same' }, { r: svc, server: 'same' }], contents: [[app, EMPTY], [api, EMPTY]] }),
    );
    expect(only(plan, 'schema.api').dependsOn).toEqual(['database.app']);
    expect(only(plan, 'service_account.svc').dependsOn).toEqual(['database.app', 'schema.api']);
  });

  it('counts every action in the summary', () => {
    const plan = assemblePlan(
      scenario({
        desired: [
          { r: app, server: null },
          { r: api, server: { owner: 'x' } },
          { r: svc, server: 'same' },
        ],
        undeclared: [
          { r: readonly, server: 'same' },
          { r: crypto, server: 'same', policy: 'orphan' },
        ],
        options: { replace: ['service_account.svc'] },
      }),
    );
    expect(plan.summary).toEqual({ add: 2, change: 1, destroy: 2, forget: 1 });
  });

  it('the fingerprint changes with the observed state and not with the desired one', () => {
    const base = assemblePlan(scenario({ desired: [{ r: api, server: 'same' }] }));
    const drifted = assemblePlan(scenario({ desired: [{ r: api, server: { owner: 'x' } }] }));
    // The configuration now wants a comment; the server (comment null) and the records are as before.
    const editedInput = scenario({ desired: [{ r: instance('schema', 'api', { database: 'app', owner: 'app_owner', comment: 'c' }), server: { comment: null } }] });
    editedInput.managed = scenario({ desired: [{ r: api, server: 'same' }] }).managed;
    const edited = assemblePlan(editedInput);
    expect(base.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(drifted.fingerprint).not.toBe(base.fingerprint);
    expect(edited.resources[0]!.action).toBe('update');
    expect(edited.fingerprint).toBe(base.fingerprint);
  });
});

describe('assemblePlan: import blocks', () => {
  const at = { file: 'main.xp', start: { line: 7, column: 1, offset: 0 }, end: { line: 7, column: 7, offset: 0 } } as never;
  const imported = (r: typeof app) => ({ ...r, import: { id: r.name, range: at } });
  const db = imported(instance('database', 'app', { owner: 'app_owner', connection_limit: 10 }));

  it('an object on the server that no stack manages is imported: recorded as the server has it, nothing changes', () => {
    const plan = assemblePlan(scenario({ desired: [{ r: db, server: { connection_limit: 3 }, managed: false }] }));
    const step = only(plan, 'database.app');
    expect(step).toMatchObject({ action: 'import', importId: 'app', changes: [], destructive: false });
    expect(step.reason).toContain('the next plan updates what differs from the configuration (connection_limit)');
    // what apply records is the server's value, so neither apply nor the reconcile loop changes it
    expect(step.spec['connection_limit']).toBe(3);
    expect(plan.summary).toEqual({ add: 0, change: 0, destroy: 0, forget: 0, import: 1 });
    expect(plan.errors).toEqual([]);
    expect(changesToCheck(plan)).toEqual([]);
  });

  it('once the stack manages it, the import block changes nothing: an ordinary update', () => {
    const plan = assemblePlan(scenario({ desired: [{ r: db, server: { connection_limit: 3 } }] }));
    expect(only(plan, 'database.app')).toMatchObject({ action: 'update', changes: [{ path: 'connection_limit', before: 3, after: 10 }] });
    expect(plan.summary.import).toBeUndefined();
  });

  it('an object missing from the server is refused at the import block, and not created', () => {
    const plan = assemblePlan(scenario({ desired: [{ r: db, server: null, managed: false }] }));
    expect(plan.resources).toEqual([]);
    expect(plan.errors).toEqual([
      expect.objectContaining({ code: 'import_not_found', address: 'database.app', message: 'main.xp:7:1: cannot import database.app: database "app" does not exist on the server.' }),
    ]);
  });

  it('an object another stack manages is refused, naming the stack', () => {
    const input = scenario({ desired: [{ r: db, server: 'same', managed: false }] });
    input.foreign = [managedOf(db, { stack: 'billing' })];
    const plan = assemblePlan(input);
    expect(plan.errors).toEqual([expect.objectContaining({ code: 'conflict', message: expect.stringContaining('cannot import: database "app" is owned by stack "billing"') })]);
  });
});
