// The one walker for apply and destroy (Terraform's dag walk, in small): a step runs when
// every step it waits for has finished; at most parallelism × batchSize run at once; a step
// whose upstream failed is skipped and reported as "upstream failed" (never as a second error);
// independent work carries on after a failure; an interrupt lets the steps in flight finish
// and starts nothing new. A lost connection is no step's failure: the walk stops there, and
// every step not done is "not run: connection lost" (one error, not one per step). A step the
// provider reports as waiting on something not there yet (dependency_not_ready: a role's
// grants on a schema this apply creates, through a name written as a string) runs again
// after another step succeeds, and fails with that reason only once nothing else can help;
// when its object exists (only a part waits), its dependents run meanwhile.
// The steps that are ready together go to the executor in batches (executeBatch): a batch's
// steps wait for none of each other, so that the executor may run them in one call.
import type { ApplyEvent, ApplyView, PlannedStep, ResourceAction } from './events.js';

export interface WalkStep extends PlannedStep {
  /** Steps this one must wait for (already oriented: a delete waits for its dependents' deletes). */
  waitsFor: string[];
  /** A replace that drops nothing (a password rotation) counts as a change. */
  destructive?: boolean;
}

export interface StepOutcome {
  ok: boolean;
  /** xplane.status_code of the action. */
  statusCode: string;
  message: string;
  /** The connection to the server was lost: the outcome is unknown, and nothing more can run. */
  connectionLost?: boolean;
  /**
   * dependency_not_ready, and the object itself exists (a role created, its grants waiting for
   * a database this apply creates): what depends on it may run while it waits.
   */
  exists?: boolean;
}

export interface WalkOptions {
  operation: 'apply' | 'destroy';
  steps: WalkStep[];
  /** How many batches run at once: at most parallelism × batchSize steps are in flight. */
  parallelism: number;
  /** At most this many steps in one batch (default 1: every step alone). */
  batchSize?: number;
  /**
   * Runs a batch: steps that are ready at the same time, none waiting for another, in plan
   * order. One outcome per step, in the same order, each settling as soon as that step is
   * done (the executor may run the batch as one call, or some of its steps one by one).
   */
  executeBatch(steps: WalkStep[]): Array<Promise<StepOutcome>>;
  view: ApplyView;
  /** True once the user asked to stop (Ctrl-C): nothing new starts. */
  stopRequested?: () => boolean;
  /** How often a running step reports progress (default 10 s). */
  progressEveryMs?: number;
  now?: () => number;
}

export interface WalkResult {
  /** Imported (`import` blocks): absent when none. */
  imported?: number;
  added: number;
  changed: number;
  destroyed: number;
  failed: number;
  skipped: number;
  interrupted: boolean;
  /** Steps that never ran because of the interrupt or the lost connection. */
  notStarted: string[];
  /** The connection to the server was lost: the first such error, and how many steps did not run (or finish). */
  connectionLost?: { message: string; notRun: number };
}

/**
 * Orient the plan's dependencies for the walk: creates/updates/replaces wait for what they
 * depend on; deletes run after every other change (an update may move an object off a role
 * being dropped) and in reverse order: a delete waits for the deletes of what depends on it.
 */
export function walkSteps(
  resources: ReadonlyArray<{ address: string; action: ResourceAction; kind: string; dependsOn: string[]; destructive?: boolean }>,
): WalkStep[] {
  const active = resources.filter((r) => r.action !== 'no-op');
  const present = new Set(active.map((r) => r.address));
  const deletes = active.filter((r) => r.action === 'delete');
  const deleted = new Set(deletes.map((r) => r.address));
  const others = active.filter((r) => r.action !== 'delete');
  const otherAddresses = others.map((o) => o.address);
  const steps: WalkStep[] = others.map((r) => ({
    address: r.address,
    action: r.action,
    kind: r.kind,
    dependsOn: r.dependsOn,
    waitsFor: r.dependsOn.filter((d) => present.has(d) && !deleted.has(d)),
    ...(r.destructive !== undefined ? { destructive: r.destructive } : {}),
  }));
  // The deletes that depend on each delete, in plan order (once each, as a filter would).
  const dependentDeletes = new Map<string, string[]>();
  for (const x of deletes) {
    for (const d of new Set(x.dependsOn)) {
      if (!deleted.has(d)) continue;
      const list = dependentDeletes.get(d);
      if (list) list.push(x.address);
      else dependentDeletes.set(d, [x.address]);
    }
  }
  for (const r of deletes) {
    steps.push({
      address: r.address,
      action: r.action,
      kind: r.kind,
      dependsOn: r.dependsOn,
      waitsFor: [...(dependentDeletes.get(r.address) ?? []), ...otherAddresses],
    });
  }
  return steps;
}

/** A min-heap of numbers: the walker takes ready and skippable steps in plan order. */
class MinHeap {
  private readonly items: number[] = [];
  get size(): number {
    return this.items.length;
  }
  push(n: number): void {
    const h = this.items;
    h.push(n);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]! <= n) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = n;
  }
  pop(): number | undefined {
    const h = this.items;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const c = r < h.length && h[r]! < h[l]! ? r : l;
        if (h[c]! >= last) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}

export async function walk(opts: WalkOptions): Promise<WalkResult> {
  const now = opts.now ?? Date.now;
  const started = now();
  const emit = (e: ApplyEvent) => opts.view.onEvent(e);
  const batchSize = Math.max(1, Math.floor(opts.batchSize ?? 1));
  const inFlight = Math.max(1, Math.floor(opts.parallelism)) * batchSize;
  const byAddress = new Map(opts.steps.map((s) => [s.address, s]));
  // One entry per address, in plan order (the step an address names is the last one listed).
  const steps = [...new Set(opts.steps.map((s) => s.address))].map((a) => byAddress.get(a)!);
  const n = steps.length;
  const waiting = new Set(steps.map((s) => s.address));
  const succeeded = new Set<string>();
  /** Failed or skipped: what makes dependents skip, with the failure at the root. */
  const blocked = new Map<string, string>();
  const result: WalkResult = { added: 0, changed: 0, destroyed: 0, failed: 0, skipped: 0, interrupted: false, notStarted: [] };
  const progressEvery = opts.progressEveryMs ?? 10_000;

  // Precomputed once, so that each finished step costs its own dependents and no scan of the
  // plan: who waits for each address (an index per occurrence in waitsFor), and how many of
  // its waitsFor entries each step still waits on (an address outside the plan counts as done).
  const dependents = new Map<string, number[]>();
  const pending = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    for (const d of steps[i]!.waitsFor) {
      if (!byAddress.has(d)) continue;
      pending[i]!++;
      const list = dependents.get(d);
      if (list) list.push(i);
      else dependents.set(d, [i]);
    }
  }
  /** Waiting steps whose every waitsFor entry has finished, by plan order. */
  const ready = new MinHeap();
  /** Waiting steps that may have a blocked upstream, keyed by sweep and plan order. */
  const skippable = new MinHeap();
  /** Addresses that finished since the last sweep and failed or were skipped. */
  let newlyBlocked: string[] = [];
  const isDone = new Set<string>();
  const markFinished = (a: string) => {
    if (isDone.has(a)) return;
    isDone.add(a);
    for (const i of dependents.get(a) ?? []) {
      if (--pending[i]! === 0) ready.push(i);
    }
  };
  for (let i = 0; i < n; i++) if (pending[i] === 0) ready.push(i);

  emit({
    type: 'start',
    at: started,
    operation: opts.operation,
    steps: opts.steps.map(({ address, action, kind, dependsOn }) => ({ address, action, kind, dependsOn })),
  });

  let running = 0;
  /** Set by the first outcome that lost the connection: nothing new starts. */
  let lost: string | undefined;
  let notRun = 0;
  /** Steps that reported dependency_not_ready, with that outcome, until another step succeeds. */
  const deferred = new Map<number, { outcome: StepOutcome; elapsedMs: number }>();
  /** Another step succeeded: what was deferred runs again. */
  const retryDeferred = () => {
    for (const i of deferred.keys()) {
      waiting.add(steps[i]!.address);
      ready.push(i);
    }
    deferred.clear();
  };
  let wake: (() => void) | undefined;
  const settled = () => {
    wake?.();
    wake = undefined;
  };

  const fail = (step: WalkStep, outcome: StepOutcome, elapsedMs: number) => {
    blocked.set(step.address, step.address);
    newlyBlocked.push(step.address);
    markFinished(step.address);
    result.failed++;
    emit({ type: 'resource_failed', at: now(), address: step.address, action: step.action, statusCode: outcome.statusCode, message: outcome.message, elapsedMs });
  };

  /** A step of a batch starts: reported, with its progress every progressEvery ms until it ends. */
  const startStep = (step: WalkStep) => {
    const t0 = now();
    emit({ type: 'resource_start', at: t0, address: step.address, action: step.action });
    const timer = setInterval(() => {
      emit({ type: 'resource_progress', at: now(), address: step.address, action: step.action, elapsedMs: now() - t0 });
    }, progressEvery);
    return { t0, timer };
  };

  const finishStep = (step: WalkStep, index: number, outcome: StepOutcome, elapsedMs: number) => {
    if (!outcome.ok && outcome.connectionLost) {
      // Not this step's failure: the walk stops (see the loop) and reports it once.
      lost ??= outcome.message;
      markFinished(step.address);
      result.skipped++;
      notRun++;
      emit({ type: 'resource_not_run', at: now(), address: step.address, action: step.action, reason: 'connection lost while it ran (its outcome is unknown)' });
    } else if (!outcome.ok && outcome.statusCode === 'dependency_not_ready') {
      deferred.set(index, { outcome, elapsedMs });
      // its object exists: its dependents need no more (a cycle through the part that waits —
      // a database owned by a member of a role with grants in it — resolves this way)
      if (outcome.exists === true) markFinished(step.address);
    } else if (outcome.ok) {
      retryDeferred();
      succeeded.add(step.address);
      markFinished(step.address);
      if (step.action === 'create') result.added++;
      else if (step.action === 'update') result.changed++;
      else if (step.action === 'import') result.imported = (result.imported ?? 0) + 1;
      else if (step.action === 'delete') result.destroyed++;
      else if (step.action === 'replace' && step.destructive === false) result.changed++;
      else if (step.action === 'replace') {
        result.added++;
        result.destroyed++;
      }
      emit({ type: 'resource_done', at: now(), address: step.address, action: step.action, statusCode: outcome.statusCode, message: outcome.message, elapsedMs });
    } else {
      fail(step, outcome, elapsedMs);
    }
  };

  const errorOutcome = (err: unknown): StepOutcome => ({ ok: false, statusCode: 'error', message: (err as Error)?.message ?? String(err) });

  /** Hands a batch to the executor; each step finishes on its own outcome. */
  const runBatch = (indexes: number[]) => {
    const batch = indexes.map((i) => steps[i]!);
    const started = batch.map(startStep);
    running += batch.length;
    let outcomes: Array<Promise<StepOutcome>>;
    try {
      outcomes = opts.executeBatch(batch);
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      outcomes = batch.map(() => Promise.reject(error));
    }
    batch.forEach((step, k) => {
      const { t0, timer } = started[k]!;
      void (outcomes[k] ?? Promise.reject(new Error('internal: the executor returned no outcome for this step')))
        .catch(errorOutcome)
        .then((outcome) => {
          clearInterval(timer);
          finishStep(step, indexes[k]!, outcome, now() - t0);
        })
        .finally(() => {
          running--;
          settled();
        });
    });
  };

  /** The upstream that makes a waiting step skip: the first blocked entry of its waitsFor. */
  const blockedUpstream = (step: WalkStep) =>
    step.waitsFor.find((d) => blocked.has(d) && (step.action !== 'delete' || byAddress.get(d)?.action === 'delete'));

  for (;;) {
    // Skip what cannot run any more (transitively), in the order of repeated sweeps over the
    // waiting steps in plan order: a step blocked during a sweep makes its dependents later in
    // the plan skip in the same sweep, and those earlier in the plan in the next one.
    let sweep = 0;
    let position = -1;
    for (const a of newlyBlocked) for (const i of dependents.get(a) ?? []) skippable.push(i);
    newlyBlocked = [];
    while (skippable.size > 0) {
      const key = skippable.pop()!;
      const s = Math.floor(key / n);
      const i = key % n;
      sweep = s;
      position = i;
      const step = steps[i]!;
      if (!waiting.has(step.address)) continue;
      const upstream = blockedUpstream(step);
      if (upstream === undefined) continue;
      waiting.delete(step.address);
      blocked.set(step.address, blocked.get(upstream)!);
      markFinished(step.address);
      result.skipped++;
      emit({ type: 'resource_skipped', at: now(), address: step.address, action: step.action, upstream: blocked.get(upstream)! });
      for (const j of dependents.get(step.address) ?? []) skippable.push((j > position ? sweep : sweep + 1) * n + j);
    }
    const stop = (opts.stopRequested?.() ?? false) || lost !== undefined;
    if (!stop) {
      // What is ready now, in plan order, as far as the steps in flight allow, in batches.
      const batch: number[] = [];
      while (running + batch.length < inFlight && ready.size > 0) {
        const i = ready.pop()!;
        const step = steps[i]!;
        if (!waiting.has(step.address)) continue;
        waiting.delete(step.address);
        batch.push(i);
      }
      for (let b = 0; b < batch.length; b += batchSize) runBatch(batch.slice(b, b + batchSize));
    }
    if (running === 0) {
      if (deferred.size > 0) {
        // Nothing runs that could still make them ready: they fail with the provider's reason.
        for (const [i, d] of [...deferred]) fail(steps[i]!, d.outcome, d.elapsedMs);
        deferred.clear();
        if (!stop) continue;
      }
      if (waiting.size === 0) break;
      if (stop) break;
      // Nothing running and nothing ready: a cycle the graph stage should have refused.
      for (const a of [...waiting]) {
        waiting.delete(a);
        result.failed++;
        const step = byAddress.get(a)!;
        blocked.set(a, a);
        emit({ type: 'resource_failed', at: now(), address: a, action: step.action, statusCode: 'dependency_not_ready', message: 'waits for itself (dependency cycle)', elapsedMs: 0 });
      }
      break;
    }
    await new Promise<void>((r) => {
      wake = r;
    });
  }

  if (lost !== undefined) {
    result.notStarted = [...waiting];
    for (const a of waiting) emit({ type: 'resource_not_run', at: now(), address: a, action: byAddress.get(a)!.action, reason: 'connection lost' });
    result.skipped += waiting.size;
    notRun += waiting.size;
    result.connectionLost = { message: lost, notRun };
    emit({ type: 'interrupted', at: now(), reason: `connection to the server lost: ${notRun} not run` });
  } else if (waiting.size > 0) {
    result.interrupted = true;
    result.notStarted = [...waiting];
    emit({ type: 'interrupted', at: now(), reason: `interrupted: ${waiting.size} not started` });
  }
  emit({
    type: 'complete',
    at: now(),
    operation: opts.operation,
    ...(result.imported ? { imported: result.imported } : {}),
    added: result.added,
    changed: result.changed,
    destroyed: result.destroyed,
    failed: result.failed,
    skipped: result.skipped,
    elapsedMs: now() - started,
  });
  return result;
}
