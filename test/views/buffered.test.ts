import { describe, expect, it } from 'vitest';
import type { ApplyEvent } from '../../src/apply/events.js';
import { LineBuffer } from '../../src/views/buffered.js';
import { PlainApplyView } from '../../src/views/plain.js';
import { JsonLinesApplyView } from '../../src/views/json.js';
import { capture } from './scenarios.js';

/** A stream that records each write call separately. */
function writes() {
  const calls: string[] = [];
  const stream = capture();
  const write = stream.write.bind(stream);
  stream.write = ((chunk: string, ...rest: never[]) => {
    calls.push(String(chunk));
    return write(chunk, ...rest);
  }) as typeof stream.write;
  return { stream, calls };
}

function manySteps(n: number): ApplyEvent[] {
  const events: ApplyEvent[] = [{ type: 'start', at: 0, operation: 'apply', steps: [] }];
  for (let i = 0; i < n; i++) {
    events.push({ type: 'resource_start', at: i, address: `role.r${i}`, action: 'create' });
    events.push({ type: 'resource_done', at: i, address: `role.r${i}`, action: 'create', statusCode: 'success', message: '', elapsedMs: 0 });
  }
  events.push({ type: 'complete', at: n, operation: 'apply', added: n, changed: 0, destroyed: 0, failed: 0, skipped: 0, elapsedMs: 0 });
  return events;
}

describe('buffered progress output', () => {
  it('plain lines: every line, in order, in far fewer writes than lines', async () => {
    const { stream, calls } = writes();
    const view = new PlainApplyView({ stdout: stream, stderr: capture(), color: false });
    const n = 3000;
    for (const e of manySteps(n)) view.onEvent(e);
    await view.close();
    const lines = stream.text().split('\n');
    for (let i = 0; i < n; i++) {
      expect(lines[2 * i]).toBe(`role.r${i}: Creating…`);
      expect(lines[2 * i + 1]).toBe(`role.r${i}: Creation complete after 0s`);
    }
    expect(lines.slice(2 * n)).toEqual(['', `Apply complete! Resources: ${n} added, 0 changed, 0 destroyed.`, '']);
    expect(calls.filter((c) => c !== '').length).toBeLessThan(n / 10);
  });

  it('JSON lines: one object per event, in order, complete at close', async () => {
    const { stream, calls } = writes();
    const view = new JsonLinesApplyView(stream);
    const events = manySteps(2000);
    for (const e of events) view.onEvent(e);
    await view.close();
    expect(stream.text().trimEnd().split('\n').map((l) => JSON.parse(l))).toEqual(events);
    expect(calls.filter((c) => c !== '').length).toBeLessThan(events.length / 10);
  });

  it('writes waiting lines after a short delay, without close', async () => {
    const { stream } = writes();
    const buffer = new LineBuffer(stream, { delayMs: 5 });
    buffer.write('a\n');
    buffer.write('b\n');
    expect(stream.text()).toBe('');
    await new Promise((r) => setTimeout(r, 30));
    expect(stream.text()).toBe('a\nb\n');
    buffer.close();
  });

  it('writes what is waiting when the process exits (a second Ctrl-C), and stops listening at close', () => {
    const { stream } = writes();
    const before = process.listenerCount('exit');
    const buffer = new LineBuffer(stream);
    buffer.write('last line\n');
    expect(process.listenerCount('exit')).toBe(before + 1);
    process.emit('exit', 0);
    expect(stream.text()).toBe('last line\n');
    buffer.close();
    expect(process.listenerCount('exit')).toBe(before);
  });
});
