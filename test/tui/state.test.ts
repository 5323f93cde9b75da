import { describe, expect, it } from 'vitest';
import type { ApplyEvent } from '../../src/apply/events.js';
import { applyEvents, graphLevels, initialState, reduce, rowElapsed, waitingOn, type ApplyState } from '../../src/tui/state.js';
import { isCollapsed, liveLines, staticItems } from '../../src/tui/layout.js';
import { destroyAll, failedApply, largeApply, saasSteps, successfulApply, T0 } from '../views/scenarios.js';

const replay = (events: ApplyEvent[]) => events.reduce(reduce, initialState());
const statusOf = (s: ApplyState) => Object.fromEntries([...s.rows.values()].map((r) => [r.address, r.status]));

describe('graphLevels', () => {
  it('puts each step one level below the deepest step it waits on', () => {
    expect(Object.fromEntries(graphLevels(saasSteps))).toEqual({
      'role.app_owner': 0,
      'database.saas': 1,
      'schema.api': 2,
      'extension.pgcrypto': 2,
      'service_account.app': 3,
    });
  });

  it('ignores dependencies outside the plan and survives a cycle', () => {
    const levels = graphLevels([
      { address: 'a', action: 'create', kind: 'Role', dependsOn: ['b', 'elsewhere'] },
      { address: 'b', action: 'create', kind: 'Role', dependsOn: ['a'] },
    ]);
    expect([...levels.keys()].sort()).toEqual(['a', 'b']);
  });
});

describe('the reducer', () => {
  // Given the events so far (a prefix of a realistic run), then the state of every row.
  it.each([
    ['nothing started', successfulApply().slice(0, 1), { 'role.app_owner': 'waiting', 'database.saas': 'waiting', 'schema.api': 'waiting', 'extension.pgcrypto': 'waiting', 'service_account.app': 'waiting' }],
    ['the role running', successfulApply().slice(0, 2), { 'role.app_owner': 'running', 'database.saas': 'waiting' }],
    ['the database in progress', successfulApply().slice(0, 5), { 'role.app_owner': 'done', 'database.saas': 'running' }],
    ['all done', successfulApply(), { 'role.app_owner': 'done', 'database.saas': 'done', 'schema.api': 'done', 'extension.pgcrypto': 'done', 'service_account.app': 'done' }],
    ['a failure and its dependents', failedApply(), { 'role.app_owner': 'failed', 'database.saas': 'skipped', 'service_account.app': 'skipped' }],
  ])('%s', (_name, events, expected) => {
    expect(statusOf(replay(events))).toMatchObject(expected);
  });

  it.each([
    ['start', successfulApply().slice(0, 1), { total: 5, waiting: 5, running: 0, done: 0, failed: 0, skipped: 0 }],
    ['mid-run', successfulApply().slice(0, 8), { total: 5, waiting: 1, running: 2, done: 2, failed: 0, skipped: 0 }],
    ['failed', failedApply(), { total: 5, waiting: 0, running: 0, done: 0, failed: 1, skipped: 4 }],
  ])('counts: %s', (_name, events, counts) => {
    expect(replay(events).counts).toEqual(counts);
  });

  it('keeps the provider’s status code, message and elapsed time on finished rows', () => {
    const s = replay(successfulApply());
    expect(s.rows.get('schema.api')).toMatchObject({ status: 'done', statusCode: 'already_exists', message: 'schema "api" already exists; adopted', elapsedMs: 99 });
    const f = replay(failedApply());
    expect(f.rows.get('role.app_owner')).toMatchObject({ status: 'failed', statusCode: 'permission_denied', elapsedMs: 35 });
    expect(f.failures).toEqual(['role.app_owner']);
    expect(f.rows.get('schema.api')).toMatchObject({ status: 'skipped', upstream: 'role.app_owner' });
  });

  it('a row the lost connection left undone is not run, with the reason, and no failure', () => {
    const events = successfulApply().slice(0, 2);
    const s = replay([
      ...events,
      { type: 'resource_not_run', at: T0 + 5, address: 'role.app_owner', action: 'create', reason: 'connection lost while it ran (its outcome is unknown)' },
      { type: 'resource_not_run', at: T0 + 5, address: 'database.saas', action: 'create', reason: 'connection lost' },
    ]);
    expect(s.rows.get('role.app_owner')).toMatchObject({ status: 'skipped', reason: 'connection lost while it ran (its outcome is unknown)' });
    expect(s.rows.get('database.saas')).toMatchObject({ status: 'skipped', reason: 'connection lost' });
    expect(s.failures).toEqual([]);
    expect(s.running).toEqual([]);
  });

  it('lists running rows in the order they started, and drops them when they finish', () => {
    const s = replay(successfulApply().slice(0, 8));
    expect(s.running).toEqual(['schema.api', 'extension.pgcrypto']);
    expect(replay(successfulApply().slice(0, 9)).running).toEqual(['extension.pgcrypto']);
  });

  it('tells what a waiting row waits on, and the live elapsed time of a running one', () => {
    const s = applyEvents(initialState(), successfulApply().slice(0, 8), T0 + 15_000);
    expect(waitingOn(s, s.rows.get('service_account.app')!)).toEqual(['schema.api']);
    expect(rowElapsed(s, s.rows.get('schema.api')!)).toBe(15_000 - 12_301);
    expect(rowElapsed(s, s.rows.get('database.saas')!)).toBe(12_179);
  });

  it('logs finished rows in finish order and each kind once when it is finished', () => {
    const s = replay(successfulApply());
    expect(s.log.filter((i) => i.type === 'row').map((i) => (i as { address: string }).address)).toEqual([
      'role.app_owner',
      'database.saas',
      'schema.api',
      'extension.pgcrypto',
      'service_account.app',
    ]);
    expect(s.log.filter((i) => i.type === 'group').map((i) => (i as { kind: string }).kind)).toEqual(['Role', 'Database', 'Schema', 'Extension', 'ServiceAccount']);
  });

  it('orders kinds by walk level', () => {
    expect(replay(successfulApply().slice(0, 1)).groups.map((g) => g.kind)).toEqual(['Role', 'Database', 'Schema', 'Extension', 'ServiceAccount']);
  });

  it('in a destroy, a delete waits on the deletes of what depends on it, and kinds are listed leaves first', () => {
    const s = replay(destroyAll().slice(0, 2));
    expect(waitingOn(s, s.rows.get('database.saas')!)).toEqual(['schema.api']);
    expect(waitingOn(s, s.rows.get('schema.api')!)).toEqual([]);
    expect(s.groups.map((g) => g.kind)).toEqual(['Schema', 'Database']);
  });

  it('accepts events for steps the plan did not announce', () => {
    const s = replay([{ type: 'resource_start', at: 1, address: 'role.late', action: 'create' }]);
    expect(s.rows.get('role.late')).toMatchObject({ kind: 'Role', status: 'running' });
    expect(s.counts).toMatchObject({ total: 1, running: 1 });
  });

  it('is pure: the state it was given is left as it was', () => {
    const before = replay(successfulApply().slice(0, 5));
    const snapshot = JSON.stringify({ ...before, rows: [...before.rows] });
    applyEvents(before, successfulApply().slice(5));
    expect(JSON.stringify({ ...before, rows: [...before.rows] })).toBe(snapshot);
  });

  it('gives the same state event by event as in one batch', () => {
    const events = largeApply(40);
    const one = replay(events);
    const batch = applyEvents(initialState(), events);
    expect(statusOf(batch)).toEqual(statusOf(one));
    expect(batch.counts).toEqual(one.counts);
    expect(batch.log).toEqual(one.log);
  });

  it('records the interruption and the summary', () => {
    const s = replay([...successfulApply().slice(0, 3), { type: 'interrupted', at: T0 + 200, reason: 'SIGINT' }]);
    expect(s.interrupted).toBe('SIGINT');
    expect(replay(successfulApply()).complete).toMatchObject({ added: 4, changed: 1 });
  });
});

describe('the layout of the live part', () => {
  it('lists running then waiting rows under their kind when they fit', () => {
    const s = replay(successfulApply().slice(0, 8));
    expect(
      liveLines(s, 20, false).map((l) => (l.type === 'row' ? `  ${l.row.address}` : l.type === 'group' ? l.kind : 'more')),
    ).toEqual(['Schema', '  schema.api', 'Extension', '  extension.pgcrypto', 'ServiceAccount', '  service_account.app']);
  });

  it.each([5, 10, 24, 40])('never takes more than %i lines, counting what it hides', (budget) => {
    const events = largeApply(1000);
    const s = applyEvents(initialState(), events.slice(0, 1500));
    for (const collapsed of [false, true]) {
      const lines = liveLines(s, budget, collapsed);
      expect(lines.length).toBeLessThanOrEqual(budget);
      const shown = lines.filter((l) => l.type === 'row').length;
      const hidden = lines.reduce((n, l) => n + (l.type === 'more' ? l.running + (collapsed ? 0 : l.waiting) : 0), 0);
      expect(shown + hidden).toBe(s.counts.running + (collapsed ? 0 : s.counts.waiting));
    }
  });

  it('collapses finished rows of long runs into one line per kind, keeping the failures', () => {
    const s = replay(largeApply(1000));
    expect(isCollapsed(s)).toBe(true);
    const items = staticItems(s, true);
    expect(items).toEqual([
      { type: 'group', kind: 'Database', at: expect.any(Number) },
      { type: 'row', address: 'service_account.tenant["t17"]' },
      { type: 'group', kind: 'Schema', at: expect.any(Number) },
      { type: 'group', kind: 'ServiceAccount', at: expect.any(Number) },
    ]);
    expect(staticItems(replay(successfulApply()), false)).toHaveLength(5);
  });
});
