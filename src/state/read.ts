// State reads for plan and apply, batched: the stack's records from xplane.managed_resources
// in one query, the real state of every resource with one xplane.observe_many_json call per
// provider config (the server fans out per database), and — only for databases, schemas and
// extensions a plan would drop — what they hold, with one xplane.data_loss_many call per
// provider config (again one query per database concerned, on the server).
import type pg from 'pg';
import type { KindName, StackMode } from '../model/types.js';
import type { Contents, JsonObject, ManagedRecord, ObservedItem, ResourceKey } from '../plan/types.js';
import { resourceKey } from '../plan/identity.js';
import type { Missing, NameQuestion } from '../plan/names.js';

interface ManagedRow {
  id: string;
  stack: string;
  kind: KindName;
  name: string;
  database: string | null;
  provider_config: string;
  spec: JsonObject;
  deletion_policy: 'delete' | 'orphan';
  prevent_destroy: boolean;
  ignore_changes: string[];
  generation: number;
  observed_generation: number;
  address: string | null;
}

const MANAGED_COLUMNS = `id::text, stack, kind::text as kind, name, coalesce(database, '') as database, provider_config, spec,
        deletion_policy::text as deletion_policy, prevent_destroy, ignore_changes, generation, observed_generation, address`;

function toRecord(r: ManagedRow): ManagedRecord {
  return {
    id: r.id,
    stack: r.stack,
    kind: r.kind,
    name: r.name,
    database: r.database ?? '',
    provider: r.provider_config,
    spec: r.spec,
    deletion_policy: r.deletion_policy,
    prevent_destroy: r.prevent_destroy,
    ignore_changes: r.ignore_changes,
    generation: Number(r.generation),
    observed_generation: Number(r.observed_generation),
    ...(r.address ? { address: r.address } : {}),
  };
}

/** The stack's live records (not deleted), in one query. */
export async function readManaged(client: pg.Client, stack: string): Promise<ManagedRecord[]> {
  const { rows } = await client.query<ManagedRow>(
    `select ${MANAGED_COLUMNS} from xplane.managed_resources where stack = $1 and deleted_at is null order by kind, database, name`,
    [stack],
  );
  return rows.map(toRecord);
}

/** The stack's recorded mode (xplane.stacks), or null for a stack never applied. */
export async function readStackMode(client: pg.Client, stack: string): Promise<StackMode | null> {
  const { rows } = await client.query<{ mode: StackMode }>(`select mode::text as mode from xplane.stacks where name = $1`, [stack]);
  return rows[0]?.mode ?? null;
}

/**
 * Records of other stacks with any of these identities, deleted or not (xplane.upsert_resource
 * refuses both): the plan reports them as conflicts.
 */
export async function readForeign(client: pg.Client, stack: string, keys: ResourceKey[]): Promise<ManagedRecord[]> {
  if (keys.length === 0) return [];
  const ids = keys.map((k) => JSON.parse(k) as [string, string, string, string]);
  const { rows } = await client.query<ManagedRow>(
    `select ${MANAGED_COLUMNS}
       from xplane.managed_resources m
       join jsonb_to_recordset($2::jsonb) as k(p text, k text, d text, n text)
         on m.provider_config = k.p and m.kind::text = k.k and coalesce(m.database, '') = k.d and m.name = k.n
      where m.stack <> $1`,
    [stack, JSON.stringify(ids.map(([p, k, d, n]) => ({ p, k, d, n })))],
  );
  return rows.map(toRecord);
}

export interface ObserveRequest {
  kind: KindName;
  name: string;
  spec: JsonObject;
  provider: string;
}

interface ObserveManyItem {
  kind: KindName;
  name: string;
  database: string | null;
  normalized: JsonObject | null;
  observed: JsonObject | null;
  error?: string;
}

/** observe_many, one call per provider config; answers in request order. */
export async function observeAll(client: pg.Client, requests: ObserveRequest[]): Promise<ObservedItem[]> {
  const byProvider = new Map<string, number[]>();
  requests.forEach((r, i) => {
    const list = byProvider.get(r.provider) ?? [];
    list.push(i);
    byProvider.set(r.provider, list);
  });
  const out = new Array<ObservedItem>(requests.length);
  for (const [provider, indexes] of byProvider) {
    const items = indexes.map((i) => ({ kind: requests[i]!.kind, name: requests[i]!.name, spec: requests[i]!.spec }));
    const { rows } = await client.query<{ result: ObserveManyItem[] }>('select xplane.observe_many_json($1::jsonb, $2) as result', [
      JSON.stringify(items),
      provider,
    ]);
    const result = rows[0]?.result ?? [];
    indexes.forEach((reqIndex, j) => {
      const r = result[j]!;
      out[reqIndex] = {
        kind: r.kind,
        name: r.name,
        database: r.database ?? '',
        provider,
        normalized: r.normalized,
        observed: r.observed,
        ...(r.error !== undefined ? { error: r.error } : {}),
      };
    });
  }
  return out;
}

interface DataLossItem {
  count: number;
  tables: number;
  kinds: Record<string, number>;
  names: string[];
}

/**
 * What dropping these databases/schemas/extensions would destroy: xplane.data_loss_many, one
 * call per provider config (the server runs one catalog query per database concerned). A
 * target it could not check (a database that refuses connections) is left out: the plan treats
 * it as "may hold data".
 */
export async function readContents(
  client: pg.Client,
  targets: Array<{ kind: KindName; name: string; database: string; provider: string }>,
): Promise<Map<ResourceKey, Contents>> {
  const out = new Map<ResourceKey, Contents>();
  const byProvider = new Map<string, Array<(typeof targets)[number]>>();
  for (const t of targets) {
    const list = byProvider.get(t.provider) ?? [];
    list.push(t);
    byProvider.set(t.provider, list);
  }
  for (const [provider, list] of byProvider) {
    const items = list.map((t) => ({ kind: t.kind, name: t.name, database: t.kind === 'Database' ? '' : t.database }));
    const { rows } = await client.query<{ result: Array<DataLossItem | null> }>('select xplane.data_loss_many($1::jsonb, $2) as result', [
      JSON.stringify(items),
      provider,
    ]);
    const result = rows[0]?.result ?? [];
    list.forEach((t, i) => {
      const r = result[i];
      if (!r) return;
      out.set(resourceKey(t.provider, t.kind, t.kind === 'Database' ? '' : t.database, t.name), {
        tables: r.tables,
        objects: r.count - r.tables,
        kinds: r.kinds,
        examples: r.names,
      });
    });
  }
  return out;
}

/**
 * The provider's self-protection check for the changes of a plan (xplane.protection_refusals,
 * one round trip; none when nothing changes): the refusal of each change that would drop or
 * strip what xp depends on, by resource.
 */
export async function readRefusals(
  client: pg.Client,
  changes: Array<{ kind: KindName; name: string; database: string; provider: string; action: string; changed: string[] }>,
): Promise<Map<ResourceKey, string>> {
  const out = new Map<ResourceKey, string>();
  if (changes.length === 0) return out;
  const items = changes.map((c) => ({ action: c.action, kind: c.kind, name: c.name, database: c.database, changed: c.changed, provider_config: c.provider }));
  const { rows } = await client.query<{ refusals: Array<string | null> }>('select xplane.protection_refusals($1::jsonb) as refusals', [JSON.stringify(items)]);
  rows[0]!.refusals.forEach((message, i) => {
    const c = changes[i]!;
    if (message !== null) out.set(resourceKey(c.provider, c.kind, c.database, c.name), message);
  });
  return out;
}

/** Of the names and extensions asked about, per provider config, those its server does not have (xplane.missing_names). */
export async function readMissingNames(client: pg.Client, questions: readonly NameQuestion[]): Promise<Map<string, Missing>> {
  const out = new Map<string, Missing>();
  for (const q of questions) {
    const { rows } = await client.query<{ m: Missing }>('select xplane.missing_names($1, $2::text[], $3::text[], $4::jsonb, $5::text[], $6::jsonb, $7::jsonb, $8::text[], $9::jsonb) as m', [
      q.provider,
      q.databases,
      q.roles,
      JSON.stringify(q.extensions),
      q.locales,
      JSON.stringify(q.settings),
      // the objects of object-level grants ride along with the schemas (entries with "object")
      JSON.stringify([...q.schemas, ...(q.objects ?? [])]),
      q.tablespaces,
      JSON.stringify(q.relocations),
    ]);
    out.set(q.provider, rows[0]!.m);
  }
  return out;
}
