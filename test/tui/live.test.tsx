import { describe, expect, it } from 'vitest';
import type { ApplyEvent } from '../../src/apply/events.js';
import { LiveApplyView } from '../../src/tui/live.js';
import { createApplyView } from '../../src/cli/commands/apply-view.js';
import { capture, failedApply, largeApply, successfulApply } from '../views/scenarios.js';

function terminal() {
  const out = capture(true) as ReturnType<typeof capture> & { rows: number };
  out.rows = 24;
  out.columns = 100;
  return out;
}

// Ink's output with its cursor movement and erasing removed: roughly what the screen keeps.
const stripAnsi = (s: string) => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replace(/\u001b\][^\u0007]*\u0007/g, '');

async function run(events: ApplyEvent[], batches: number) {
  const stdout = terminal();
  const stderr = terminal();
  const view = new LiveApplyView({ stdout, stderr, color: false, operation: 'apply', fps: 10 });
  const per = Math.ceil(events.length / batches);
  for (let i = 0; i < events.length; i += per) {
    for (const e of events.slice(i, i + per)) view.onEvent(e);
    await new Promise((r) => setTimeout(r, 120));
  }
  await view.close();
  return { view, text: stripAnsi(stdout.text()) };
}

describe('the live view driver', () => {
  it('is what a terminal outside CI gets', async () => {
    const stdout = terminal();
    const view = await createApplyView({ stdout, stderr: terminal(), isTTY: true, ci: false, color: false, json: false, operation: 'apply' });
    expect(view).toBeInstanceOf(LiveApplyView);
    await view.close();
  });

  it('draws a run and leaves the summary and the errors on screen', async () => {
    const { text, view } = await run(failedApply(), 3);
    expect(view.current.complete).toBeDefined();
    expect(text).toContain('✗ role.app_owner      create failed — permission_denied: permission denied to create role');
    expect(text).toContain('Apply failed! Resources: 0 added, 0 changed, 0 destroyed, 1 failed, 4 not run.');
    expect(text.trimEnd()).toMatch(/Error: role\.app_owner: creation failed \(permission_denied\)\n {2}permission denied to create role\n {2}HINT: only roles with the CREATEROLE attribute may create roles$/);
  });

  it('draws frames, not events: 4,000 events arriving at once cost one frame', async () => {
    const events = largeApply(1000);
    expect(events.length).toBeGreaterThan(4000);
    const stdout = terminal();
    const view = new LiveApplyView({ stdout, stderr: terminal(), color: false, operation: 'apply', fps: 10 });
    for (const e of events) view.onEvent(e);
    await view.close();
    expect(view.frames).toBe(1);
    const text = stripAnsi(stdout.text());
    expect(text).toContain('Apply failed! Resources: 2000 added, 0 changed, 0 destroyed, 1 failed.');
    expect(text.match(/✓ schema\.tenant/g)).toBeNull();
  });

  it('puts what others write to stderr meanwhile above the live part, and gives stderr back at the end', async () => {
    const stdout = terminal();
    const stderr = terminal();
    const write = stderr.write;
    const view = new LiveApplyView({ stdout, stderr, color: false, operation: 'apply', fps: 10 });
    for (const e of successfulApply().slice(0, 6)) view.onEvent(e);
    await new Promise((r) => setTimeout(r, 150));
    stderr.write('\nxp: interrupt received: finishing the operations in flight, starting nothing new…\n');
    for (const e of successfulApply().slice(6)) view.onEvent(e);
    await view.close();
    expect(stderr.write).toBe(write);
    expect(stderr.text()).toBe('\nxp: interrupt received: finishing the operations in flight, starting nothing new…\n');
    expect(stripAnsi(stdout.text())).toContain('Apply complete! Resources: 4 added, 1 changed, 0 destroyed.');
    stderr.write('after\n');
    expect(stderr.text().endsWith('after\n')).toBe(true);
  });

  it('never clears the screen, even when the final screen (many errors) is taller than the terminal', async () => {
    const stdout = terminal();
    stdout.rows = 10;
    const view = new LiveApplyView({ stdout, stderr: terminal(), color: false, operation: 'apply', fps: 10 });
    const events: ApplyEvent[] = [{ type: 'start', at: 0, operation: 'apply', steps: [] }];
    for (let i = 0; i < 12; i++) {
      events.push({ type: 'resource_start', at: i, address: `role.r${i}`, action: 'create' });
      events.push({ type: 'resource_failed', at: i, address: `role.r${i}`, action: 'create', statusCode: 'permission_denied', message: 'permission denied to create role\nHINT: grant CREATEROLE\nDETAIL: none', elapsedMs: 1 });
    }
    events.push({ type: 'complete', at: 20, operation: 'apply', added: 0, changed: 0, destroyed: 0, failed: 12, skipped: 0, elapsedMs: 20 });
    for (const e of events.slice(0, 10)) view.onEvent(e);
    await new Promise((r) => setTimeout(r, 150));
    for (const e of events.slice(10)) view.onEvent(e);
    await view.close();
    expect(stdout.text()).not.toContain('\u001b[2J');
    const text = stripAnsi(stdout.text());
    expect(text.match(/Error: role\.r\d+: creation failed/g)).toHaveLength(12);
    expect(text).toContain('Apply failed! Resources: 0 added, 0 changed, 0 destroyed, 12 failed.');
  });

  it('draws a successful run to the end', async () => {
    const { text } = await run(successfulApply(), 4);
    expect(text).toContain('✓ service_account.app created 0.2s');
    expect(text).toContain('Apply complete! Resources: 4 added, 1 changed, 0 destroyed.');
  });
});
