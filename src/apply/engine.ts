// The engine end to end, for the commands: open a session on the control database, read the
// state (batched), compute the plan (src/plan, pure), check a saved plan is still fresh, and
// walk a plan through the SQL actions. Connections: one control connection (reads, and the
// changes when parallelism is 1), one holding the stack lock (apply and destroy) plus, with
// parallelism > 1, a pool of that many for the apply; databases are reached by the provider
// itself, except to count what a drop would destroy (one connection per database).
import pg from 'pg';
import type { Configuration, ResourceInstance } from '../config/types.js';
import { assemblePlan, contentsToObserve } from '../plan/plan.js';
import { desiredSpecJson } from '../plan/desired.js';
import { instanceKey, managedKey, observedMap, resourceKey } from '../plan/identity.js';
import { plainPassword, readPasswordStates, type PasswordCheck } from '../state/passwords.js';
import { assertFresh, contentsRequest, observationRequest } from '../plan/saved.js';
import type { Plan, PlanInput, PlanOptions, ResourceKey } from '../plan/types.js';
import { clientConfig, connect, type ConnectionTarget } from '../state/connection.js';
import { lockStack } from '../state/lock.js';
import { observeAll, readContents, readForeign, readManaged, type ObserveRequest } from '../state/read.js';
import type { ApplyView } from './events.js';
import { APPLY_BATCH, StepExecutor, onePool } from './execute.js';
import { walk, walkSteps, type WalkResult } from './walk.js';

function passwordCheck(key: ResourceKey, provider: string, name: string, declared: ResourceInstance | undefined, secret: ResourceInstance['connectionSecret']): PasswordCheck {
  const plaintext = plainPassword(declared?.spec['password']);
  return { key, provider, name, ...(plaintext !== undefined ? { declared: plaintext } : {}), ...(secret ? { connectionSecret: secret } : {}) };
}

export interface Session {
  target: ConnectionTarget;
  /** The control connection: state reads (the stack lock has a connection of its own). */
  control: pg.Client;
  applicationName: string;
  close(): Promise<void>;
}

/** The connections that hold a stack lock, by session (ended with it), and whether one was lost. */
const locks = new WeakMap<Session, { holders: pg.Client[]; lost: string | null; closing: boolean }>();

function lockState(session: Session) {
  let state = locks.get(session);
  if (!state) locks.set(session, (state = { holders: [], lost: null, closing: false }));
  return state;
}

export async function openSession(target: ConnectionTarget, applicationName: string): Promise<Session> {
  const control = await connect(target.params, applicationName);
  const session: Session = {
    target,
    control,
    applicationName,
    async close() {
      const state = lockState(session);
      state.closing = true;
      for (const c of state.holders) await c.end().catch(() => {});
      await control.end().catch(() => {});
    },
  };
  return session;
}

/**
 * Take the stack's lock for the rest of the session (released when the session closes). It is
 * held by an open transaction, so on a connection of its own: the control connection's reads
 * and the apply's batches commit as they go. Should that connection end under the command (its
 * backend terminated, the network gone), the lock is gone with it: lockLost says so, and an
 * apply starts nothing more.
 */
export async function lock(session: Session, stack: string, timeoutMs: number): Promise<() => Promise<void>> {
  const holder = await connect(session.target.params, session.applicationName);
  const state = lockState(session);
  let released = false;
  try {
    const release = await lockStack(holder, stack, timeoutMs);
    holder.on('end', () => {
      if (!released && !state.closing) state.lost ??= `the lock of stack "${stack}" was lost: its connection to the server ended`;
    });
    state.holders.push(holder);
    return async () => {
      released = true;
      await release();
      await holder.end().catch(() => {});
    };
  } catch (err) {
    await holder.end().catch(() => {});
    throw err;
  }
}

/** Why the session no longer holds a lock it took (null while it does, or took none). */
export function lockLost(session: Session): string | null {
  return locks.get(session)?.lost ?? null;
}

/** Everything the planner needs, read in a fixed number of round trips. */
export async function readPlanInput(session: Session, config: Configuration, options: Partial<PlanOptions>): Promise<PlanInput> {
  const managed = await readManaged(session.control, config.stack);
  const declaredKeys = new Set<ResourceKey>(config.resources.map(instanceKey));
  const requests: ObserveRequest[] = config.resources.map((r) => ({ kind: r.kind, name: r.name, spec: desiredSpecJson(r), provider: r.provider }));
  for (const m of managed) {
    if (!declaredKeys.has(managedKey(m))) requests.push({ kind: m.kind, name: m.name, spec: m.spec, provider: m.provider });
  }
  const observed = observedMap(await observeAll(session.control, requests));
  const foreign = await readForeign(session.control, config.stack, [...declaredKeys]);
  const passwords = await readPasswordStates(
    session.control,
    config.dir,
    config.resources
      .filter((r) => r.kind === 'ServiceAccount' && observed.get(instanceKey(r))?.observed)
      .map((r) => passwordCheck(instanceKey(r), r.provider, r.name, r, r.connectionSecret)),
  );
  return { config, managed, observed, foreign, options, passwords };
}

/** Plan: read, assemble, and — when it drops databases or schemas — count what they hold. */
export async function computePlan(session: Session, config: Configuration, options: Partial<PlanOptions>): Promise<{ plan: Plan; input: PlanInput }> {
  const input = await readPlanInput(session, config, options);
  let plan = assemblePlan(input);
  const drops = contentsToObserve(plan);
  if (drops.length > 0) {
    input.contents = await readContents(session.target.params, session.applicationName, drops);
    plan = assemblePlan(input);
  }
  return { plan, input };
}

/**
 * Refuse a saved plan when the server changed since it was made (throws SavedPlanError).
 * `config` (the plan's configuration, when at hand) gives declared passwords to compare.
 */
export async function checkFresh(session: Session, plan: Plan, dir: string, config?: Configuration): Promise<void> {
  const managed = await readManaged(session.control, plan.stack);
  const observed = observedMap(await observeAll(session.control, observationRequest(plan)));
  const drops = contentsRequest(plan);
  const contents = drops.length > 0 ? await readContents(session.target.params, session.applicationName, drops) : undefined;
  const declared = new Map((config?.resources ?? []).map((r) => [r.address, r]));
  const checks = plan.resources
    .filter((r) => r.kind === 'ServiceAccount' && r.action !== 'delete')
    .map((r) => ({ r, key: resourceKey(r.provider, r.kind, r.database, r.name) }))
    .filter(({ key }) => observed.get(key)?.observed)
    .map(({ r, key }) => passwordCheck(key, r.provider, r.name, declared.get(r.address), r.connectionSecret));
  const passwords = await readPasswordStates(session.control, dir, checks);
  assertFresh(plan, { managed, observed, passwords, ...(contents ? { contents } : {}) });
}

export interface RunOptions {
  dir: string;
  parallelism: number;
  view: ApplyView;
  /** Declared instances (configured passwords are read from them). */
  instances: ResourceInstance[];
  stopRequested: () => boolean;
}

/**
 * Objects created or dropped from which an apply refreshes the statistics of the catalogs it
 * reads (xplane.analyze_catalogs): autovacuum would wait for about as many changes, and then
 * for its next round, while the plan right after the apply would run its catalog queries with
 * plans made for a much smaller cluster.
 */
export const ANALYZE_AFTER = 100;

/** Best effort: per provider, the role catalogs, and the catalogs of each database the plan touched. */
async function refreshStatistics(session: Session, plan: Plan): Promise<void> {
  const databases = new Map<string, Set<string>>();
  for (const r of plan.resources) {
    if (r.action === 'no-op') continue;
    const dbs = databases.get(r.provider) ?? new Set<string>();
    const db = r.kind === 'Database' ? (r.action === 'delete' ? '' : r.name) : r.database;
    if (db) dbs.add(db);
    databases.set(r.provider, dbs);
  }
  for (const [provider, dbs] of databases) {
    await session.control.query('select xplane.analyze_catalogs($1, $2)', [provider, [...dbs]]).catch(() => undefined);
  }
}

/** Walk a plan in dependency order: independent changes in batches (xplane.apply_many), destroys one by one. */
export async function runPlan(session: Session, plan: Plan, opts: RunOptions): Promise<WalkResult> {
  const parallelism = Math.max(1, Math.min(16, Math.floor(opts.parallelism)));
  // One worker applies on the control connection itself; more open a pool beside it.
  const pool = parallelism > 1 ? new pg.Pool({ ...clientConfig(session.target.params, session.applicationName), max: parallelism }) : undefined;
  pool?.on('error', () => {});
  const byAddress = new Map(plan.resources.map((r) => [r.address, r]));
  const executor = new StepExecutor({
    pool: pool ?? onePool(session.control),
    stack: plan.stack,
    dir: opts.dir,
    params: session.target.params,
    instances: new Map(opts.instances.map((i) => [i.address, i])),
    allowDataLoss: plan.options.allowDataLoss,
  });
  executor.prepareSecrets(plan.resources);
  try {
    // Declared up front, so that the first batches do not wait for each other to insert it.
    if (plan.operation === 'apply') await session.control.query('select xplane.declare_stack($1)', [plan.stack]);
    const result = await walk({
      operation: plan.operation,
      steps: walkSteps(plan.resources),
      // The pool bounds the connections; the executor batches what is handed over together.
      parallelism: parallelism * APPLY_BATCH,
      view: opts.view,
      // Nothing starts without the stack's lock.
      stopRequested: () => opts.stopRequested() || lockLost(session) !== null,
      execute: (step) => executor.execute(byAddress.get(step.address)!),
    });
    if (result.added + result.destroyed >= ANALYZE_AFTER) await refreshStatistics(session, plan);
    return result;
  } finally {
    await opts.view.close();
    await pool?.end().catch(() => {});
  }
}
