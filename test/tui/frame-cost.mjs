// Measures what one frame of the live view costs at 1,000 / 5,000 resources (built code):
//   npm run build && node test/tui/frame-cost.mjs
// Replays a large run through LiveApplyView-like batching (one reducer pass + one Ink render
// per 100 ms of events) into a fake 120x40 terminal and prints the time per frame.
import { PassThrough } from 'node:stream';
import React from 'react';
import { render } from 'ink';
import { ApplyScreen } from '../../dist/tui/components.js';
import { applyEvents, initialState } from '../../dist/tui/state.js';

function largeRun(n) {
  const events = [];
  let t = 0;
  const steps = [{ address: 'database.saas', action: 'create', kind: 'Database', dependsOn: [] }];
  for (let i = 0; i < n / 2; i++) {
    steps.push({ address: `schema.tenant["t${i}"]`, action: 'create', kind: 'Schema', dependsOn: ['database.saas'] });
    steps.push({ address: `service_account.tenant["t${i}"]`, action: 'create', kind: 'ServiceAccount', dependsOn: [`schema.tenant["t${i}"]`] });
  }
  events.push({ type: 'start', at: t, operation: 'apply', steps });
  for (const s of steps) {
    events.push({ type: 'resource_start', at: ++t, address: s.address, action: 'create' });
    events.push({ type: 'resource_done', at: ++t, address: s.address, action: 'create', statusCode: 'success', message: 'ok', elapsedMs: 1 });
  }
  events.push({ type: 'complete', at: ++t, operation: 'apply', added: steps.length, changed: 0, destroyed: 0, failed: 0, skipped: 0, elapsedMs: t });
  return events;
}

for (const n of [1000, 5000]) {
  for (const perFrame of [20, 200]) {
    const events = largeRun(n);
    const out = Object.assign(new PassThrough(), { isTTY: true, columns: 120, rows: 40 });
    out.resume();
    let state = initialState(0);
    const ink = render(React.createElement(ApplyScreen, { state, color: true, width: 120, height: 40 }), { stdout: out, patchConsole: false, exitOnCtrlC: false, maxFps: 1000 });
    const t0 = performance.now();
    let frames = 0;
    for (let i = 0; i < events.length; i += perFrame) {
      state = applyEvents(state, events.slice(i, i + perFrame));
      ink.rerender(React.createElement(ApplyScreen, { state, color: true, width: 120, height: 40 }));
      frames++;
    }
    const ms = performance.now() - t0;
    ink.unmount();
    console.log(`${n} resources, ${perFrame} events/frame: ${frames} frames, ${(ms / frames).toFixed(2)} ms/frame (${ms.toFixed(0)} ms total)`);
  }
}
