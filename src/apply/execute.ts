// Each step of a plan through the SQL actions of the provider: creates, updates and
// non-destructive replaces in batches through xplane.apply_many (the walker hands over batches
// of steps independent of each other, executeBatch: one call and one transaction per batch,
// one batched observe inside), xplane.delete(...) for destroys. Every change to the records goes
// through these functions, which check the stack's ownership in the write itself. Service-account
// passwords are turned into SCRAM verifiers here, on the client: the plaintext goes only to the
// connection_secret file.
import type pg from 'pg';
import type { ResourceInstance } from '../model/types.js';
import { plainPassword } from '../state/passwords.js';
import type { JsonObject, ResourcePlan } from '../plan/types.js';
import { generatePassword } from '../secrets/password.js';
import { scramVerifierAsync } from '../secrets/scram.js';
import { assertSecretWritable, removeSecretFile, writeSecretFile } from '../secrets/secret-store.js';
import { readSecret, secretPath } from '../secrets/secret-file.js';
import { rememberDeclared, rememberSecret } from '../secrets/check-cache.js';
import { queryWithSecret } from '../secrets/secret-input.js';
import type { ConnectionParams } from '../state/connection.js';
import type { StepOutcome } from './walk.js';

/** Status codes of xplane actions that mean "the resource is as declared". */
const OK_CODES = new Set(['success', 'updated', 'no_change', 'already_exists', 'not_found']);

/** Concurrent GRANTs on one catalog row fail with "tuple concurrently updated": retried. */
const CONCURRENT_UPDATE = /tuple concurrently (updated|deleted)|could not serialize|deadlock detected/i;

export interface ExecuteContext {
  /** Where a step gets its connection: a pool, or the control connection alone (onePool). */
  pool: { connect(): Promise<pg.PoolClient> };
  stack: string;
  /** The configuration directory (connection_secret paths are relative to it). */
  dir: string;
  /** The connection xp uses: host and port written to connection secrets. */
  params: ConnectionParams;
  /** Declared instances by address (configured passwords come from here). */
  instances: ReadonlyMap<string, ResourceInstance>;
  allowDataLoss: boolean;
}

/** An in-process keyed mutex: steps touching the same catalog object run one after the other. */
class KeyedMutex {
  private tails = new Map<string, Promise<void>>();
  async run<T>(keys: string[], fn: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const releases: Array<() => void> = [];
    for (const k of sorted) {
      const prev = this.tails.get(k) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((r) => (release = r));
      const tail = prev.then(() => mine);
      this.tails.set(k, tail);
      await prev;
      releases.push(() => {
        release();
        if (this.tails.get(k) === tail) this.tails.delete(k);
      });
    }
    try {
      return await fn();
    } finally {
      releases.forEach((r) => r());
    }
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The catalog rows a step may update: the databases it grants CONNECT on, the schemas it
 * grants on (their ACL, their tables', their default ACLs), the roles it joins.
 */
export function touchedObjects(step: Pick<ResourcePlan, 'kind' | 'name' | 'database' | 'spec'>): string[] {
  const keys: string[] = [];
  const spec = step.spec;
  const db = str(spec['database']) ?? step.database;
  if (step.kind === 'ServiceAccount' && db) keys.push(`db:${db}`);
  if (step.kind === 'Database') keys.push(`db:${step.name}`);
  if (step.kind === 'Schema' || step.kind === 'Extension') keys.push(`schema:${db}.${step.kind === 'Schema' ? step.name : (str(spec['schema']) ?? '')}`);
  for (const s of Array.isArray(spec['schemas']) ? spec['schemas'] : []) if (typeof s === 'string') keys.push(`schema:${db}.${s}`);
  for (const g of Array.isArray(spec['grants']) ? spec['grants'] : []) {
    if (g === null || typeof g !== 'object' || Array.isArray(g)) continue;
    const gdb = str(g['database']) ?? db;
    if (g['on'] === 'database') keys.push(`db:${gdb}`);
    else keys.push(`schema:${gdb}.${str(g['schema']) ?? ''}`);
  }
  for (const r of Array.isArray(spec['member_of']) ? spec['member_of'] : []) if (typeof r === 'string') keys.push(`role:${r}`);
  for (const m of Array.isArray(spec['members']) ? spec['members'] : []) {
    if (m !== null && typeof m === 'object' && !Array.isArray(m) && typeof m['role'] === 'string') keys.push(`role:${m['role']}`);
  }
  return keys;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The control connection as a pool of one: it is lent to one step at a time, and the next
 * waits for its release (a step's queries never overlap another's on the one connection: pg
 * queues such queries itself only with a deprecation warning, and a step that reads back after
 * its call must read its own result). An apply holds no connection beyond it and the
 * provider's own (one per database it reaches).
 */
export function onePool(client: pg.Client): { connect(): Promise<pg.PoolClient> } {
  let tail: Promise<void> = Promise.resolve();
  return {
    connect: async () => {
      const prev = tail;
      let release!: () => void;
      tail = new Promise<void>((r) => (release = r));
      await prev;
      let released = false;
      // What the steps use of a pooled client: query and release.
      return {
        query: (...args: unknown[]) => {
          if (released) throw new Error('internal: a query on the control connection after its release');
          return (client.query as (...a: unknown[]) => unknown)(...args);
        },
        release: () => {
          if (released) return;
          released = true;
          release();
        },
      } as unknown as pg.PoolClient;
    },
  };
}

/**
 * At most this many resources go to the server in one apply_many call (one transaction): the
 * walker's batch size.
 */
export const APPLY_BATCH = 50;

/** A step the provider applies (xplane.apply_many), with its password decided on the client. */
interface Prepared {
  step: ResourcePlan;
  spec: JsonObject;
  password?: string;
  verifier?: string;
}

const failed = (message: string): StepOutcome => ({ ok: false, statusCode: 'error', message });

/** Client errors that mean the connection is gone (not a statement's failure): SQLSTATE class 08, 57P01-03, a socket error. */
const LOST_CODES = new Set(['57P01', '57P02', '57P03', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);
const LOST_MESSAGE = /^(Connection terminated|Client has encountered a connection error|Client was closed and is not queryable|timeout expired)/;

/** Did this error (thrown by a query or a connect) lose the connection to the server? */
export function isConnectionLost(err: unknown): boolean {
  const e = (err ?? {}) as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  return code.startsWith('08') || LOST_CODES.has(code) || (typeof e.message === 'string' && LOST_MESSAGE.test(e.message));
}

/** The outcome of a step whose call threw: a lost connection stops the walk, anything else fails the step. */
export function thrownOutcome(err: unknown): StepOutcome {
  const message = (err as Error)?.message ?? String(err);
  return isConnectionLost(err) ? { ok: false, statusCode: 'connection_lost', message, connectionLost: true } : failed(message);
}

export class StepExecutor {
  private mutex = new KeyedMutex();
  /** The password each step sets and its verifier, by address: decided once, retries included. */
  private secrets = new Map<string, Promise<{ password: string; verifier: string } | undefined>>();
  constructor(private ctx: ExecuteContext) {}

  /**
   * Starts the PBKDF2 of every password these steps will set, on the thread pool: it runs
   * while the server applies the first batches (databases, roles), not before each batch.
   */
  prepareSecrets(steps: ResourcePlan[]): void {
    for (const step of steps) if (step.action !== 'delete') void this.secret(step).catch(() => undefined);
  }

  private secret(step: ResourcePlan): Promise<{ password: string; verifier: string } | undefined> {
    let secret = this.secrets.get(step.address);
    if (!secret) {
      secret = (async () => {
        const password = this.password(step);
        return password === undefined ? undefined : { password, verifier: await scramVerifierAsync(password) };
      })();
      this.secrets.set(step.address, secret);
    }
    return secret;
  }

  /**
   * Runs a batch of the walker's: steps that wait for none of each other (at most APPLY_BATCH).
   * Creates, updates and non-destructive replaces go to the server together, in one
   * xplane.apply_many call; a delete or a destructive replace runs alone. One outcome per step,
   * in order, each settling when its step is done.
   */
  executeBatch(steps: ResourcePlan[]): Array<Promise<StepOutcome>> {
    const outcomes = new Array<Promise<StepOutcome>>(steps.length);
    const together: number[] = [];
    steps.forEach((step, k) => {
      if (step.action === 'delete' || (step.action === 'replace' && step.destructive)) outcomes[k] = this.dropAlone(step);
      else together.push(k);
    });
    if (together.length > 0) {
      const applied = together.map((k) => steps[k]!);
      const results = this.runRetrying(applied, (s) => this.applyBatch(s)).catch((err: unknown) => applied.map(() => thrownOutcome(err)));
      together.forEach((k, j) => {
        outcomes[k] = results.then((o) => o[j]!);
      });
    }
    return outcomes;
  }

  /** A delete, or Terraform's "destroy and then create replacement": drop first, then apply alone. */
  private dropAlone(step: ResourcePlan): Promise<StepOutcome> {
    const run = async ([s]: ResourcePlan[]): Promise<StepOutcome[]> => {
      const dropped = await this.delete(s!);
      return dropped.ok && s!.action === 'replace' ? this.applyBatch([s!]) : [dropped];
    };
    return this.runRetrying([step], run).then((o) => o[0]!, thrownOutcome);
  }

  /**
   * Runs steps holding the keys of the catalog objects they touch (steps touching the same
   * object never run at once); those that failed with "tuple concurrently updated" and the like
   * (another client on the same objects) run again, up to 5 times with backoff.
   */
  private runRetrying(steps: ResourcePlan[], run: (steps: ResourcePlan[]) => Promise<StepOutcome[]>): Promise<StepOutcome[]> {
    return this.mutex.run(steps.flatMap(touchedObjects), async () => {
      const outcomes = await run(steps);
      for (let attempt = 0; attempt < 5; attempt++) {
        const again = outcomes.flatMap((o, k) => (!o.ok && CONCURRENT_UPDATE.test(o.message) ? [k] : []));
        if (again.length === 0) break;
        await sleep(50 * 2 ** attempt + Math.random() * 50);
        const redo = await run(again.map((k) => steps[k]!));
        again.forEach((k, j) => (outcomes[k] = redo[j]!));
      }
      return outcomes;
    });
  }

  private password(step: ResourcePlan): string | undefined {
    if (step.kind !== 'ServiceAccount') return undefined;
    if (step.passwordSource === 'generated') return generatePassword();
    if (step.passwordSource === 'configured') {
      const instance = this.ctx.instances.get(step.address);
      if (!instance) throw new Error(`${step.address}: its password is in the configuration, which is not at hand (apply the saved plan with its directory: xp apply PLAN DIR)`);
      // Declared without a value (Sensitive(UNKNOWN)): generated.
      return plainPassword(instance.spec['password']) ?? generatePassword();
    }
    return undefined;
  }

  private async prepare(step: ResourcePlan): Promise<Prepared> {
    const secret = await this.secret(step);
    const spec: JsonObject = { ...step.spec };
    if (secret === undefined) return { step, spec };
    // Before the password changes on the server: a secret file that cannot be written (a path
    // outside the configuration, a link, a file xp did not write) fails the step, not later.
    if (step.connectionSecret) assertSecretWritable(this.ctx.dir, step.connectionSecret);
    spec['password'] = secret.verifier;
    return { step, spec, ...secret };
  }

  /** One xplane.apply_many call for independent steps; an outcome per step, in order. */
  private async applyBatch(steps: ResourcePlan[]): Promise<StepOutcome[]> {
    const prepared: Array<Prepared | StepOutcome> = await Promise.all(
      steps.map((step) => this.prepare(step).catch((err: Error) => failed(err.message))),
    );
    const items = prepared.filter((p): p is Prepared => 'step' in p);
    let results: Array<{ status_code?: string; message?: string }> = [];
    if (items.length > 0) {
      let client: pg.PoolClient | undefined;
      try {
        client = await this.ctx.pool.connect();
        // The specs carry SCRAM verifiers: they travel as COPY data, which no server log records.
        const { rows } = await queryWithSecret<{ results: Array<{ status_code?: string; message?: string }> }>(
          client,
          items.map((p) => ({
            kind: p.step.kind,
            name: p.step.name,
            spec: p.spec,
            provider_config: p.step.provider,
            deletion_policy: p.step.deletionPolicy,
            prevent_destroy: p.step.preventDestroy === true,
            ignore_changes: p.step.ignoreChanges ?? [],
            // recorded, so that the next plan knows it by its address (src/plan/renames.ts)
            address: p.step.address,
            ...(p.step.renamedFrom !== undefined ? { renamed_from: p.step.renamedFrom } : {}),
          })),
          'select xplane.apply_many(xplane.secret_input(), $1) as results',
          [this.ctx.stack],
        );
        results = rows[0]?.results ?? [];
      } catch (err) {
        const outcome = thrownOutcome(err);
        return prepared.map((p) => ('step' in p ? outcome : p));
      } finally {
        client?.release();
      }
    }
    let k = 0;
    return prepared.map((p) => ('step' in p ? this.finish(p, results[k++] ?? {}) : p));
  }

  /** The outcome of one applied step; a new password goes to its connection_secret file. */
  private finish(p: Prepared, result: { status_code?: string; message?: string; exists?: boolean }): StepOutcome {
    const code = result.status_code ?? 'error';
    const message = result.message ?? '';
    if (!OK_CODES.has(code) || code === 'not_found')
      return { ok: false, statusCode: code, message: message || 'the provider recorded no result', ...(code === 'dependency_not_ready' && result.exists === true ? { exists: true } : {}) };
    const { step, password, verifier } = p;
    // The next plan knows this declared password is the one set, without a PBKDF2.
    if (password !== undefined && verifier !== undefined && step.passwordSource === 'configured') rememberDeclared(this.ctx.dir, step.provider, step.name, password, verifier);
    if (password !== undefined && verifier !== undefined && step.connectionSecret) {
      let path: string;
      try {
        path = writeSecretFile(this.ctx.dir, step.connectionSecret, {
          host: this.ctx.params.host,
          port: this.ctx.params.port,
          database: str(step.spec['database']) ?? this.ctx.params.dbname,
          username: step.name,
          password,
        });
      } catch (err) {
        // The password is set but written nowhere: the next plan finds it lost and issues a new one.
        return { ok: false, statusCode: 'secret_not_written', message: `the password was set, but its connection secret was not written: ${(err as Error).message}` };
      }
      rememberSecret(this.ctx.dir, path, verifier);
    } else if (step.renamedFrom !== undefined && step.connectionSecret) {
      // Renamed, password kept (a SCRAM verifier survives the rename): the file names the new user.
      const left = this.renameInSecret(step);
      if (left) return { ok: false, statusCode: 'secret_not_written', message: left };
    }
    return { ok: true, statusCode: code, message };
  }

  /** The connection secret of a renamed service account, written again with its new user name; why not, if it could not be. */
  private renameInSecret(step: ResourcePlan): string | undefined {
    const secret = step.connectionSecret!;
    try {
      const details = readSecret(secretPath(this.ctx.dir, secret), secret.format);
      // No file, or not one xp can read: the next plan finds the password lost and sets a new one.
      if (!details?.password) return undefined;
      writeSecretFile(this.ctx.dir, secret, {
        host: this.ctx.params.host,
        port: this.ctx.params.port,
        database: str(step.spec['database']) ?? this.ctx.params.dbname,
        username: step.name,
        password: details.password,
      });
      return undefined;
    } catch (err) {
      return `the role was renamed, but its connection secret was not written with the new name: ${(err as Error).message}`;
    }
  }

  private async delete(step: ResourcePlan): Promise<StepOutcome> {
    let client: pg.PoolClient | undefined;
    try {
      client = await this.ctx.pool.connect();
      // Only this stack's record, checked in the same statement that marks it (and, to forget
      // the object, makes it an orphan): xplane.delete, never a write of its own.
      const allow = this.ctx.allowDataLoss || step.dataLoss?.allowed === true;
      const { rows } = await client.query<{ deleted: boolean }>(
        'select xplane.delete($1::xplane.resource_kind, $2, $3, $4, $5, $6, $7) as deleted',
        [step.kind, step.name, step.database, step.provider, allow, this.ctx.stack, step.orphan === true],
      );
      if (!rows[0]?.deleted) {
        const st = await client.query<{ status: { status_code?: string; message?: string } | null }>(
          `select status from xplane.managed_resources
            where provider_config = $1 and kind = $2::xplane.resource_kind and coalesce(database, '') = $3 and name = $4`,
          [step.provider, step.kind, step.database, step.name],
        );
        const status = st.rows[0]?.status;
        if (status && status.status_code && !OK_CODES.has(status.status_code))
          return { ok: false, statusCode: status.status_code, message: status.message ?? 'not deleted' };
        if (st.rows.length > 0) return { ok: false, statusCode: status?.status_code ?? 'error', message: status?.message ?? 'not deleted' };
      }
      const secret = step.connectionSecret ?? this.ctx.instances.get(step.address)?.connectionSecret;
      const left = step.kind === 'ServiceAccount' && secret && !step.orphan && step.action === 'delete' ? removeSecretFile(this.ctx.dir, secret) : undefined;
      if (left) return { ok: true, statusCode: 'secret_left', message: left };
      return { ok: true, statusCode: 'success', message: step.orphan ? 'forgotten (left on the server)' : '' };
    } catch (err) {
      return thrownOutcome(err);
    } finally {
      client?.release();
    }
  }
}
