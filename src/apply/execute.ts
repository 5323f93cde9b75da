// Each step of a plan through the SQL actions of the provider: xplane.apply(...) for create,
// update and replace (the action's result is read back from managed_resources.status),
// xplane.delete(...) for destroys. Service-account passwords are turned into SCRAM verifiers
// here, on the client: the plaintext goes only to the connection_secret file.
import type pg from 'pg';
import type { ResourceInstance } from '../config/types.js';
import { plainPassword } from '../state/passwords.js';
import type { JsonObject, ResourcePlan } from '../plan/types.js';
import { generatePassword } from '../secrets/password.js';
import { scramVerifier } from '../secrets/scram.js';
import { removeSecret, secretPath, writeSecret } from '../secrets/secret-file.js';
import { rememberSecret } from '../secrets/check-cache.js';
import type { ConnectionParams } from '../state/connection.js';
import type { StepOutcome } from './walk.js';

/** Status codes of xplane actions that mean "the resource is as declared". */
const OK_CODES = new Set(['success', 'updated', 'no_change', 'already_exists', 'not_found']);

/** Concurrent GRANTs on one catalog row fail with "tuple concurrently updated": retried. */
const CONCURRENT_UPDATE = /tuple concurrently (updated|deleted)|could not serialize|deadlock detected/i;

export interface ExecuteContext {
  pool: pg.Pool;
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
  return keys;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class StepExecutor {
  private mutex = new KeyedMutex();
  constructor(private ctx: ExecuteContext) {}

  async execute(step: ResourcePlan): Promise<StepOutcome> {
    return this.mutex.run(touchedObjects(step), async () => {
      for (let attempt = 0; ; attempt++) {
        const outcome = await this.once(step);
        if (outcome.ok || attempt >= 5 || !CONCURRENT_UPDATE.test(outcome.message)) return outcome;
        await sleep(50 * 2 ** attempt + Math.random() * 50);
      }
    });
  }

  /**
   * delete → xplane.delete; create/update → xplane.apply; a destructive replace drops first
   * (Terraform's "destroy and then create replacement"); a rotation (a replace that drops
   * nothing) is an apply with a new password.
   */
  private async once(step: ResourcePlan): Promise<StepOutcome> {
    if (step.action === 'delete') return this.delete(step);
    if (step.action === 'replace' && step.destructive) {
      const dropped = await this.delete(step);
      if (!dropped.ok) return dropped;
    }
    return this.apply(step);
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

  private async apply(step: ResourcePlan): Promise<StepOutcome> {
    const password = this.password(step);
    const spec: JsonObject = { ...step.spec };
    const verifier = password !== undefined ? scramVerifier(password) : undefined;
    if (verifier !== undefined) spec['password'] = verifier;
    const client = await this.ctx.pool.connect();
    try {
      // Two statements: the row xplane.apply writes is not visible to the statement that calls it.
      const applied = await client.query<{ id: string }>(
        'select xplane.apply($1::xplane.resource_kind, $2, $3::jsonb, $4, $5, $6::xplane.deletion_policy)::text as id',
        [step.kind, step.name, JSON.stringify(spec), step.provider, this.ctx.stack, step.deletionPolicy],
      );
      const { rows } = await client.query<{ status: { status_code?: string; message?: string } | null }>(
        'select status from xplane.managed_resources where id = $1::uuid',
        [applied.rows[0]!.id],
      );
      const status = rows[0]?.status ?? {};
      const code = status.status_code ?? 'error';
      const message = status.message ?? '';
      if (!OK_CODES.has(code) || code === 'not_found') return { ok: false, statusCode: code, message: message || 'the provider recorded no result' };
      if (password !== undefined && verifier !== undefined && step.connectionSecret) {
        const path = secretPath(this.ctx.dir, step.connectionSecret);
        writeSecret(path, step.connectionSecret.format, {
          host: this.ctx.params.host,
          port: this.ctx.params.port,
          database: str(step.spec['database']) ?? this.ctx.params.dbname,
          username: step.name,
          password,
        });
        rememberSecret(this.ctx.dir, path, verifier);
      }
      return { ok: true, statusCode: code, message };
    } catch (err) {
      return { ok: false, statusCode: 'error', message: (err as Error).message };
    } finally {
      client.release();
    }
  }

  private async delete(step: ResourcePlan): Promise<StepOutcome> {
    const client = await this.ctx.pool.connect();
    try {
      if (step.orphan) {
        await client.query(
          `update xplane.managed_resources set deletion_policy = 'orphan'
            where provider_config = $1 and kind = $2::xplane.resource_kind and coalesce(database, '') = $3 and name = $4`,
          [step.provider, step.kind, step.database, step.name],
        );
      }
      const allow = this.ctx.allowDataLoss || step.dataLoss?.allowed === true;
      const { rows } = await client.query<{ deleted: boolean }>(
        'select xplane.delete($1::xplane.resource_kind, $2, $3, $4, $5) as deleted',
        [step.kind, step.name, step.database, step.provider, allow],
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
      if (step.kind === 'ServiceAccount' && secret && !step.orphan && step.action === 'delete') removeSecret(secretPath(this.ctx.dir, secret));
      return { ok: true, statusCode: 'success', message: step.orphan ? 'forgotten (left on the server)' : '' };
    } catch (err) {
      return { ok: false, statusCode: 'error', message: (err as Error).message };
    } finally {
      client.release();
    }
  }
}
