// Reading the provider's state for `xp status`, `xp describe` and `xp events`: one query per
// question (never one per resource), results as the plain rows of model.ts.
import type pg from 'pg';
import type { KindName } from '../../config/types.js';
import { managedAddress, TYPE_OF_KIND } from '../../plan/identity.js';
import type { Condition, ConditionStatus, ResourceDescription, ResourceEvent, ResourceStatus } from './model.js';

export interface StatusFilter {
  /** One stack; every stack when undefined. */
  stack?: string;
}

/** The address a record is shown under (engine's rule: as recorded, else `type.name` / `type["name"]`). */
export function addressOf(kind: KindName, name: string): string {
  return managedAddress({ stack: '', kind, name, database: '', provider: '', spec: {}, deletion_policy: 'delete' });
}

const iso = (v: Date | string | null): string | null => (v === null ? null : v instanceof Date ? v.toISOString() : new Date(v).toISOString());

interface StatusRow {
  id: string;
  stack: string;
  kind: KindName;
  name: string;
  database: string;
  synced: string | null;
  synced_reason: string | null;
  synced_message: string | null;
  ready: string | null;
  ready_reason: string | null;
  ready_message: string | null;
  generation: string;
  observed_generation: string;
  failure_count: number;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
  next_reconcile_at: Date | null;
}

const STATUS_SELECT = `
  select m.id::text, m.stack, m.kind::text as kind, m.name, coalesce(m.database, '') as database,
         s.status as synced, s.reason as synced_reason, s.message as synced_message,
         r.status as ready, r.reason as ready_reason, r.message as ready_message,
         m.generation, m.observed_generation, m.failure_count,
         m.created_at, m.updated_at, m.deleted_at, m.next_reconcile_at
    from xplane.managed_resources m
    left join xplane.conditions s on s.resource_id = m.id and s.type = 'Synced'
    left join xplane.conditions r on r.resource_id = m.id and r.type = 'Ready'`;

/** Kinds in the order a walk creates them, then names: the order `xp status` lists. */
const ORDER = `order by m.stack, array_position(array['Role','Database','Schema','Extension','ServiceAccount'], m.kind::text), m.database, m.name`;

function toStatus(r: StatusRow): ResourceStatus {
  const synced = (r.synced ?? 'Unknown') as ConditionStatus;
  const ready = (r.ready ?? 'Unknown') as ConditionStatus;
  // The reason shown is the one that explains a problem: Ready's when not ready, else Synced's when not synced.
  const [reason, message] =
    ready !== 'True' && r.ready_reason
      ? [r.ready_reason, r.ready_message]
      : synced !== 'True' && r.synced_reason
        ? [r.synced_reason, r.synced_message]
        : [r.ready_reason ?? r.synced_reason ?? '', r.ready_message ?? ''];
  return {
    id: r.id,
    address: addressOf(r.kind, r.name),
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
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
    deletedAt: iso(r.deleted_at),
    nextReconcileAt: iso(r.next_reconcile_at),
  };
}

/** Every managed resource of the stack (or of all stacks), with its Synced/Ready conditions. */
export async function readStatus(client: pg.Client, f: StatusFilter): Promise<ResourceStatus[]> {
  const { rows } = await client.query<StatusRow>(`${STATUS_SELECT} where ($1::text is null or m.stack = $1) ${ORDER}`, [f.stack ?? null]);
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
}

function toEvent(r: EventRow): ResourceEvent {
  return {
    id: Number(r.id),
    resourceId: r.resource_id,
    address: r.kind ? addressOf(r.kind, r.name) : r.name,
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

/** Events, oldest first: the newest `limit` matching the filter (all after `afterId` when following). */
export async function readEvents(client: pg.Client, f: EventFilter): Promise<ResourceEvent[]> {
  const { rows } = await client.query<EventRow>(
    `select * from (
       select e.id::text, e.resource_id::text, e.stack, e.kind::text as kind, e.name, coalesce(e.database, '') as database,
              e.type::text as type, e.reason, e.message, e.actor, e.created_at
         from xplane.events e
        where ($1::text is null or e.stack = $1)
          and ($2::uuid[] is null or e.resource_id = any($2::uuid[]))
          and ($3::text is null or e.type::text = $3)
          and e.id > $4
        order by e.id desc
        limit $5) newest
     order by id::bigint`,
    [f.stack ?? null, f.resourceIds ?? null, f.type ?? null, f.afterId ?? 0, f.limit ?? 50],
  );
  return rows.map(toEvent);
}

/** The resources an address names (more than one when the same name exists in several databases). */
export async function findResources(client: pg.Client, ref: ResourceRef, f: StatusFilter & { database?: string }): Promise<ResourceStatus[]> {
  const { rows } = await client.query<StatusRow>(
    `${STATUS_SELECT}
      where m.kind::text = $1 and m.name = any($2::text[]) and ($3::text is null or m.stack = $3) and ($4::text is null or m.database = $4)
      ${ORDER}`,
    [ref.kind, ref.names, f.stack ?? null, f.database ?? null],
  );
  return rows.map(toStatus);
}

/** Everything about one resource: the record, all its conditions, its recent events. */
export async function describeResource(client: pg.Client, id: string, eventLimit = 20): Promise<ResourceDescription | undefined> {
  const { rows } = await client.query<StatusRow & { spec: unknown; status: ResourceDescription['resource']['status']; provider_config: string; deletion_policy: string; finalizers: string[]; last_reconciled_at: Date | null }>(
    `${STATUS_SELECT.replace('m.created_at,', 'm.created_at, m.spec, m.status, m.provider_config, m.deletion_policy::text as deletion_policy, m.finalizers, m.last_reconciled_at,')}
      where m.id = $1`,
    [id],
  );
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
      status: r.status ?? {},
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
