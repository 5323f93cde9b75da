// The engine end to end, for the commands: open a session on the control database, read the
// state (batched), compute the plan (src/plan, pure), check a saved plan is still fresh, and
// walk a plan through the SQL actions. Connections: one control connection (reads, and the
// changes when parallelism is 1), one holding the stack lock (apply and destroy) plus, with
// parallelism > 1, a pool of that many for the apply; databases are reached by the provider
// itself (what a drop would destroy too: xplane.data_loss_many).
import pg from 'pg';
import type { Configuration, ResourceInstance } from '../model/types.js';
import { assemblePlan, changesToCheck, contentsToObserve } from '../plan/plan.js';
import { desiredSpecJson } from '../plan/desired.js';
import { identityDatabase, instanceKey, managedKey, observedMap, previousKey, resourceKey } from '../plan/identity.js';
import { continuity, NameMap, renamedObjects } from '../plan/renames.js';
import { plainPassword, readPasswordStates, type PasswordCheck } from '../state/passwords.js';
import { assertFresh, contentsRequest, observationRequest } from '../plan/saved.js';
import type { Plan, PlanInput, PlanOptions, ResourceKey } from '../plan/types.js';
import { clientConfig, connect, type ConnectionTarget, type SessionSettings } from '../state/connection.js';
import { lockStack } from '../state/lock.js';
import { observeAll, readContents, readForeign, readManaged, readMissingNames, readRefusals, readStackMode, type ObserveRequest } from '../state/read.js';
import { undeclaredNames } from '../plan/names.js';
import type { ApplyView } from './events.js';
import { APPLY_BATCH, StepExecutor, onePool } from './execute.js';
import { walk, walkSteps, type WalkResult } from './walk.js';
import { assertSecretWritable, sweepSecretTemps } from '../secrets/secret-store.js';

function passwordCheck(key: ResourceKey, provider: string, name: string, declared: ResourceInstance | undefined, secret: ResourceInstance['connectionSecret']): PasswordCheck {
  const plaintext = plainPassword(declared?.spec['password']);
  return { key, provider, name, ...(plaintext !== undefined ? { declared: plaintext } : {}), ...(secret ? { connectionSecret: secret } : {}) };
}

export interface Session {
  target: ConnectionTarget;
  /** The control connection: state reads (the stack lock has a connection of its own). */
  control: pg.Client;
  applicationName: string;
  /** Sent on every connection of the session (the bounds of remote statements). */
  settings: SessionSettings;
  /** The server processes of this session's connections (the control one, the apply pool's). */
  backends: Set<number>;
  /**
   * Cancel whatever this session's connections are running on the server, and the dblink
   * sessions the provider opened for them (application_name `xplane/<pid>`): nothing xp
   * started is left running. `terminate` ends those sessions instead. Best effort, never throws.
   */
  cancel(terminate?: boolean): Promise<number>;
  close(): Promise<void>;
}

/** The backend of a node-postgres client (from the BackendKeyData message). */
export const backendPid = (c: pg.Client): number | undefined => (c as unknown as { processID?: number | null }).processID ?? undefined;

/** The connections that hold a stack lock, by session (ended with it), and whether one was lost. */
const locks = new WeakMap<Session, { holders: pg.Client[]; lost: string | null; closing: boolean }>();

function lockState(session: Session) {
  let state = locks.get(session);
  if (!state) locks.set(session, (state = { holders: [], lost: null, closing: false }));
  return state;
}

export async function openSession(target: ConnectionTarget, applicationName: string, settings: SessionSettings = {}): Promise<Session> {
  const control = await connect(target.params, applicationName, undefined, settings);
  const backends = new Set<number>();
  const pid = backendPid(control);
  if (pid !== undefined) backends.add(pid);
  const session: Session = {
    target,
    control,
    applicationName,
    settings,
    backends,
    async cancel(terminate = false) {
      if (backends.size === 0) return 0;
      const pids = [...backends];
      try {
        // Its own connection: the control one may be the busy one.
        const c = await connect(target.params, `${applicationName} cancel`.slice(0, 63));
        try {
          const { rows } = await c.query<{ n: number }>(
            `select count(*) filter (where ${terminate ? 'pg_catalog.pg_terminate_backend(pid)' : 'pg_catalog.pg_cancel_backend(pid)'})::int as n
               from pg_catalog.pg_stat_activity
              where pid <> pg_catalog.pg_backend_pid() and state <> 'idle'
                and (pid = any ($1::int[]) or application_name = any ($2::text[]))`,
            [pids, pids.map((p) => `xplane/${p}`)],
          );
          return rows[0]!.n;
        } finally {
          await c.end().catch(() => {});
        }
      } catch {
        return 0;
      }
    },
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
  sweepSecretTemps(config.dir, config.resources.flatMap((r) => (r.connectionSecret ? [r.connectionSecret] : [])));
  const managed = await readManaged(session.control, config.stack);
  const stackMode = await readStackMode(session.control, config.stack);
  const declaredKeys = new Set<ResourceKey>(config.resources.map(instanceKey));
  // A resource renamed (or in a database renamed) is observed under its name now too, with its declared spec.
  // Declared specs name objects as they will be named: observe asks with the names now, and
  // reads the answers with the new ones (NameMap).
  const cont = continuity(config.resources, managed, config.moved);
  const renamed = new NameMap(renamedObjects(config.resources, cont));
  const requests: ObserveRequest[] = config.resources.flatMap((r) => {
    const spec = desiredSpecJson(r);
    const pred = cont.byDeclared.get(instanceKey(r));
    const declaredRequest = { kind: r.kind, name: r.name, spec: renamed.map(r.kind, r.provider, spec, 'now', identityDatabase(r.kind, r.spec) !== ''), provider: r.provider };
    if (!pred || pred.key === instanceKey(r)) return [declaredRequest];
    return [declaredRequest, { kind: r.kind, name: pred.name, spec: renamed.map(r.kind, r.provider, spec, 'now'), provider: r.provider }];
  });
  const declaredRequests = requests.length;
  for (const m of managed) {
    if (!declaredKeys.has(managedKey(m)) && !cont.continued.has(managedKey(m))) requests.push({ kind: m.kind, name: m.name, spec: m.spec, provider: m.provider });
  }
  const observed = observedMap((await observeAll(session.control, requests)).map((item, i) => (i < declaredRequests ? renamed.after(item) : item)));
  const foreign = await readForeign(session.control, config.stack, [...declaredKeys]);
  const passwords = await readPasswordStates(
    session.control,
    config.dir,
    config.resources.flatMap((r) => {
      if (r.kind !== 'ServiceAccount') return [];
      if (observed.get(instanceKey(r))?.observed) return [passwordCheck(instanceKey(r), r.provider, r.name, r, r.connectionSecret)];
      // renamed: the password it has under its name now
      const pred = cont.byDeclared.get(instanceKey(r));
      return pred && observed.get(pred.key)?.observed ? [passwordCheck(instanceKey(r), r.provider, pred.name, r, r.connectionSecret)] : [];
    }),
  );
  // Only the accounts whose plan may write their file: new ones, a password to set again, or
  // any under --replace (a no-op plan of many accounts reads none of their files again).
  const writes = (r: ResourceInstance) => !observed.get(instanceKey(r))?.observed || cont.byDeclared.get(instanceKey(r))?.renamedFrom !== undefined || (passwords.get(instanceKey(r)) ?? 'match') !== 'match' || (options.replace?.length ?? 0) > 0;
  const names = undeclaredNames(config, observed);
  const missing = names.questions.length > 0 ? await readMissingNames(session.control, names.questions) : undefined;
  const unknownNames = missing ? names.problems(missing) : undefined;
  const privileges = missing ? names.privilegeProblems(missing) : undefined;
  const unsupported = missing ? names.versionProblems(missing) : undefined;
  return {
    config,
    managed,
    stackMode,
    observed,
    foreign,
    options,
    passwords,
    secretFiles: secretFileProblems(config, writes),
    ...(unknownNames?.size ? { unknownNames } : {}),
    ...(privileges?.size ? { privileges } : {}),
    ...(unsupported?.size ? { unsupported } : {}),
  };
}

/** After the password checks (which adopt xp's own older files): the secret files xp may not write now. */
function secretFileProblems(config: Configuration, writes: (r: ResourceInstance) => boolean): Map<string, string> {
  const problems = new Map<string, string>();
  for (const r of config.resources) {
    if (!r.connectionSecret || !writes(r)) continue;
    try {
      assertSecretWritable(config.dir, r.connectionSecret);
    } catch (err) {
      problems.set(r.address, (err as Error).message);
    }
  }
  return problems;
}

/** Plan: read, assemble, and — when it drops databases, schemas or extensions — count what they hold. */
export async function computePlan(session: Session, config: Configuration, options: Partial<PlanOptions>): Promise<{ plan: Plan; input: PlanInput }> {
  const input = await readPlanInput(session, config, options);
  let plan = assemblePlan(input);
  const drops = contentsToObserve(plan);
  if (drops.length > 0) {
    input.contents = await readContents(session.control, drops);
    plan = assemblePlan(input);
  }
  // What xp depends on (the role it connects as, the control database, schema xplane …) is
  // refused by the provider itself: asked here too, so that the plan shows it, where and why.
  const refusals = await readRefusals(session.control, changesToCheck(plan));
  if (refusals.size > 0) {
    input.refusals = refusals;
    plan = assemblePlan(input);
  }
  return { plan, input };
}

/**
 * Refuse a saved plan when the server changed since it was made (throws SavedPlanError).
 * `config` (the plan's configuration, when at hand) gives declared passwords to compare.
 */
export async function checkFresh(session: Session, plan: Plan, dir: string, config?: Configuration): Promise<void> {
  sweepSecretTemps(dir, plan.resources.flatMap((r) => (r.connectionSecret ? [r.connectionSecret] : [])));
  const managed = await readManaged(session.control, plan.stack);
  const requests = observationRequest(plan);
  const observed = observedMap((await observeAll(session.control, requests)).map((item, i) => requests[i]!.read(item)));
  const drops = contentsRequest(plan);
  const contents = drops.length > 0 ? await readContents(session.control, drops) : undefined;
  const declared = new Map((config?.resources ?? []).map((r) => [r.address, r]));
  const checks = plan.resources
    .filter((r) => r.kind === 'ServiceAccount' && r.action !== 'delete')
    .map((r) => ({ r, key: resourceKey(r.provider, r.kind, r.database, r.name), before: previousKey(r) }))
    .flatMap(({ r, key, before }) => {
      if (observed.get(key)?.observed) return [passwordCheck(key, r.provider, r.name, declared.get(r.address), r.connectionSecret)];
      // renamed: as readPlanInput checks it, under its name now
      return before !== undefined && observed.get(before)?.observed ? [passwordCheck(key, r.provider, r.renamedFrom ?? r.name, declared.get(r.address), r.connectionSecret)] : [];
    });
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

/**
 * The addresses of the resources the apply did not touch (no-ops), for records that have none
 * yet (made by xp before 0.7.0) or another (a new label, same name): what the next plan pairs a
 * rename by. The steps applied record theirs themselves (xplane.apply_many); an apply with
 * nothing to change records them too (src/cli/commands/apply.ts).
 */
export async function recordAddresses(session: Session, plan: Plan): Promise<void> {
  const items = plan.resources
    .filter((r) => r.action === 'no-op')
    .map((r) => ({ provider_config: r.provider, kind: r.kind, database: r.database, name: r.name, address: r.address }));
  if (items.length > 0) await session.control.query('select xplane.record_addresses($1, $2::jsonb)', [plan.stack, JSON.stringify(items)]);
}

/** Walk a plan in dependency order: independent changes in batches (xplane.apply_many), destroys one by one. */
export async function runPlan(session: Session, plan: Plan, opts: RunOptions): Promise<WalkResult> {
  const parallelism = Math.max(1, Math.min(16, Math.floor(opts.parallelism)));
  // One worker applies on the control connection itself; more open a pool beside it.
  const pool = parallelism > 1 ? new pg.Pool({ ...clientConfig(session.target.params, session.applicationName, undefined, session.settings), max: parallelism }) : undefined;
  pool?.on('error', () => {});
  // Known to the session, so that an interrupt cancels what they run (Session.cancel).
  pool?.on('connect', (c) => {
    const pid = backendPid(c);
    if (pid !== undefined) session.backends.add(pid);
  });
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
      // As many batches at once as the pool has connections; each batch one apply_many call.
      parallelism,
      batchSize: APPLY_BATCH,
      view: opts.view,
      // Nothing starts without the stack's lock.
      stopRequested: () => opts.stopRequested() || lockLost(session) !== null,
      executeBatch: (steps) => executor.executeBatch(steps.map((s) => byAddress.get(s.address)!)),
    });
    if (plan.operation === 'apply') await recordAddresses(session, plan);
    if (result.added + result.destroyed >= ANALYZE_AFTER) await refreshStatistics(session, plan);
    return result;
  } finally {
    await opts.view.close();
    await pool?.end().catch(() => {});
  }
}
