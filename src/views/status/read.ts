// Reading the provider's state for `xp status`, `xp describe` and `xp events`: one query per
// question (never one per resource), results as the plain rows of model.ts.
import type pg from 'pg';
import type { KindName } from '../../model/types.js';
import { identityDatabase, managedAddress, TYPE_OF_KIND } from '../../plan/identity.js';
import type { Configuration } from '../../model/types.js';
import type { Condition, ConditionStatus, ResourceDescription, ResourceEvent, ResourceStatus } from './model.js';

export interface StatusFilter {
  /** One stack; every stack when undefined. */
  stack?: string;
}

/** The address a record is shown under (engine's rule: as recorded, else `type.name` / `type["name"]`). */
export function addressOf(kind: KindName, name: string, recorded?: string | null): string {
  return managedAddress({ stack: '', kind, name, database: '', provider: '', spec: {}, deletion_policy: 'delete', ...(recorded ? { address: recorded } : {}) });
}

/**
 * The addresses a configuration declares, by what the provider records: (kind, database, name).
 * `xp status` run in a configuration directory shows `schema.tenant["acme"]`, not `schema.tenant_acme`.
 */
export type AddressBook = ReadonlyMap<string, string>;

const bookKey = (kind: string, database: string, name: string) => JSON.stringify([kind, database, name]);

export function addressBook(config: Configuration | undefined): AddressBook {
  const book = new Map<string, string>();
  for (const r of config?.resources ?? []) book.set(bookKey(r.kind, identityDatabase(r.kind, r.spec), r.name), r.address);
  return book;
}

/** The same rows with the configuration's addresses where it declares them. */
export function withAddresses<T extends { kind: KindName | null; database: string; name: string; address: string }>(rows: T[], book: AddressBook): T[] {
  if (book.size === 0) return rows;
  return rows.map((r) => {
    const address = r.kind ? book.get(bookKey(r.kind, r.database, r.name)) : undefined;
    return address ? { ...r, address } : r;
  });
}

/** The records an address of the configuration stands for (kind, database, name), if it declares it. */
export function lookUp(book: AddressBook, address: string): { kind: KindName; database: string; name: string } | undefined {
  for (const [key, a] of book) {
    if (a !== address) continue;
    const [kind, database, name] = JSON.parse(key) as [KindName, string, string];
    return { kind, database, name };
  }
  return undefined;
}

const iso = (v: Date | string | null): string | null => (v === null ? null : v instanceof Date ? v.toISOString() : new Date(v).toISOString());

interface StatusRow {
  id: string;
  stack: string;
  kind: KindName;
  name: string;
  database: string;
  provider_config: string;
  ready: string;
  synced: string;
  ready_reason: string | null;
  ready_message: string | null;
  synced_reason: string | null;
  synced_message: string | null;
  last_operation: string | null;
  last_operation_message: string | null;
  status_code: string | null;
  last_action: string | null;
  observed: unknown;
  spec: unknown;
  generation: string;
  observed_generation: string;
  failure_count: number;
  last_failure_class: string | null;
  next_reconcile_at: Date | null;
  last_reconciled_at: Date | null;
  deletion_policy: string;
  finalizers: string[];
  deleting: boolean;
  created_at: Date;
  updated_at: Date;
  /** The configuration address of its last apply (null: recorded before 0.7.0). */
  address: string | null;
}

// The provider's read model (docs/status-model.md): one row per resource, kubectl-get style.
const STATUS_SELECT = `
  select s.id::text, s.stack, s.kind::text as kind, s.name, s.database, s.provider_config,
         s.ready, s.synced, s.ready_reason, s.ready_message, s.synced_reason, s.synced_message,
         s.last_operation, s.last_operation_message, s.status_code, s.last_action, s.observed, s.spec,
         s.generation, s.observed_generation, s.failure_count, s.last_failure_class::text as last_failure_class,
         s.next_reconcile_at, s.last_reconciled_at, s.deletion_policy::text as deletion_policy, s.finalizers,
         s.deleting, s.created_at, s.updated_at, s.address
    from xplane.resource_status s`;

/** Kinds in the order a walk creates them, then names: the order `xp status` lists. */
const ORDER = `order by s.stack, array_position(array['Role','Database','Schema','Extension','ServiceAccount'], s.kind::text), s.database, s.name`;

function toStatus(r: StatusRow): ResourceStatus {
  const synced = r.synced as ConditionStatus;
  const ready = r.ready as ConditionStatus;
  // The reason shown is the one that explains a problem: Ready's when not ready, else Synced's when not synced.
  const [reason, message] =
    ready !== 'True' && r.ready_reason
      ? [r.ready_reason, r.ready_message]
      : synced !== 'True' && r.synced_reason
        ? [r.synced_reason, r.synced_message]
        : [r.ready_reason ?? r.synced_reason ?? '', r.ready_message ?? ''];
  return {
    id: r.id,
    address: addressOf(r.kind, r.name, r.address),
    stack: r.stack,
    kind: r.kind,
    name: r.name,
    database: r.database,
    synced,
    ready,
    reason: reason ?? '',
    message: message ?? '',
    generation: Number(r.generation),
    observedGeneration: Number(r.observed_generation),
    failureCount: r.failure_count,
    lastFailureClass: r.last_failure_class,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
    deleting: r.deleting,
    nextReconcileAt: iso(r.next_reconcile_at),
  };
}

/** Every managed resource of the stack (or of all stacks), with its Synced/Ready conditions. */
export async function readStatus(client: pg.Client, f: StatusFilter): Promise<ResourceStatus[]> {
  const { rows } = await client.query<StatusRow>(`${STATUS_SELECT} where ($1::text is null or s.stack = $1) ${ORDER}`, [f.stack ?? null]);
  return rows.map(toStatus);
}

export interface ResourceRef {
  kind: KindName;
  /** Candidate PostgreSQL names (the label as written, and with `-` → `_`). */
  names: string[];
}

/**
 * `schema.api`, `role.agent-executor` (the label: `-` becomes `_` in PostgreSQL), `role["my role"]`
 * (the PostgreSQL name verbatim), or kubectl's `Schema/api`. Undefined when it is none of these.
 */
export function parseAddress(address: string): ResourceRef | undefined {
  const kindOfType = new Map<string, KindName>(Object.entries(TYPE_OF_KIND).map(([k, t]) => [t, k as KindName]));
  const kindByName = (s: string) => kindOfType.get(s) ?? (Object.keys(TYPE_OF_KIND).includes(s) ? (s as KindName) : undefined);
  let m = /^([A-Za-z_]+)\[("(?:[^"\\]|\\.)*")\]$/.exec(address);
  if (m) {
    const kind = kindByName(m[1]!);
    return kind ? { kind, names: [JSON.parse(m[2]!) as string] } : undefined;
  }
  m = /^([A-Za-z_]+)[./](.+)$/.exec(address);
  if (!m) return undefined;
  const kind = kindByName(m[1]!);
  if (!kind) return undefined;
  const label = m[2]!;
  return { kind, names: [...new Set([label, label.replace(/-/g, '_')])] };
}

export interface EventFilter extends StatusFilter {
  /** Events of these resources only. */
  resourceIds?: string[];
  /** Events recorded at this configuration address only (a resource no longer managed). */
  address?: string;
  type?: 'Normal' | 'Warning';
  /** Events after this id (following). */
  afterId?: number;
  /** The newest `limit` events (default 50), returned oldest first. */
  limit?: number;
}

interface EventRow {
  id: string;
  resource_id: string | null;
  stack: string;
  kind: KindName | null;
  name: string;
  database: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  actor: string;
  created_at: Date;
  /** The address its resource is recorded under, else the one it had when the event happened (null: before 0.7.0). */
  address: string | null;
}

function toEvent(r: EventRow): ResourceEvent {
  return {
    id: Number(r.id),
    resourceId: r.resource_id,
    address: r.kind ? addressOf(r.kind, r.name, r.address) : r.name,
    stack: r.stack,
    kind: r.kind,
    name: r.name,
    database: r.database,
    type: r.type,
    reason: r.reason,
    message: r.message,
    actor: r.actor,
    createdAt: iso(r.created_at)!,
  };
}

/**
 * Events, oldest first, from the provider's xplane.recent_events (the last 24 hours): the newest
 * `limit` matching the filter (all after `afterId` when following).
 */
export async function readEvents(client: pg.Client, f: EventFilter): Promise<ResourceEvent[]> {
  const { rows } = await client.query<EventRow>(
    `select * from (
       select e.id::text, e.resource_id::text, e.stack, e.kind::text as kind, e.name, coalesce(e.database, '') as database,
              e.type::text as type, e.reason, e.message, e.actor, e.created_at, e.address
         from xplane.recent_events e
        where ($1::text is null or e.stack = $1)
          and ($2::uuid[] is null or e.resource_id = any($2::uuid[]))
          and ($3::text is null or e.type::text = $3)
          and e.id > $4
          and ($6::text is null or e.address = $6)
        order by e.id desc
        limit $5) newest
     order by id::bigint`,
    [f.stack ?? null, f.resourceIds ?? null, f.type ?? null, f.afterId ?? 0, f.limit ?? 50, f.address ?? null],
  );
  return rows.map(toEvent);
}

/** The stacks whose recent events were recorded at this configuration address. */
export async function eventStacks(client: pg.Client, address: string): Promise<string[]> {
  const { rows } = await client.query<{ stack: string }>(`select distinct stack from xplane.recent_events where address = $1 order by 1`, [address]);
  return rows.map((r) => r.stack);
}

/** The resources an address names (more than one when the same name exists in several databases). */
export async function findResources(client: pg.Client, ref: ResourceRef, f: StatusFilter & { database?: string }): Promise<ResourceStatus[]> {
  const { rows } = await client.query<StatusRow>(
    `${STATUS_SELECT}
      where s.kind::text = $1 and s.name = any($2::text[]) and ($3::text is null or s.stack = $3) and ($4::text is null or s.database = $4)
      ${ORDER}`,
    [ref.kind, ref.names, f.stack ?? null, f.database ?? null],
  );
  return rows.map(toStatus);
}

/** The resources last applied at this configuration address (`module.tenant["a"].role.app`). */
export async function findRecorded(client: pg.Client, address: string, f: StatusFilter & { database?: string }): Promise<ResourceStatus[]> {
  const { rows } = await client.query<StatusRow>(
    `${STATUS_SELECT}
      where s.address = $1 and ($2::text is null or s.stack = $2) and ($3::text is null or s.database = $3)
      ${ORDER}`,
    [address, f.stack ?? null, f.database ?? null],
  );
  return rows.map(toStatus);
}

/** Everything about one resource: its status row, all its conditions with their transitions, its recent events. */
export async function describeResource(client: pg.Client, id: string, eventLimit = 20): Promise<ResourceDescription | undefined> {
  const { rows } = await client.query<StatusRow>(`${STATUS_SELECT} where s.id = $1`, [id]);
  const r = rows[0];
  if (!r) return undefined;
  const conditions = await client.query<{ type: string; status: ConditionStatus; reason: string; message: string; last_transition: Date }>(
    `select type::text as type, status, reason, message, last_transition from xplane.conditions where resource_id = $1
      order by array_position(array['Synced','Ready','LastAsyncOperation'], type::text)`,
    [id],
  );
  const events = await readEvents(client, { resourceIds: [id], limit: eventLimit });
  return {
    resource: {
      ...toStatus(r),
      spec: r.spec,
      observed: r.observed,
      lastAction: r.last_action,
      statusCode: r.status_code,
      lastOperation: r.last_operation,
      lastOperationMessage: r.last_operation_message,
      providerConfig: r.provider_config,
      deletionPolicy: r.deletion_policy,
      finalizers: r.finalizers ?? [],
      lastReconciledAt: iso(r.last_reconciled_at),
    },
    conditions: conditions.rows.map(
      (k): Condition => ({ type: k.type, status: k.status, reason: k.reason, message: k.message, lastTransition: iso(k.last_transition)! }),
    ),
    events,
  };
}
