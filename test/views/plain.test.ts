import { describe, expect, it } from 'vitest';
import type { ApplyEvent } from '../../src/apply/events.js';
import { createApplyView, isCI, isInteractive } from '../../src/cli/commands/apply-view.js';
import { PlainApplyView } from '../../src/views/plain.js';
import { JsonLinesApplyView } from '../../src/views/json.js';
import { formatDuration, summaryLine } from '../../src/views/format.js';
import { capture, destroyAll, failedApply, largeApply, successfulApply } from './scenarios.js';

async function runPlain(events: ApplyEvent[], color = false) {
  const stdout = capture();
  const stderr = capture();
  const view = new PlainApplyView({ stdout, stderr, color });
  for (const e of events) view.onEvent(e);
  await view.close();
  return { stdout: stdout.text(), stderr: stderr.text() };
}

// Everything but SGR colour sequences (ESC [ … m): cursor movement, erase, OSC, …
const nonColourEscape = /\u001b(?!\[[0-9;]*m)/;

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [950, '0s'],
    [10_000, '10s'],
    [83_000, '1m23s'],
    [3_700_000, '1h1m40s'],
  ])('%i ms → %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe('summaryLine', () => {
  const complete = (o: Partial<Extract<ApplyEvent, { type: 'complete' }>>) =>
    ({ type: 'complete', at: 0, operation: 'apply', added: 0, changed: 0, destroyed: 0, failed: 0, skipped: 0, elapsedMs: 0, ...o }) as Extract<ApplyEvent, { type: 'complete' }>;
  it.each([
    ['apply', complete({ added: 2, changed: 1 }), false, 'Apply complete! Resources: 2 added, 1 changed, 0 destroyed.'],
    ['destroy', complete({ operation: 'destroy', destroyed: 3 }), false, 'Destroy complete! Resources: 3 destroyed.'],
    ['failure', complete({ added: 1, failed: 1, skipped: 2 }), false, 'Apply failed! Resources: 1 added, 0 changed, 0 destroyed, 1 failed, 2 not run.'],
    ['interrupt', complete({ added: 1, skipped: 2 }), true, 'Apply interrupted! Resources: 1 added, 0 changed, 0 destroyed, 2 not run.'],
  ])('%s', (_name, event, interrupted, line) => expect(summaryLine(event, interrupted)).toBe(line));
});

describe('the plain-lines view', () => {
  it('prints one line per state change and Terraform’s summary', async () => {
    const { stdout, stderr } = await runPlain(successfulApply());
    expect(stdout).toBe(
      [
        'role.app_owner: Creating…',
        'role.app_owner: Creation complete after 0s',
        'database.saas: Creating…',
        'database.saas: Still creating… (10s elapsed)',
        'database.saas: Creation complete after 12s',
        'schema.api: Creating…',
        'extension.pgcrypto: Modifying…',
        'schema.api: Creation complete after 0s (already_exists: schema "api" already exists; adopted)',
        'service_account.app: Creating…',
        'extension.pgcrypto: Modifications complete after 0s',
        'service_account.app: Creation complete after 0s',
        '',
        'Apply complete! Resources: 4 added, 1 changed, 0 destroyed.',
        '',
      ].join('\n'),
    );
    expect(stderr).toBe('');
  });

  it('names the provider’s status code and message on a failure, and repeats the errors on stderr at the end', async () => {
    const { stdout, stderr } = await runPlain(failedApply());
    expect(stdout).toContain(
      'role.app_owner: Creation failed after 0s — permission_denied: permission denied to create role HINT: only roles with the CREATEROLE attribute may create roles\n',
    );
    expect(stdout).toContain('database.saas: Not run — it depends on role.app_owner, which failed');
    expect(stdout.trimEnd().split('\n').at(-1)).toBe(
      'Apply failed! Resources: 0 added, 0 changed, 0 destroyed, 1 failed, 4 not run.',
    );
    expect(stderr).toBe(
      '\nError: role.app_owner: creation failed (permission_denied)\n  permission denied to create role\n  HINT: only roles with the CREATEROLE attribute may create roles\n',
    );
  });

  it('marks what a lost connection left undone “Not run — connection lost”, with no error block per resource', async () => {
    const { stdout, stderr } = await runPlain([
      { type: 'start', at: 0, operation: 'apply', steps: [] },
      { type: 'resource_start', at: 1, address: 'role.a', action: 'create' },
      { type: 'resource_not_run', at: 2, address: 'role.a', action: 'create', reason: 'connection lost while it ran (its outcome is unknown)' },
      { type: 'resource_not_run', at: 2, address: 'role.b', action: 'create', reason: 'connection lost' },
      { type: 'interrupted', at: 2, reason: 'connection to the server lost: 2 not run' },
      { type: 'complete', at: 3, operation: 'apply', added: 0, changed: 0, destroyed: 0, failed: 0, skipped: 2, elapsedMs: 3 },
    ]);
    expect(stdout.trimEnd().split('\n')).toEqual([
      'role.a: Creating…',
      'role.a: Not run — connection lost while it ran (its outcome is unknown)',
      'role.b: Not run — connection lost',
      'Interrupted: connection to the server lost: 2 not run',
      '',
      'Apply interrupted! Resources: 0 added, 0 changed, 0 destroyed, 2 not run.',
    ]);
    expect(stderr).toBe('');
  });

  it('ends a destroy with “Destroy complete!”', async () => {
    const { stdout } = await runPlain(destroyAll());
    expect(stdout).toContain('schema.api: Destroying…\nschema.api: Destruction complete after 0s\n');
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('Destroy complete! Resources: 2 destroyed.');
  });

  it('still reports what failed when the walk ends without a summary', async () => {
    const { stderr } = await runPlain(failedApply().slice(0, 3));
    expect(stderr).toContain('Error: role.app_owner: creation failed (permission_denied)');
  });

  it('writes no escape sequence but colours, and none at all without colour', async () => {
    const events = [...failedApply(), ...largeApply(30)];
    const coloured = await runPlain(events, true);
    expect(coloured.stdout).toMatch(/\u001b\[[0-9;]*m/);
    expect(coloured.stdout + coloured.stderr).not.toMatch(nonColourEscape);
    const plain = await runPlain(events, false);
    expect(plain.stdout + plain.stderr).not.toContain('\u001b');
  });
});

describe('the JSON-lines view', () => {
  it('prints each event as one JSON object per line, unchanged', async () => {
    const stdout = capture();
    const view = new JsonLinesApplyView(stdout);
    const events = failedApply();
    for (const e of events) view.onEvent(e);
    await view.close();
    const lines = stdout.text().trimEnd().split('\n');
    expect(lines).toHaveLength(events.length);
    expect(lines.map((l) => JSON.parse(l))).toEqual(events);
  });
});

describe('createApplyView', () => {
  const base = { stdout: capture(), stderr: capture(), color: false, operation: 'apply' as const };
  it.each([
    [{ isTTY: false, ci: false, json: true }, JsonLinesApplyView],
    [{ isTTY: true, ci: false, json: true }, JsonLinesApplyView],
    [{ isTTY: false, ci: false, json: false }, PlainApplyView],
    [{ isTTY: true, ci: true, json: false }, PlainApplyView],
  ])('%o → %o', async (o, cls) => expect(await createApplyView({ ...base, ...o })).toBeInstanceOf(cls));

  it.each([
    [{ isTTY: true, ci: false }, true],
    [{ isTTY: true, ci: true }, false],
    [{ isTTY: false, ci: false }, false],
  ])('interactive %o → %s', (o, expected) => expect(isInteractive(o)).toBe(expected));

  it.each([
    [{}, false],
    [{ CI: 'true' }, true],
    [{ CI: '0' }, false],
    [{ CI: 'false' }, false],
    [{ CONTINUOUS_INTEGRATION: '1' }, true],
  ])('CI from %o → %s', (env, expected) => expect(isCI(env)).toBe(expected));
});
