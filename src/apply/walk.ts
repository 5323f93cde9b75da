// The one walker for apply and destroy (Terraform's dag walk, in small): a step runs when
// every step it waits for has finished; at most `parallelism` run at once; a step whose
// upstream failed is skipped and reported as "upstream failed" (never as a second error);
// independent work carries on after a failure; an interrupt lets the steps in flight finish
// and starts nothing new.
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
}

export interface WalkOptions {
  operation: 'apply' | 'destroy';
  steps: WalkStep[];
  parallelism: number;
  execute(step: WalkStep): Promise<StepOutcome>;
  view: ApplyView;
  /** True once the user asked to stop (Ctrl-C): nothing new starts. */
  stopRequested?: () => boolean;
  /** How often a running step reports progress (default 10 s). */
  progressEveryMs?: number;
  now?: () => number;
}

export interface WalkResult {
  added: number;
  changed: number;
  destroyed: number;
  failed: number;
  skipped: number;
  interrupted: boolean;
  /** Steps that never ran because of the interrupt. */
  notStarted: string[];
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
  const others = active.filter((r) => r.action !== 'delete');
  const steps: WalkStep[] = others.map((r) => ({
    address: r.address,
    action: r.action,
    kind: r.kind,
    dependsOn: r.dependsOn,
    waitsFor: r.dependsOn.filter((d) => present.has(d) && !deletes.some((x) => x.address === d)),
    ...(r.destructive !== undefined ? { destructive: r.destructive } : {}),
  }));
  for (const r of deletes) {
    const dependents = deletes.filter((x) => x.dependsOn.includes(r.address)).map((x) => x.address);
    steps.push({
      address: r.address,
      action: r.action,
      kind: r.kind,
      dependsOn: r.dependsOn,
      waitsFor: [...dependents, ...others.map((o) => o.address)],
    });
  }
  return steps;
}

export async function walk(opts: WalkOptions): Promise<WalkResult> {
  const now = opts.now ?? Date.now;
  const started = now();
  const emit = (e: ApplyEvent) => opts.view.onEvent(e);
  const parallelism = Math.max(1, Math.floor(opts.parallelism));
  const byAddress = new Map(opts.steps.map((s) => [s.address, s]));
  const waiting = new Set(opts.steps.map((s) => s.address));
  const succeeded = new Set<string>();
  /** Failed or skipped: what makes dependents skip, with the failure at the root. */
  const blocked = new Map<string, string>();
  const result: WalkResult = { added: 0, changed: 0, destroyed: 0, failed: 0, skipped: 0, interrupted: false, notStarted: [] };
  const progressEvery = opts.progressEveryMs ?? 10_000;

  emit({
    type: 'start',
    at: started,
    operation: opts.operation,
    steps: opts.steps.map(({ address, action, kind, dependsOn }) => ({ address, action, kind, dependsOn })),
  });

  let running = 0;
  let wake: (() => void) | undefined;
  const settled = () => {
    wake?.();
    wake = undefined;
  };

  const finished = (a: string) => succeeded.has(a) || blocked.has(a) || !byAddress.has(a);

  const runStep = async (step: WalkStep) => {
    const t0 = now();
    emit({ type: 'resource_start', at: t0, address: step.address, action: step.action });
    const timer = setInterval(() => {
      emit({ type: 'resource_progress', at: now(), address: step.address, action: step.action, elapsedMs: now() - t0 });
    }, progressEvery);
    let outcome: StepOutcome;
    try {
      outcome = await opts.execute(step);
    } catch (err) {
      outcome = { ok: false, statusCode: 'error', message: (err as Error).message ?? String(err) };
    } finally {
      clearInterval(timer);
    }
    const elapsedMs = now() - t0;
    if (outcome.ok) {
      succeeded.add(step.address);
      if (step.action === 'create') result.added++;
      else if (step.action === 'update') result.changed++;
      else if (step.action === 'delete') result.destroyed++;
      else if (step.action === 'replace' && step.destructive === false) result.changed++;
      else if (step.action === 'replace') {
        result.added++;
        result.destroyed++;
      }
      emit({ type: 'resource_done', at: now(), address: step.address, action: step.action, statusCode: outcome.statusCode, message: outcome.message, elapsedMs });
    } else {
      blocked.set(step.address, step.address);
      result.failed++;
      emit({ type: 'resource_failed', at: now(), address: step.address, action: step.action, statusCode: outcome.statusCode, message: outcome.message, elapsedMs });
    }
  };

  for (;;) {
    let progressed = true;
    // Skip what cannot run any more (transitively), then start what is ready.
    while (progressed) {
      progressed = false;
      for (const a of [...waiting]) {
        const step = byAddress.get(a)!;
        const upstream = step.waitsFor.find((d) => blocked.has(d) && (step.action !== 'delete' || byAddress.get(d)?.action === 'delete'));
        if (upstream !== undefined) {
          waiting.delete(a);
          blocked.set(a, blocked.get(upstream)!);
          result.skipped++;
          emit({ type: 'resource_skipped', at: now(), address: a, action: step.action, upstream: blocked.get(upstream)! });
          progressed = true;
        }
      }
    }
    const stop = opts.stopRequested?.() ?? false;
    if (!stop) {
      for (const a of [...waiting]) {
        if (running >= parallelism) break;
        const step = byAddress.get(a)!;
        if (!step.waitsFor.every(finished)) continue;
        waiting.delete(a);
        running++;
        void runStep(step).finally(() => {
          running--;
          settled();
        });
      }
    }
    if (running === 0) {
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

  if (waiting.size > 0) {
    result.interrupted = true;
    result.notStarted = [...waiting];
    emit({ type: 'interrupted', at: now(), reason: `interrupted: ${waiting.size} not started` });
  }
  emit({
    type: 'complete',
    at: now(),
    operation: opts.operation,
    added: result.added,
    changed: result.changed,
    destroyed: result.destroyed,
    failed: result.failed,
    skipped: result.skipped,
    elapsedMs: now() - started,
  });
  return result;
}
