import { describe, expect, it } from 'vitest';
import { Chalk } from 'chalk';
import { formatAge, type ResourceDescription, type ResourceEvent, type ResourceStatus } from '../../src/views/status/model.js';
import { describeText, eventsTable, statusTable, truncate, yamlish } from '../../src/views/status/render.js';

const now = Date.parse('2026-11-23T12:10:00Z');
const c = new Chalk({ level: 0 });
const o = { c, now };

const status = (over: Partial<ResourceStatus>): ResourceStatus => ({
  id: '00000000-0000-0000-0000-000000000001',
  address: 'schema.api',
  stack: 'saas',
  kind: 'Schema',
  name: 'api',
  database: 'saas',
  synced: 'True',
  ready: 'True',
  reason: 'Available',
  message: '',
  generation: 1,
  observedGeneration: 1,
  failureCount: 0,
  lastFailureClass: null,
  createdAt: '2026-11-23T12:05:00Z',
  updatedAt: '2026-11-23T12:05:00Z',
  deleting: false,
  nextReconcileAt: null,
  ...over,
});

const event = (over: Partial<ResourceEvent>): ResourceEvent => ({
  id: 1,
  resourceId: null,
  address: 'schema.api',
  stack: 'saas',
  kind: 'Schema',
  name: 'api',
  database: 'saas',
  type: 'Normal',
  reason: 'Created',
  message: 'schema "api" created',
  actor: 'postgres',
  createdAt: '2026-11-23T12:05:00Z',
  ...over,
});

describe('formatAge', () => {
  it.each([
    [0, '0s'],
    [45_000, '45s'],
    [119_000, '119s'],
    [150_000, '2m30s'],
    [12 * 60_000, '12m'],
    [5 * 3600_000 + 20 * 60_000, '5h20m'],
    [30 * 3600_000, '30h'],
    [3 * 86400_000, '3d'],
    [800 * 86400_000, '2y'],
  ])('%i ms → %s', (ms, text) => expect(formatAge(ms)).toBe(text));
});

describe('statusTable', () => {
  it('lists resources kubectl-get style, with the reason of what is not ready', () => {
    const text = statusTable(
      [
        status({ address: 'database.saas', kind: 'Database', name: 'saas', database: '', createdAt: '2026-11-23T12:00:00Z' }),
        status({}),
        status({ address: 'role.app', kind: 'Role', name: 'app', database: '', synced: 'False', ready: 'False', reason: 'ReconcileError', message: 'permission denied\nto create role' }),
      ],
      o,
    );
    expect(text).toBe(
      [
        'NAME            KIND       DATABASE   SYNCED    READY     AGE   REASON',
        'database.saas   Database   -          True      True      10m   Available',
        'schema.api      Schema     saas       True      True      5m    Available',
        'role.app        Role       -          False     False     5m    ReconcileError: permission denied to create role',
        '',
      ].join('\n'),
    );
  });

  it('adds a STACK column when several stacks are listed, and says when a resource is being deleted', () => {
    const text = statusTable([status({}), status({ stack: 'other', deleting: true, message: 'waiting on finalizers' })], o);
    expect(text.split('\n')[0]).toMatch(/^STACK {3}NAME/);
    expect(text).toContain('Deleting: waiting on finalizers');
  });

  it('truncates to the terminal width, and colours only the conditions', () => {
    const coloured = statusTable([status({ ready: 'False', reason: 'Creating', message: 'x'.repeat(200) })], { c: new Chalk({ level: 1 }), now, width: 80 });
    // eslint-disable-next-line no-control-regex
    for (const line of coloured.trimEnd().split('\n')) expect(line.replace(/\u001b\[[0-9;]*m/g, '').length).toBeLessThanOrEqual(80);
    expect(coloured).toContain('\u001b[31mFalse');
    expect(truncate('abcdef', 4)).toBe('abc…');
  });
});

describe('eventsTable', () => {
  it('prints events oldest first with fixed minimum widths', () => {
    const text = eventsTable([event({}), event({ id: 2, type: 'Warning', reason: 'ReconcileError', message: 'permission denied', createdAt: '2026-11-23T12:09:30Z' })], o);
    expect(text).toBe(
      [
        'AGE    TYPE      REASON             OBJECT                     MESSAGE',
        '5m     Normal    Created            schema.api                 schema "api" created',
        '30s    Warning   ReconcileError     schema.api                 permission denied',
        '',
      ].join('\n'),
    );
    expect(eventsTable([event({})], o, false)).toBe('5m     Normal    Created            schema.api                 schema "api" created\n');
  });
});

describe('describeText', () => {
  it('shows identity, spec, observed state, conditions with transitions and events', () => {
    const d: ResourceDescription = {
      resource: {
        ...status({ generation: 2, observedGeneration: 2 }),
        spec: { database: 'saas', owner: 'app_owner', comment: null },
        observed: { database: 'saas', owner: 'app_owner', comment: null },
        lastAction: 'create',
        statusCode: 'success',
        lastOperation: 'CreateSucceeded',
        lastOperationMessage: 'schema "api" created',
        providerConfig: 'default',
        deletionPolicy: 'delete',
        finalizers: [],
        lastReconciledAt: '2026-11-23T12:09:00Z',
      },
      conditions: [
        { type: 'Synced', status: 'True', reason: 'ReconcileSuccess', message: '', lastTransition: '2026-11-23T12:05:00Z' },
        { type: 'Ready', status: 'True', reason: 'Available', message: 'schema exists', lastTransition: '2026-11-23T12:05:00Z' },
      ],
      events: [event({})],
    };
    expect(describeText(d, o)).toBe(
      [
        'Name:               schema.api',
        'Kind:               Schema',
        'PostgreSQL name:    api',
        'Database:           saas',
        'Stack:              saas',
        'Provider config:    default',
        'Deletion policy:    delete',
        'Generation:         2 (observed 2)',
        'Created:            2026-11-23T12:05:00Z (5m ago)',
        'Last reconciled:    2026-11-23T12:09:00Z (60s ago)',
        'Next reconcile:     <none>',
        'Spec:',
        '  database: saas',
        '  owner: app_owner',
        '  comment: <none>',
        'Observed:',
        '  database: saas',
        '  owner: app_owner',
        '  comment: <none>',
        'Last action:        create: success, CreateSucceeded — schema "api" created',
        'Conditions:',
        '  TYPE     STATUS   REASON             LAST TRANSITION   MESSAGE',
        '  Synced   True     ReconcileSuccess   5m ago',
        '  Ready    True     Available          5m ago            schema exists',
        'Events:',
        '  AGE    TYPE      REASON             OBJECT                     MESSAGE',
        '  5m     Normal    Created            schema.api                 schema "api" created',
        '',
      ].join('\n'),
    );
  });

  it('renders nested specs (grants) and never prints a password', () => {
    expect(
      yamlish({ member_of: ['a', 'b'], password: 'hunter2', grants: [{ database: 'saas', schema: 'api', on: 'tables', privileges: ['SELECT'], future: true }], settings: {} }),
    ).toEqual([
      '  member_of: [a, b]',
      '  password: (sensitive)',
      '  grants:',
      '    - database: saas',
      '      schema: api',
      '      on: tables',
      '      privileges: [SELECT]',
      '      future: true',
      '  settings: {}',
    ]);
  });
});
