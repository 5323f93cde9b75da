import { afterEach, describe, expect, it } from 'vitest';
import React from 'react';
import { cleanup, render } from 'ink-testing-library';
import type { ApplyEvent } from '../../src/apply/events.js';
import { ApplyScreen, ErrorList, GroupLine, ProgressBar, RowLine, spinnerFrame } from '../../src/tui/components.js';
import { applyEvents, emptyCounts, initialState, type ApplyState, type ResourceRow } from '../../src/tui/state.js';
import { destroyAll, failedApply, largeApply, successfulApply, T0 } from '../views/scenarios.js';

afterEach(() => cleanup());

const size = { width: 100, height: 24 };

/** Replays `events` in frames of `perFrame` events, like the live view does, and returns every frame drawn. */
function play(events: ApplyEvent[], perFrame: number, height = size.height) {
  let state = initialState(T0);
  const ui = render(<ApplyScreen state={state} color={false} width={size.width} height={height} />);
  const frames: { state: ApplyState; text: string }[] = [];
  for (let i = 0; i < events.length; i += perFrame) {
    state = applyEvents(state, events.slice(i, i + perFrame));
    ui.rerender(<ApplyScreen state={state} color={false} width={size.width} height={height} />);
    frames.push({ state, text: ui.lastFrame() ?? '' });
  }
  return { frames, last: frames.at(-1)!.text, ui };
}

const row = (over: Partial<ResourceRow>): ResourceRow => ({
  address: 'schema.api',
  kind: 'Schema',
  action: 'create',
  dependsOn: [],
  level: 0,
  status: 'waiting',
  ...over,
});

describe('RowLine', () => {
  it.each([
    ['waiting on nothing (parallelism)', row({}), undefined, undefined, '· schema.api   waiting'],
    ['waiting on one', row({}), ['database.saas'], undefined, '· schema.api   waiting on database.saas'],
    ['waiting on three', row({}), ['database.saas', 'role.a', 'role.b'], undefined, '· schema.api   waiting on database.saas and 2 more'],
    ['running', row({ status: 'running', startedAt: 0 }), undefined, 3_400, '⠋ schema.api   creating… 3.4s'],
    ['updating', row({ status: 'running', action: 'update' }), undefined, 12_000, '⠋ schema.api   modifying… 12s'],
    ['created', row({ status: 'done', statusCode: 'success', elapsedMs: 120 }), undefined, 120, '✓ schema.api   created 0.1s'],
    ['adopted', row({ status: 'done', statusCode: 'already_exists', elapsedMs: 120 }), undefined, 120, '✓ schema.api   created (already_exists) 0.1s'],
    ['destroyed', row({ status: 'done', action: 'delete', statusCode: 'success' }), undefined, 900, '✓ schema.api   destroyed 0.9s'],
    ['failed', row({ status: 'failed', statusCode: 'permission_denied', message: 'permission denied for database saas' }), undefined, 35, '✗ schema.api   create failed — permission_denied: permission denied for database saas'],
    ['skipped', row({ status: 'skipped', upstream: 'database.saas' }), undefined, undefined, '- schema.api   not run: database.saas failed'],
    ['not run: connection lost', row({ status: 'skipped', reason: 'connection lost' }), undefined, undefined, '- schema.api   not run: connection lost'],
  ])('%s', (_name, r, waitingFor, elapsedMs, expected) => {
    const { lastFrame } = render(<RowLine row={r} addressWidth={12} waitingFor={waitingFor} elapsedMs={elapsedMs} spinner={spinnerFrame(0)} color={false} />);
    expect(lastFrame()).toBe(expected);
  });

  it('truncates a long reason to one line instead of wrapping', () => {
    const r = row({ status: 'failed', statusCode: 'error', message: 'x'.repeat(500) });
    const { lastFrame } = render(<RowLine row={r} addressWidth={12} spinner="" color={false} />);
    expect(lastFrame()!.split('\n')).toHaveLength(1);
  });
});

describe('GroupLine and ProgressBar', () => {
  const counts = { ...emptyCounts(), total: 1000, done: 400, failed: 1, running: 8, waiting: 591 };
  it('heads a kind with its counts', () => {
    const { lastFrame } = render(<GroupLine group={{ kind: 'ServiceAccount', counts }} color={false} />);
    expect(lastFrame()).toBe('ServiceAccount 401/1000 · 8 running · 591 waiting · 1 failed');
  });

  it('draws the share finished, the counts and the elapsed time', () => {
    const { lastFrame } = render(<ProgressBar counts={counts} elapsedMs={83_000} width={100} color={false} />);
    expect(lastFrame()).toBe(`[${'█'.repeat(12)}${'░'.repeat(18)}] 401/1000 · 8 running · 591 waiting · 1 failed · 1m23s`);
  });

  it('lists each failure with the provider’s whole message', () => {
    const r = row({ status: 'failed', statusCode: 'permission_denied', message: 'permission denied to create role\nHINT: grant CREATEROLE' });
    const { lastFrame } = render(<ErrorList rows={[r]} color={false} />);
    expect(lastFrame()).toContain('Error: schema.api: creation failed (permission_denied)\n  permission denied to create role\n  HINT: grant CREATEROLE');
  });
});

describe('ApplyScreen', () => {
  it('shows a successful apply: finished rows once, running ones with spinners, then the summary', () => {
    const { frames, last } = play(successfulApply(), 1);
    const mid = frames[7]!.text; // schema.api and extension.pgcrypto running, service_account waiting
    expect(mid).toContain('✓ role.app_owner      created 0.1s');
    expect(mid).toMatch(/Schema 0\/1 · 1 running\n {2}\S schema\.api {10}creating… 0\.0s/);
    expect(mid).toContain('  · service_account.app waiting on schema.api');
    expect(mid).toContain('] 2/5 · 2 running · 1 waiting · 12s');
    expect(last).toContain('✓ schema.api          created (already_exists) 0.1s');
    expect(last).toContain('✓ extension.pgcrypto  updated 0.1s');
    expect(last.match(/role\.app_owner/g)).toHaveLength(1);
    expect(last.trimEnd().split('\n').at(-1)).toBe('Apply complete! Resources: 4 added, 1 changed, 0 destroyed.');
    expect(last).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
  });

  it('shows a failure with the provider’s reason, what was not run, and keeps the error at the end', () => {
    const { last } = play(failedApply(), 2);
    expect(last).toContain('✗ role.app_owner      create failed — permission_denied: permission denied to create role');
    expect(last).toContain('- database.saas       not run: role.app_owner failed');
    expect(last).toContain('Apply failed! Resources: 0 added, 0 changed, 0 destroyed, 1 failed, 4 not run.');
    expect(last.trimEnd().endsWith('Error: role.app_owner: creation failed (permission_denied)\n  permission denied to create role\n  HINT: only roles with the CREATEROLE attribute may create roles')).toBe(true);
  });

  it('ends a destroy with “Destroy complete!”', () => {
    const { last } = play(destroyAll(), 1);
    expect(last).toContain('✓ database.saas destroyed 0.9s');
    expect(last.trimEnd().split('\n').at(-1)).toBe('Destroy complete! Resources: 2 destroyed.');
  });

  it('keeps a 1,000-resource run within the terminal: collapsed kinds, bounded live rows, the failure kept', () => {
    const events = largeApply(1000);
    const height = 24;
    const { frames, last } = play(events, 50, height);
    for (const f of frames) {
      // Everything after the last <Static> line is the live part; it must fit the terminal.
      const lines = f.text.split('\n');
      const liveStart = lines.findIndex((l) => /^(⠋|⠙|⠹|⠸|⠼|⠴|⠦|⠧|⠇|⠏|\[)/.test(l));
      if (f.state.complete) continue;
      expect(lines.length - liveStart).toBeLessThanOrEqual(height);
    }
    const mid = frames[20]!.text;
    expect(mid).toMatch(/ServiceAccount \d+\/1000 · \d+ running · \d+ waiting · 1 failed/);
    expect(mid).toContain('… ');
    // Finished rows are collapsed: no per-resource line for the 1,999 that succeeded.
    expect(last.match(/✓ schema\.tenant/g)).toBeNull();
    expect(last).toMatch(/^✓ Schema 1000 done \(\d+s\)$/m);
    expect(last).toMatch(/^✗ ServiceAccount 999 done, 1 failed \(\d+s\)$/m);
    expect(last).toContain('✗ service_account.tenant["t17"]  create failed — invalid_spec: valid_until "soon" is not a timestamp');
    expect(last).toContain('Apply failed! Resources: 2000 added, 0 changed, 0 destroyed, 1 failed.');
    expect(last.split('\n').length).toBeLessThan(30);
  });

  it('uses no colour when colour is off', () => {
    const { last } = play(failedApply(), 3);
    expect(last).not.toContain('\u001b');
  });
});

describe('ApplyScreen after an interrupt', () => {
  it('says so, and marks what never started', () => {
    const events: ApplyEvent[] = [
      ...successfulApply().slice(0, 3),
      { type: 'interrupted', at: T0 + 130, reason: 'interrupted: 4 not started' },
      { type: 'complete', at: T0 + 131, operation: 'apply', added: 1, changed: 0, destroyed: 0, failed: 0, skipped: 0, elapsedMs: 131 },
    ];
    const { last } = play(events, 1);
    expect(last).toContain('  · database.saas       not started');
    expect(last).toContain('Interrupted: 4 not started');
    expect(last).toContain('Apply interrupted! Resources: 1 added, 0 changed, 0 destroyed.');
  });
});
