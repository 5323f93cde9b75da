// Realistic apply event sequences, as the walker emits them, for the view and TUI tests.
import { Writable } from 'node:stream';
import type { ApplyEvent, PlannedStep, ResourceAction } from '../../src/apply/events.js';

export const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);

type Builder = { events: ApplyEvent[]; at: (ms: number) => number };

function builder(): Builder {
  return { events: [], at: (ms) => T0 + ms };
}

function step(address: string, action: ResourceAction, dependsOn: string[] = []): PlannedStep {
  const type = address.split('.')[0]!;
  const kind = { database: 'Database', schema: 'Schema', role: 'Role', extension: 'Extension', service_account: 'ServiceAccount' }[type] ?? type;
  return { address, action, kind, dependsOn };
}

/** A small SaaS stack: an owner role, a database, a schema in it, an extension update, a service account. */
export const saasSteps: PlannedStep[] = [
  step('role.app_owner', 'create'),
  step('database.saas', 'create', ['role.app_owner']),
  step('schema.api', 'create', ['database.saas', 'role.app_owner']),
  step('extension.pgcrypto', 'update', ['database.saas']),
  step('service_account.app', 'create', ['schema.api']),
];

/** Everything succeeds; the database takes 12 s and reports progress at 10 s. */
export function successfulApply(): ApplyEvent[] {
  const { events, at } = builder();
  events.push({ type: 'start', at: at(0), operation: 'apply', steps: saasSteps });
  events.push({ type: 'resource_start', at: at(5), address: 'role.app_owner', action: 'create' });
  events.push({ type: 'resource_done', at: at(120), address: 'role.app_owner', action: 'create', statusCode: 'success', message: 'role "app_owner" created', elapsedMs: 115 });
  events.push({ type: 'resource_start', at: at(121), address: 'database.saas', action: 'create' });
  events.push({ type: 'resource_progress', at: at(10_121), address: 'database.saas', action: 'create', elapsedMs: 10_000 });
  events.push({ type: 'resource_done', at: at(12_300), address: 'database.saas', action: 'create', statusCode: 'success', message: 'database "saas" created', elapsedMs: 12_179 });
  events.push({ type: 'resource_start', at: at(12_301), address: 'schema.api', action: 'create' });
  events.push({ type: 'resource_start', at: at(12_302), address: 'extension.pgcrypto', action: 'update' });
  events.push({ type: 'resource_done', at: at(12_400), address: 'schema.api', action: 'create', statusCode: 'already_exists', message: 'schema "api" already exists; adopted', elapsedMs: 99 });
  events.push({ type: 'resource_start', at: at(12_401), address: 'service_account.app', action: 'create' });
  events.push({ type: 'resource_done', at: at(12_450), address: 'extension.pgcrypto', action: 'update', statusCode: 'updated', message: 'extension "pgcrypto" updated to 1.3', elapsedMs: 148 });
  events.push({ type: 'resource_done', at: at(12_600), address: 'service_account.app', action: 'create', statusCode: 'success', message: 'role "app" created', elapsedMs: 199 });
  events.push({ type: 'complete', at: at(12_601), operation: 'apply', added: 4, changed: 1, destroyed: 0, failed: 0, skipped: 0, elapsedMs: 12_601 });
  return events;
}

/** The owner role is refused; what depends on it is not run. */
export function failedApply(): ApplyEvent[] {
  const { events, at } = builder();
  events.push({ type: 'start', at: at(0), operation: 'apply', steps: saasSteps });
  events.push({ type: 'resource_start', at: at(5), address: 'role.app_owner', action: 'create' });
  events.push({ type: 'resource_failed', at: at(40), address: 'role.app_owner', action: 'create', statusCode: 'permission_denied', message: 'permission denied to create role\nHINT: only roles with the CREATEROLE attribute may create roles', elapsedMs: 35 });
  for (const a of ['database.saas', 'schema.api', 'extension.pgcrypto', 'service_account.app']) {
    events.push({ type: 'resource_skipped', at: at(41), address: a, action: a.startsWith('extension') ? 'update' : 'create', upstream: 'role.app_owner' });
  }
  events.push({ type: 'complete', at: at(42), operation: 'apply', added: 0, changed: 0, destroyed: 0, failed: 1, skipped: 4, elapsedMs: 42 });
  return events;
}

export function destroyAll(): ApplyEvent[] {
  const { events, at } = builder();
  const steps = [step('schema.api', 'delete'), step('database.saas', 'delete', ['schema.api'])];
  events.push({ type: 'start', at: at(0), operation: 'destroy', steps });
  events.push({ type: 'resource_start', at: at(1), address: 'schema.api', action: 'delete' });
  events.push({ type: 'resource_done', at: at(30), address: 'schema.api', action: 'delete', statusCode: 'success', message: 'schema "api" dropped', elapsedMs: 29 });
  events.push({ type: 'resource_start', at: at(31), address: 'database.saas', action: 'delete' });
  events.push({ type: 'resource_done', at: at(900), address: 'database.saas', action: 'delete', statusCode: 'success', message: 'database "saas" dropped', elapsedMs: 869 });
  events.push({ type: 'complete', at: at(901), operation: 'destroy', added: 0, changed: 0, destroyed: 2, failed: 0, skipped: 0, elapsedMs: 901 });
  return events;
}

/**
 * A large run: `n` tenants, each a schema in one database plus a service account, walked
 * `parallelism` at a time; tenant 17's account fails (if n > 17).
 */
export function largeApply(n: number, parallelism = 8): ApplyEvent[] {
  const { events, at } = builder();
  const steps: PlannedStep[] = [step('database.saas', 'create')];
  for (let i = 0; i < n; i++) {
    steps.push(step(`schema.tenant["t${i}"]`, 'create', ['database.saas']));
    steps.push(step(`service_account.tenant["t${i}"]`, 'create', [`schema.tenant["t${i}"]`]));
  }
  events.push({ type: 'start', at: at(0), operation: 'apply', steps });
  let t = 1;
  events.push({ type: 'resource_start', at: at(t++), address: 'database.saas', action: 'create' });
  events.push({ type: 'resource_done', at: at(t++), address: 'database.saas', action: 'create', statusCode: 'success', message: 'created', elapsedMs: 1 });
  let failed = 0;
  let skipped = 0;
  let added = 1;
  const todo = steps.slice(1).map((s) => s.address);
  while (todo.length > 0) {
    const batch = todo.splice(0, parallelism);
    for (const a of batch) events.push({ type: 'resource_start', at: at(t++), address: a, action: 'create' });
    for (const a of batch) {
      if (a === 'service_account.tenant["t17"]') {
        failed++;
        events.push({ type: 'resource_failed', at: at(t++), address: a, action: 'create', statusCode: 'invalid_spec', message: 'valid_until "soon" is not a timestamp', elapsedMs: 3 });
      } else {
        added++;
        events.push({ type: 'resource_done', at: at(t++), address: a, action: 'create', statusCode: 'success', message: 'created', elapsedMs: 3 });
      }
    }
  }
  events.push({ type: 'complete', at: at(t), operation: 'apply', added, changed: 0, destroyed: 0, failed, skipped, elapsedMs: t });
  return events;
}

/** A writable stream that keeps what is written to it. */
export function capture(isTTY = false): Writable & { text(): string; isTTY: boolean; columns: number } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  }) as Writable & { text(): string; isTTY: boolean; columns: number };
  w.text = () => chunks.join('');
  w.isTTY = isTTY;
  w.columns = 120;
  return w;
}
