import { describe, expect, it } from 'vitest';
import type { ApplyEvent } from '../../src/apply/events.js';
import { walk, walkSteps, type StepOutcome, type WalkStep } from '../../src/apply/walk.js';

function recorder() {
  const events: ApplyEvent[] = [];
  return { events, view: { onEvent: (e: ApplyEvent) => events.push(e), close: async () => {} } };
}

/** An executor that runs each step of a batch on its own (the walker's contract without batching). */
const oneByOne =
  (execute: (s: WalkStep) => Promise<StepOutcome>) =>
  (steps: WalkStep[]): Array<Promise<StepOutcome>> =>
    steps.map(execute);

const step = (address: string, dependsOn: string[] = [], action: WalkStep['action'] = 'create') => ({ address, action, kind: 'Role', dependsOn });

describe('walk', () => {
  it('runs a step only after everything it depends on, and at most `parallelism` at once', async () => {
    const order: string[] = [];
    let running = 0;
    let peak = 0;
    const { view } = recorder();
    const steps = walkSteps([step('a'), step('b'), step('c'), step('d', ['a', 'b']), step('e', ['d'])]);
    await walk({
      operation: 'apply',
      steps,
      parallelism: 2,
      view,
      executeBatch: oneByOne(async (s) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 5));
        order.push(s.address);
        running--;
        return { ok: true, statusCode: 'success', message: '' };
      }),
    });
    expect(peak).toBe(2);
    expect(order.indexOf('d')).toBeGreaterThan(order.indexOf('a'));
    expect(order.indexOf('d')).toBeGreaterThan(order.indexOf('b'));
    expect(order.at(-1)).toBe('e');
  });

  it('hands ready steps over in batches of at most batchSize, parallelism × batchSize in flight, each step done on its own', async () => {
    const batches: string[][] = [];
    const pending = new Map<string, (o: StepOutcome) => void>();
    const ok: StepOutcome = { ok: true, statusCode: 'success', message: '' };
    const turn = () => new Promise((r) => setImmediate(r));
    const steps = walkSteps([...'abcdefg'].map((a) => step(a)).concat(step('h', ['a'])));
    const done = walk({
      operation: 'apply',
      steps,
      parallelism: 2,
      batchSize: 3,
      view: recorder().view,
      executeBatch(batch) {
        batches.push(batch.map((s) => s.address));
        return batch.map((s) => new Promise<StepOutcome>((resolve) => pending.set(s.address, resolve)));
      },
    });
    await turn();
    expect(batches).toEqual([['a', 'b', 'c'], ['d', 'e', 'f']]);
    // One step of a batch done: its place goes to the next ready step, its dependent is ready.
    pending.get('a')!(ok);
    await turn();
    expect(batches.slice(2)).toEqual([['g']]);
    for (const a of 'bcdefg') pending.get(a)!(ok);
    await turn();
    expect(batches.slice(3)).toEqual([['h']]);
    pending.get('h')!(ok);
    expect(await done).toMatchObject({ added: 8, failed: 0 });
  });

  it('fails the steps of a batch whose executor throws, and nothing else', async () => {
    const { events, view } = recorder();
    const result = await walk({
      operation: 'apply',
      steps: walkSteps([step('a'), step('b'), step('c', ['a'])]),
      parallelism: 1,
      batchSize: 2,
      view,
      executeBatch(batch) {
        if (batch.some((s) => s.address === 'a')) throw new Error('no connection');
        return batch.map(async () => ({ ok: true, statusCode: 'success', message: '' }));
      },
    });
    expect(result).toMatchObject({ added: 0, failed: 2, skipped: 1 });
    expect(events.filter((e) => e.type === 'resource_failed').map((e) => [e.address, (e as { message: string }).message])).toEqual([
      ['a', 'no connection'],
      ['b', 'no connection'],
    ]);
  });

  it('runs a step that was not ready again after another step succeeds, and fails it only once nothing can help', async () => {
    // `role` grants on `schema`, which is created in the same apply with no declared
    // dependency (a name written as a string): the provider answers dependency_not_ready
    const { events, view } = recorder();
    const ran: string[] = [];
    const created = new Set<string>();
    const notReady: StepOutcome = { ok: false, statusCode: 'dependency_not_ready', message: 'its grants wait for schema "s"' };
    const steps = walkSteps([step('role'), step('schema', [], 'create'), step('account', ['role']), step('lonely'), step('after-lonely', ['lonely'])]);
    const result = await walk({
      operation: 'apply',
      steps,
      parallelism: 1,
      view,
      executeBatch: oneByOne(async (s): Promise<StepOutcome> => {
        ran.push(s.address);
        if (s.address === 'role' && !created.has('schema')) return notReady;
        if (s.address === 'lonely') return { ...notReady, message: 'its grants wait for schema "nowhere"' };
        created.add(s.address);
        return { ok: true, statusCode: 'success', message: '' };
      }),
    });
    // role ran first, was not ready, ran again once schema existed; account waited for it
    expect(ran.filter((a) => a === 'role')).toHaveLength(2);
    expect(ran.indexOf('account')).toBeGreaterThan(ran.lastIndexOf('role'));
    // lonely is retried after each success, then fails once with the provider's reason
    const failures = events.filter((e) => e.type === 'resource_failed') as Array<{ address: string; statusCode: string; message: string }>;
    expect(failures.map((e) => [e.address, e.statusCode, e.message])).toEqual([['lonely', 'dependency_not_ready', 'its grants wait for schema "nowhere"']]);
    expect(result).toMatchObject({ added: 3, failed: 1, skipped: 1 });
    expect(events.filter((e) => e.type === 'resource_skipped').map((e) => (e as { address: string }).address)).toEqual(['after-lonely']);
  });

  it('lets the dependents of a step run while only a part of it waits (its object exists), then runs it again', async () => {
    // the cycle of a real server (xp import): database `db` is owned by `owner`, a member of
    // `group`, whose grants are in `db` (written as a name). `group` is created, its grants wait.
    const { events, view } = recorder();
    const ran: string[] = [];
    const created = new Set<string>();
    const steps = walkSteps([step('group'), step('owner', ['group']), step('db', ['owner'])]);
    const result = await walk({
      operation: 'apply',
      steps,
      parallelism: 1,
      view,
      executeBatch: oneByOne(async (s): Promise<StepOutcome> => {
        ran.push(s.address);
        if (s.address === 'group' && !created.has('db'))
          return { ok: false, statusCode: 'dependency_not_ready', message: 'role "group" created; its grants wait for database "db"', exists: true };
        created.add(s.address);
        return { ok: true, statusCode: 'success', message: '' };
      }),
    });
    expect(ran).toEqual(['group', 'owner', 'group', 'db', 'group']);
    expect(events.filter((e) => e.type === 'resource_failed')).toEqual([]);
    expect(result).toMatchObject({ added: 3, failed: 0, skipped: 0 });
  });

  it('stops at the first lost connection: no failure per step, the rest "not run: connection lost"', async () => {
    const { events, view } = recorder();
    const ran: string[] = [];
    const steps = walkSteps([step('a'), step('b', ['a']), step('c', ['b']), ...Array.from({ length: 5 }, (_, i) => step(`x${i}`, ['a']))]);
    const result = await walk({
      operation: 'apply',
      steps,
      parallelism: 1,
      view,
      executeBatch: oneByOne(async (s): Promise<StepOutcome> => {
        ran.push(s.address);
        return s.address === 'a'
          ? { ok: true, statusCode: 'success', message: '' }
          : { ok: false, statusCode: 'connection_lost', message: 'terminating connection due to administrator command', connectionLost: true };
      }),
    });
    // One step lost the connection; nothing was started after it.
    expect(ran).toEqual(['a', 'b']);
    expect(result).toMatchObject({ added: 1, failed: 0, skipped: 7, connectionLost: { message: 'terminating connection due to administrator command', notRun: 7 } });
    expect(events.filter((e) => e.type === 'resource_failed')).toEqual([]);
    const notRun = events.filter((e) => e.type === 'resource_not_run') as Array<{ address: string; reason: string }>;
    expect(notRun.map((e) => [e.address, e.reason])).toEqual([
      ['b', 'connection lost while it ran (its outcome is unknown)'],
      ['c', 'connection lost'],
      ...Array.from({ length: 5 }, (_, i) => [`x${i}`, 'connection lost']),
    ]);
    expect(events.filter((e) => e.type === 'interrupted')).toEqual([expect.objectContaining({ reason: 'connection to the server lost: 7 not run' })]);
    expect(events.at(-1)).toMatchObject({ type: 'complete', added: 1, failed: 0, skipped: 7 });
  });

  it('skips the dependents of a failure as "upstream failed" once, and finishes independent work', async () => {
    const { events, view } = recorder();
    const result = await walk({
      operation: 'apply',
      steps: walkSteps([step('bad'), step('child', ['bad']), step('grandchild', ['child']), step('other')]),
      parallelism: 4,
      view,
      executeBatch: oneByOne(async (s): Promise<StepOutcome> => {
        return s.address === 'bad' ? { ok: false, statusCode: 'permission_denied', message: 'nope' } : { ok: true, statusCode: 'success', message: '' };
      }),
    });
    expect(result).toMatchObject({ added: 1, failed: 1, skipped: 2 });
    expect(events.filter((e) => e.type === 'resource_failed')).toEqual([
      expect.objectContaining({ address: 'bad', statusCode: 'permission_denied', message: 'nope' }),
    ]);
    expect(events.filter((e) => e.type === 'resource_skipped').map((e) => [e.address, (e as { upstream: string }).upstream])).toEqual([
      ['child', 'bad'],
      ['grandchild', 'bad'],
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'complete', added: 1, failed: 1, skipped: 2 });
  });

  it('deletes run after the other changes, dependents first', async () => {
    const order: string[] = [];
    const { view } = recorder();
    await walk({
      operation: 'apply',
      steps: walkSteps([step('db', [], 'delete'), step('schema', ['db'], 'delete'), step('new', [], 'create'), step('same', [], 'no-op')]),
      parallelism: 4,
      view,
      executeBatch: oneByOne(async (s) => {
        order.push(s.address);
        return { ok: true, statusCode: 'success', message: '' };
      }),
    });
    expect(order).toEqual(['new', 'schema', 'db']);
  });

  it('starts nothing new once a stop is requested, and says what did not run', async () => {
    let stop = false;
    const { events, view } = recorder();
    const result = await walk({
      operation: 'apply',
      steps: walkSteps([step('a'), step('b', ['a']), step('c', ['b'])]),
      parallelism: 1,
      view,
      stopRequested: () => stop,
      executeBatch: oneByOne(async () => {
        stop = true;
        return { ok: true, statusCode: 'success', message: '' };
      }),
    });
    expect(result.interrupted).toBe(true);
    expect(result.notStarted.sort()).toEqual(['b', 'c']);
    expect(events.map((e) => e.type)).toEqual(['start', 'resource_start', 'resource_done', 'interrupted', 'complete']);
  });

  it('reports progress of long steps', async () => {
    const { events, view } = recorder();
    await walk({
      operation: 'apply',
      steps: walkSteps([step('slow')]),
      parallelism: 1,
      view,
      progressEveryMs: 10,
      executeBatch: oneByOne(async () => {
        await new Promise((r) => setTimeout(r, 60));
        return { ok: true, statusCode: 'success', message: '' };
      }),
    });
    expect(events.some((e) => e.type === 'resource_progress' && e.address === 'slow')).toBe(true);
  });

  it('reports a chain of skips in sweeps over the plan order, and starts ready steps in plan order', async () => {
    const { events, view } = recorder();
    const started: string[] = [];
    // Listed before what they depend on: `c` is reached before `b` is known to be skipped.
    const steps = walkSteps([step('c', ['b']), step('d', ['b']), step('b', ['a']), step('a'), step('z'), step('y')]);
    const result = await walk({
      operation: 'apply',
      steps,
      parallelism: 1,
      view,
      executeBatch: oneByOne(async (s): Promise<StepOutcome> => {
        started.push(s.address);
        return s.address === 'a' ? { ok: false, statusCode: 'error', message: 'boom' } : { ok: true, statusCode: 'success', message: '' };
      }),
    });
    expect(started).toEqual(['a', 'z', 'y']);
    expect(events.filter((e) => e.type === 'resource_skipped').map((e) => [e.address, (e as { upstream: string }).upstream])).toEqual([
      ['b', 'a'],
      ['c', 'a'],
      ['d', 'a'],
    ]);
    expect(result).toMatchObject({ added: 2, failed: 1, skipped: 3 });
  });

  it('walks a plan of thousands of steps, deletes last and in reverse order', async () => {
    const n = 2000;
    const resources = [];
    for (let i = 0; i < n; i++) resources.push(step(`role.r${i}`, i > 1 ? [`role.r${i - 2}`] : [], i % 2 === 0 ? 'create' : 'delete'));
    const order: string[] = [];
    const result = await walk({
      operation: 'apply',
      steps: walkSteps(resources),
      parallelism: 4,
      view: recorder().view,
      executeBatch: oneByOne(async (s) => {
        order.push(s.address);
        return { ok: true, statusCode: 'success', message: '' };
      }),
    });
    expect(result).toMatchObject({ added: n / 2, destroyed: n / 2, failed: 0, skipped: 0 });
    const firstDelete = order.findIndex((a) => Number(a.slice(6)) % 2 === 1);
    expect(order.slice(0, firstDelete).length).toBe(n / 2);
    const deletes = order.slice(firstDelete).map((a) => Number(a.slice(6)));
    expect(deletes).toEqual([...deletes].sort((x, y) => y - x));
  });
});
