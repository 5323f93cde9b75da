// State reads for plan and apply, batched: the stack's records from xplane.managed_resources
// in one query, the real state of every resource with one xplane.observe_many call per
// provider config (the server fans out per database), and — only for databases/schemas a plan
// would drop — their contents, with one connection per database concerned.
import type pg from 'pg';
import type { KindName } from '../config/types.js';
import type { Contents, JsonObject, ManagedRecord, ObservedItem, ResourceKey } from '../plan/types.js';
import { resourceKey } from '../plan/identity.js';
import { connect, type ConnectionParams } from './connection.js';

interface ManagedRow {
  id: string;
  stack: string;
  kind: KindName;
  name: string;
  database: string | null;
  provider_config: string;
  spec: JsonObject;
  deletion_policy: 'delete' | 'orphan';
  generation: number;
}

const MANAGED_COLUMNS = `id::text, stack, kind::text as kind, name, coalesce(database, '') as database, provider_config, spec,
        deletion_policy::text as deletion_policy, generation`;

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
    generation: Number(r.generation),
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
  const out: ObservedItem[] = new Array(requests.length);
  for (const [provider, indexes] of byProvider) {
    const items = indexes.map((i) => ({ kind: requests[i]!.kind, name: requests[i]!.name, spec: requests[i]!.spec }));
    const { rows } = await client.query<{ result: ObserveManyItem[] }>('select xplane.observe_many($1::jsonb, $2) as result', [
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

/**
 * What dropping these databases/schemas would destroy. One connection per database concerned
 * (the catalog of another database cannot be read from here).
 */
export async function readContents(
  params: ConnectionParams,
  applicationName: string,
  targets: Array<{ kind: KindName; name: string; database: string; provider: string }>,
): Promise<Map<ResourceKey, Contents>> {
  const out = new Map<ResourceKey, Contents>();
  const perDatabase = new Map<string, Array<(typeof targets)[number]>>();
  for (const t of targets) {
    const db = t.kind === 'Database' ? t.name : t.database;
    const list = perDatabase.get(db) ?? [];
    list.push(t);
    perDatabase.set(db, list);
  }
  for (const [db, list] of perDatabase) {
    let client: pg.Client;
    try {
      client = await connect(params, applicationName, db);
    } catch {
      continue; // absent or not connectable: nothing observed, the plan treats it as "may hold data"
    }
    try {
      const { rows } = await client.query<{ schema: string; tables: number; objects: number; examples: string[] }>(
        `with objs as (
           select n.nspname as schema, c.relkind in ('r', 'p', 'm', 'f') as is_table, format('%I.%I', n.nspname, c.relname) as qname
             from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
            where c.relkind in ('r', 'p', 'm', 'f', 'v', 'S')
              and n.nspname not in ('pg_catalog', 'information_schema', 'xplane', 'pg_toast') and n.nspname not like 'pg_temp%' and n.nspname not like 'pg_toast%'
              and not exists (select 1 from pg_catalog.pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
           union all
           select n.nspname, false, format('%I.%I', n.nspname, p.proname)
             from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
            where n.nspname not in ('pg_catalog', 'information_schema', 'xplane') and n.nspname not like 'pg_temp%'
              and not exists (select 1 from pg_catalog.pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e'))
         select schema, count(*) filter (where is_table)::int as tables, count(*) filter (where not is_table)::int as objects,
                (array_agg(qname order by not is_table, qname))[1:5] as examples
           from objs group by schema`,
      );
      for (const t of list) {
        const relevant = t.kind === 'Database' ? rows : rows.filter((r) => r.schema === t.name);
        const tables = relevant.reduce((n, r) => n + r.tables, 0);
        const objects = relevant.reduce((n, r) => n + r.objects, 0);
        const examples = relevant.flatMap((r) => r.examples).slice(0, 5);
        out.set(resourceKey(t.provider, t.kind, t.kind === 'Database' ? '' : t.database, t.name), { tables, objects, examples });
      }
    } finally {
      await client.end().catch(() => {});
    }
  }
  return out;
}
