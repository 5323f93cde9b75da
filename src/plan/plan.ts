// assemblePlan: (desired, managed, observed) → Plan. Pure: no database, no clock, no process.
// Creates what is absent, updates in place what differs, replaces what --replace names,
// deletes only what this stack manages and no longer declares, and refuses (as errors in the
// plan) what would lose something without an explicit yes.
import { Sensitive, type KindName, type ResourceInstance } from '../model/types.js';
import { canonicalJson, compareAddresses, jsonEqual, sha256, sortByAddress } from './canonical.js';
import { createChanges, deleteChanges, diffAttributes, lifecycleChanges, recordedLifecycle } from './diff.js';
import { desiredSpecJson, maskOf, PASSWORD_KEY } from './desired.js';

/** What observe reports, as a ServiceAccount's `password`, for a verifier replaced on the server (xplane.roles_catalog). */
export const PASSWORD_CHANGED_OUTSIDE = 'password changed outside xp';
/** … and when it cannot tell: xp's role is not superuser, pg_authid is unreadable. */
export const PASSWORD_NOT_CHECKED = 'not checked';
import { HOLDS_DATA, refusals, type PlanEntry } from './refusals.js';
import { addressMatches, selectTargets, unknownReplaces } from './select.js';
import { identityDatabase, instanceKey, managedAddress, managedKey, TYPE_OF_KIND, uniqueUndeclaredAddresses } from './identity.js';
import { continues, continuity, NameMap, renamedObjects, renameTaken, staleNameError } from './renames.js';
import {
  PLAN_FORMAT_VERSION,
  type JsonObject,
  type ManagedRecord,
  type ObservedItem,
  type Plan,
  type PlanError,
  type PlanInput,
  type PlanOptions,
  type PlanSummary,
  type ResourceKey,
  type ResourcePlan,
  type ServerState,
  type PasswordState,
} from './types.js';

export const DEFAULT_OPTIONS: PlanOptions = { destroy: false, targets: [], replace: [], allowDataLoss: false };

function requireObserved(observed: PlanInput['observed'], key: ResourceKey, what: string): ObservedItem {
  const item = observed.get(key);
  // A missing observation is a bug in the caller (every desired and managed resource is observed).
  if (!item) throw new Error(`internal: ${what} was not observed (${key})`);
  return item;
}

function withoutPassword(spec: JsonObject): JsonObject {
  const { [PASSWORD_KEY]: _dropped, ...rest } = spec;
  return rest;
}

/**
 * `{ ...base, ...rest }`. Written with Object.assign because Node 20's V8 builds an object
 * literal that lists properties after a spread several times slower, which shows in a plan
 * of thousands of resources: `node bench/plan.mjs --tenants 1000`, median of 11, no-op plan
 * 55–60 ms, 113–117 ms with a spread here (first plan 52 → 92–96 ms). The keys keep their
 * order: base's, then rest's.
 */
function withBase<B extends object, R extends object>(base: B, rest: R): B & R {
  return Object.assign({}, base, rest);
}

function planDeclared(
  r: ResourceInstance,
  item: ObservedItem,
  managed: ManagedRecord | undefined,
  opts: PlanOptions,
  passwordState: PasswordState | undefined,
): ResourcePlan {
  const base = {
    address: r.address,
    type: r.type,
    kind: r.kind,
    name: r.name,
    database: identityDatabase(r.kind, r.spec),
    provider: r.provider,
    deletionPolicy: r.lifecycle.deletion_policy,
    ...lifecycleFields(r),
    dependsOn: sortByAddress(r.dependsOn, (a) => a),
    observedHash: '',
    ...(r.connectionSecret ? { connectionSecret: r.connectionSecret } : {}),
  };
  // Lifecycle settings that differ from the stack's record: shown and recorded like attributes.
  const lifecycle = managed ? lifecycleChanges(r.lifecycle, managed) : [];
  // A password is given when the configuration holds one (possibly marked sensitive); an unknown
  // one (the evaluator's marker for "generate it") is not.
  const pw = r.spec[PASSWORD_KEY];
  const passwordGiven = typeof (pw instanceof Sensitive ? pw.value : pw) === 'string';
  const sensitivePaths = Object.keys(r.spec)
    .filter((k) => k !== PASSWORD_KEY && maskOf(r.spec[k]) === 'sensitive')
    .sort();
  if (sensitivePaths.length > 0) Object.assign(base, { sensitivePaths });
  const isAccount = r.kind === 'ServiceAccount';
  const normalized = withoutPassword(item.normalized ?? {});

  if (item.observed === null) {
    const changes = createChanges(r.kind, normalized, r.spec);
    if (isAccount) changes.push(passwordGiven ? { path: PASSWORD_KEY, sensitive: true } : { path: PASSWORD_KEY, sensitive: true, unknown: true });
    changes.push(...lifecycle);
    return withBase(base, {
      action: 'create',
      // Recorded but absent: dropped by hand, or never created (its first create failed).
      ...(managed ? { reason: managed.observed_generation === 0 ? 'not created yet: an earlier create failed' : 'deleted outside xp: it is re-created' } : {}),
      changes,
      unchanged: 0,
      destructive: false,
      spec: normalized,
      ...(isAccount ? { passwordSource: passwordGiven ? 'configured' : 'generated' } : {}),
    }) as ResourcePlan;
  }

  const ignore = r.lifecycle.ignore_changes;
  if (r.import && managed === undefined) return planImport(r, item, base, normalized);
  const { changes, unchanged } = diffAttributes(r.kind, normalized, item.observed, r.spec, ignore);
  // Ignored attributes keep what the server has, so that apply leaves them alone.
  const spec: JsonObject = { ...normalized };
  for (const k of ignore) if (k in item.observed && k in spec) spec[k] = item.observed[k]!;

  const replaceRequested = opts.replace.some((p) => addressMatches(p, r.address));
  const forced = changes.some((c) => c.forcesReplacement);
  const drifted = managed !== undefined && changes.length > 0 && jsonEqual(withoutPassword(managed.spec), spec);

  if (replaceRequested || forced) {
    const rotate = isAccount && !forced;
    const all = [...changes];
    if (isAccount) all.push({ path: PASSWORD_KEY, sensitive: true, forcesReplacement: true, ...(passwordGiven ? {} : { unknown: true }) });
    all.push(...lifecycle);
    const reason = replaceRequested
      ? rotate
        ? 'requested by --replace: the password is rotated'
        : 'requested by --replace'
      : `${changes.filter((c) => c.forcesReplacement).map((c) => c.path).join(', ')} cannot change in place`;
    return withBase(base, {
      action: 'replace',
      reason,
      changes: all,
      unchanged,
      // Rotating a service account's password keeps the role: nothing is dropped.
      destructive: !rotate,
      ...(drifted ? { drifted } : {}),
      spec,
      ...(isAccount ? { passwordSource: passwordGiven ? 'configured' : 'generated' } : {}),
    }) as ResourcePlan;
  }

  // A password that no longer matches is set again: the configured one, or a new one when the
  // generated one is lost (its secret file is missing or out of date). So is a configured one
  // whose secret file does not hold it: setting it writes the file. One changed on the server
  // by hand (observe compares fingerprints of the verifiers) gets the recorded one back.
  const lost = isAccount && (passwordState === 'differs' || passwordState === 'secret-file');
  const changedOutside = isAccount && item.observed[PASSWORD_KEY] === PASSWORD_CHANGED_OUTSIDE && !ignore.includes(PASSWORD_KEY);
  const resetPassword = lost || changedOutside;
  if (resetPassword) changes.push({ path: PASSWORD_KEY, sensitive: true });
  const onlyLifecycle = changes.length === 0 && lifecycle.length > 0;
  changes.push(...lifecycle);
  const adopt = managed === undefined;
  const action = changes.length > 0 || adopt ? 'update' : 'no-op';
  const passwordReason = lost
    ? passwordState === 'secret-file'
      ? 'the connection secret file is missing or out of date: the configured password is set again and the file written'
      : passwordGiven
        ? 'the password differs from the configured one'
        : 'the generated password is lost (secret file missing or out of date): a new one is generated'
    : changedOutside
      ? PASSWORD_CHANGED_OUTSIDE + ': the recorded one is set again'
      : undefined;
  const reason = adopt
    ? `exists on the server, not yet managed by this stack: ${changes.length > 0 ? 'updated and ' : ''}adopted`
    : drifted && !(changedOutside && changes.length === 1 + lifecycle.length)
      ? 'drifted: changed outside xp'
      : onlyLifecycle
        ? 'lifecycle changed: recorded by xp, nothing changes on the server'
        : passwordReason;
  return withBase(base, {
    action,
    ...(reason ? { reason } : {}),
    changes,
    unchanged,
    destructive: false,
    ...(drifted || (changedOutside && !adopt) ? { drifted: true } : {}),
    spec,
    ...(isAccount ? { passwordSource: lost ? (passwordGiven ? 'configured' : 'generated') : 'keep' } : {}),
  }) as ResourcePlan;
}

/**
 * An `import` block's object, on the server and managed by no stack: apply records it as this
 * stack's and changes nothing. The spec recorded is the declared one with every attribute the
 * server reports at the server's value (as `ignore_changes` does for some), so neither this
 * apply nor the in-database loop changes the object; the next plan compares the declaration
 * with the server and shows what differs as ordinary updates. The reason counts them now.
 */
function planImport(r: ResourceInstance, item: ObservedItem, base: Partial<ResourcePlan>, normalized: JsonObject): ResourcePlan {
  const observed = item.observed!;
  const { changes, unchanged } = diffAttributes(r.kind, normalized, observed, r.spec, r.lifecycle.ignore_changes);
  const spec: JsonObject = { ...normalized };
  for (const k of Object.keys(spec)) if (k in observed) spec[k] = observed[k]!;
  const differ = [...new Set(changes.map((c) => c.path))];
  const reason =
    differ.length === 0
      ? 'exists on the server: recorded as managed by this stack, unchanged'
      : `exists on the server: recorded as managed by this stack, unchanged; the next plan updates what differs from the configuration (${differ.join(', ')})`;
  return withBase(base, {
    action: 'import',
    importId: r.import!.id,
    reason,
    changes: [],
    unchanged: unchanged + changes.length,
    destructive: false,
    spec,
    ...(r.kind === 'ServiceAccount' ? { passwordSource: 'keep' } : {}),
  }) as ResourcePlan;
}

/** The lifecycle fields of a step that declares a resource (left out when they are the defaults). */
function lifecycleFields(r: ResourceInstance): Pick<ResourcePlan, 'preventDestroy' | 'ignoreChanges'> {
  const l = recordedLifecycle(r.lifecycle);
  return { ...(l.prevent_destroy ? { preventDestroy: true } : {}), ...(l.ignore_changes.length > 0 ? { ignoreChanges: l.ignore_changes } : {}) };
}

function planDelete(
  m: ManagedRecord,
  item: ObservedItem | undefined,
  declared: ResourceInstance | undefined,
  reason: string,
): ResourcePlan {
  const orphan = (declared?.lifecycle.deletion_policy ?? m.deletion_policy) === 'orphan';
  const before = item?.observed ?? null;
  const gone = before === null;
  return {
    address: declared?.address ?? managedAddress(m),
    type: TYPE_OF_KIND[m.kind],
    kind: m.kind,
    name: m.name,
    database: m.database,
    provider: m.provider,
    action: 'delete',
    reason: orphan
      ? `${reason}; deletion_policy = "orphan": forgotten by xp, left on the server`
      : gone
        ? `${reason}; already absent from the server: only the record is removed`
        : reason,
    changes: deleteChanges(m.kind, withoutPassword(before ?? item?.normalized ?? m.spec)),
    unchanged: 0,
    destructive: !orphan && !gone,
    ...(orphan ? { orphan } : {}),
    spec: withoutPassword(m.spec),
    deletionPolicy: orphan ? 'orphan' : 'delete',
    dependsOn: declared ? sortByAddress(declared.dependsOn, (a) => a) : [],
    observedHash: '',
  };
}

/** Names a managed spec refers to, as (kind, database, name) identities, for delete ordering. */
function referencedIdentities(kind: KindName, database: string, spec: JsonObject): Array<[KindName, string, string]> {
  const refs: Array<[KindName, string, string]> = [];
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const db = str(spec['database']);
  if (db && kind !== 'Database') refs.push(['Database', '', db]);
  const owner = str(spec['owner']);
  if (owner) refs.push(['Role', '', owner], ['ServiceAccount', '', owner]);
  for (const r of Array.isArray(spec['member_of']) ? spec['member_of'] : []) {
    if (typeof r === 'string') refs.push(['Role', '', r], ['ServiceAccount', '', r]);
  }
  for (const s of Array.isArray(spec['schemas']) ? spec['schemas'] : []) {
    if (typeof s === 'string' && db) refs.push(['Schema', db, s]);
  }
  for (const g of Array.isArray(spec['grants']) ? spec['grants'] : []) {
    if (g === null || typeof g !== 'object' || Array.isArray(g)) continue;
    const gdb = str(g['database']) ?? db;
    if (gdb) refs.push(['Database', '', gdb]);
    const gs = str(g['schema']);
    if (gdb && gs) refs.push(['Schema', gdb, gs]);
  }
  if (kind === 'Extension') {
    const s = str(spec['schema']);
    if (s) refs.push(['Schema', database, s]);
  }
  return refs;
}

function summarise(resources: ResourcePlan[]): PlanSummary {
  const s: PlanSummary = { add: 0, change: 0, destroy: 0, forget: 0 };
  for (const r of resources) {
    if (r.action === 'create') s.add++;
    else if (r.action === 'update') s.change++;
    else if (r.action === 'import') s.import = (s.import ?? 0) + 1;
    else if (r.action === 'replace') {
      s.add++;
      s.destroy++;
    } else if (r.action === 'delete') {
      if (r.orphan) s.forget++;
      else s.destroy++;
    }
  }
  return s;
}

/** sha256 of one resource's observed state, contents and password state (and, renamed, of the object under its name now). */
export function observedHash(key: ResourceKey, state: ServerState, previous?: ResourceKey): string {
  const parts: unknown[] = [state.observed.get(key)?.observed ?? null, state.contents?.get(key) ?? null];
  const pw = state.passwords?.get(key);
  if (pw !== undefined) parts.push(pw);
  if (previous !== undefined && previous !== key) parts.push(state.observed.get(previous)?.observed ?? null);
  return sha256(canonicalJson(parts));
}

/**
 * sha256 of what the plan was computed from on the server side: the observed state of every
 * resource in the plan, the contents checked for drops, and the stack's managed records.
 */
export function observedFingerprint(keys: Iterable<ResourceKey>, server: ServerState, known?: ReadonlyMap<ResourceKey, string>): string {
  const sorted = [...new Set(keys)].sort();
  const state = sorted.map((k) => [k, known?.get(k) ?? observedHash(k, server)]);
  const records = server.managed
    .map((m) => [managedKey(m), withoutPassword(m.spec), m.deletion_policy, m.prevent_destroy ?? false, [...(m.ignore_changes ?? [])].sort()] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return sha256(canonicalJson({ state, records }));
}

/**
 * The plan, in phases: the declared resources by identity (two declaring one object is a
 * conflict), a step for each (declared, or managed and no longer declared), unique addresses,
 * the order of undeclared deletes, --replace and --target, the refusals, and the plan value.
 */
export function assemblePlan(input: PlanInput): Plan {
  const opts: PlanOptions = { ...DEFAULT_OPTIONS, ...input.options };
  const errors: PlanError[] = [];
  const declared = declaredByIdentity(input.config.resources, errors);
  errors.push(...foreignConflicts(declared, input.foreign ?? [], input.config.stack));
  const managed = new Map<ResourceKey, ManagedRecord>(input.managed.map((m) => [managedKey(m), m]));
  const entries = opts.destroy ? destroyEntries(declared, managed, input.observed) : applyEntries(declared, managed, input, opts, errors);
  giveUniqueAddresses(entries);
  orderUndeclaredDeletes(entries);
  errors.push(...unknownReplaces(entries, opts.replace));
  const selected = selectTargets(entries, opts, errors);
  for (const e of selected) errors.push(...refusals(e, input, opts));
  return planValue(selected, errors, opts, input);
}

/** The declared resources by identity; a second one declaring the same object is a conflict. */
function declaredByIdentity(resources: readonly ResourceInstance[], errors: PlanError[]): Map<ResourceKey, ResourceInstance> {
  const byKey = new Map<ResourceKey, ResourceInstance>();
  for (const r of resources) {
    const key = instanceKey(r);
    const other = byKey.get(key);
    if (other) {
      errors.push({
        code: 'conflict',
        address: r.address,
        message: `${r.address} and ${other.address} both declare ${r.type.replace('_', ' ')} "${r.name}"${where(r)}.`,
        hint: 'Give one of them a different name.',
      });
      continue;
    }
    byKey.set(key, r);
  }
  return byKey;
}

/** Declared resources another stack manages. */
function foreignConflicts(declared: ReadonlyMap<ResourceKey, ResourceInstance>, foreign: readonly ManagedRecord[], stack: string): PlanError[] {
  return foreign.flatMap((f) => {
    const r = declared.get(managedKey(f));
    if (!r || f.stack === stack) return [];
    return [
      {
        code: 'conflict' as const,
        address: r.address,
        message: `${r.address}: ${r.import ? 'cannot import: ' : ''}${r.type.replace('_', ' ')} "${r.name}" is owned by stack "${f.stack}", not "${stack}".`,
        hint: `Remove it from one of the two stacks, or destroy it in stack "${f.stack}" first.`,
      },
    ];
  });
}

/** `xp destroy`: a delete of everything the stack manages. */
function destroyEntries(
  declared: ReadonlyMap<ResourceKey, ResourceInstance>,
  managed: ReadonlyMap<ResourceKey, ManagedRecord>,
  observed: PlanInput['observed'],
): PlanEntry[] {
  return [...managed].map(([key, m]) => {
    const r = declared.get(key);
    const item = observed.get(key);
    return { key, managed: m, declared: r, ...(item ? { observed: item } : {}), plan: planDelete(m, item, r, 'destroy requested') };
  });
}

/** A step per declared resource (one the provider refused is an error), then deletes of what is no longer declared. */
function applyEntries(
  declared: ReadonlyMap<ResourceKey, ResourceInstance>,
  managed: ReadonlyMap<ResourceKey, ManagedRecord>,
  input: PlanInput,
  opts: PlanOptions,
  errors: PlanError[],
): PlanEntry[] {
  const entries: PlanEntry[] = [];
  const cont = continuity(input.config.resources, input.managed, input.config.moved);
  const renamed = new NameMap(renamedObjects(input.config.resources, cont));
  for (const [key, r] of declared) {
    let item = requireObserved(input.observed, key, r.address);
    const stale = renamed.stale(r.kind, r.provider, desiredSpecJson(r));
    if (stale.length > 0) {
      errors.push(staleNameError(r.address, stale));
      continue;
    }
    if (item.normalized === null || item.error !== undefined) {
      errors.push({
        code: 'invalid_spec',
        address: r.address,
        message: `${r.address}: ${item.error ?? 'the provider refused its spec'}`,
        hint: 'Fix the attribute in the configuration (see docs/kinds).',
      });
      continue;
    }
    const pred = cont.byDeclared.get(key);
    const m = pred ? pred.record : managed.get(key);
    // Renamed, or in a database renamed: planned from the object as it is named now.
    const now = pred && pred.key !== key ? requireObserved(input.observed, pred.key, r.address) : undefined;
    if (pred?.renamedFrom !== undefined && now?.observed && item.observed) {
      errors.push(renameTaken(r, pred));
      continue;
    }
    const renamedOnServer = now?.observed != null;
    if (now?.observed) item = { ...item, observed: pred!.databaseFrom !== undefined ? { ...now.observed, database: identityDatabase(r.kind, r.spec) } : now.observed };
    if (r.import && !m && item.observed === null) {
      errors.push(importNotFound(r));
      continue;
    }
    const plan = planDeclared(r, item, m, opts, input.passwords?.get(key));
    if (pred) continues(plan, pred, renamedOnServer, errors);
    entries.push({ key, declared: r, managed: m, observed: item, plan, ...(pred && pred.key !== key ? { previousKey: pred.key } : {}) });
  }
  for (const [key, m] of managed) {
    if (declared.has(key) || cont.continued.has(key)) continue;
    const item = input.observed.get(key);
    entries.push({ key, managed: m, observed: item, plan: planDelete(m, item, undefined, 'no longer declared') });
  }
  return entries;
}

/** An `import` block whose object is not on the server: refused where the block is. */
function importNotFound(r: ResourceInstance): PlanError {
  const at = r.import!.range;
  return {
    code: 'import_not_found',
    address: r.address,
    message: `${at.file}:${at.start.line}:${at.start.column}: cannot import ${r.address}: ${r.type.replace('_', ' ')} "${r.name}"${where(r)} does not exist on the server.`,
    hint: 'Check the id (the PostgreSQL name), or remove the import block to create the object.',
  };
}

/** Every step needs its own address: a record no longer declared may carry one that is taken. */
function giveUniqueAddresses(entries: PlanEntry[]): void {
  const unique = uniqueUndeclaredAddresses(entries.map((e) => ({ address: e.plan.address, declared: e.declared !== undefined, record: e.managed })));
  entries.forEach((e, i) => (e.plan.address = unique[i]!));
}

/** The dependencies of deletes the configuration no longer describes: derived from their specs. */
function orderUndeclaredDeletes(entries: PlanEntry[]): void {
  const undeclared = entries.filter((e) => e.plan.action === 'delete' && !e.declared);
  if (undeclared.length === 0) return;
  const identity = (provider: string, kind: KindName, database: string, name: string) => JSON.stringify([provider, kind, database, name]);
  const addressOf = new Map(entries.map((e) => [identity(e.plan.provider, e.plan.kind, e.plan.database, e.plan.name), e.plan.address]));
  for (const e of undeclared) {
    const deps = new Set<string>();
    for (const [kind, db, name] of referencedIdentities(e.plan.kind, e.plan.database, e.plan.spec)) {
      const a = addressOf.get(identity(e.plan.provider, kind, db, name));
      if (a && a !== e.plan.address) deps.add(a);
    }
    e.plan.dependsOn = sortByAddress(deps, (a) => a);
  }
}

/** The plan value: resources by address, errors by address and code, and the hashes. */
function planValue(selected: PlanEntry[], errors: PlanError[], opts: PlanOptions, input: PlanInput): Plan {
  const resources = sortByAddress(
    selected.map((e) => e.plan),
    (p) => p.address,
  );
  errors.sort((a, b) => compareAddresses(a.address ?? '', b.address ?? '') || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  const plan: Plan = {
    formatVersion: PLAN_FORMAT_VERSION,
    stack: input.config.stack,
    operation: opts.destroy ? 'destroy' : 'apply',
    options: opts,
    resources,
    summary: summarise(resources),
    errors,
    ...notesOf(selected),
    fingerprint: '',
    ...stackModeChange(input, opts),
  };
  hashesOnRead(plan, selected, { ...input });
  return plan;
}

/** `stack { mode }` differs from what the stack recorded (a stack never applied: enforce). */
function stackModeChange(input: PlanInput, opts: PlanOptions): Pick<Plan, 'stackMode'> {
  const before = input.stackMode ?? 'enforce';
  const after = input.config.stackMode ?? 'enforce';
  return opts.destroy || before === after ? {} : { stackMode: { before, after } };
}

/** Whether applying the plan changes anything: a resource, or the stack's mode. */
export function planChanges(plan: Plan): boolean {
  return plan.stackMode !== undefined || plan.resources.some((r) => r.action !== 'no-op');
}

/** What the plan could not check, once for the whole plan. */
function notesOf(selected: readonly PlanEntry[]): Pick<Plan, 'notes'> {
  const unchecked = selected
    .filter((e) => e.plan.kind === 'ServiceAccount' && e.plan.action !== 'delete' && e.observed?.observed?.[PASSWORD_KEY] === PASSWORD_NOT_CHECKED)
    .map((e) => e.plan.provider);
  if (unchecked.length === 0) return {};
  const providers = [...new Set(unchecked)].sort();
  return {
    notes: [
      `Password drift of service accounts is not checked${providers.length > 1 || providers[0] !== 'default' ? ` (provider ${providers.map((p) => JSON.stringify(p)).join(', ')})` : ''}: the role xp connects as is not superuser, so it cannot read their stored verifiers (pg_authid).`,
    ],
  };
}

/**
 * The observed hashes and the fingerprint matter only to a plan that is saved, printed as JSON
 * or checked against the server later: each is computed when first read (an enumerable
 * property, so JSON.stringify and spreads see it like any other; assigning it replaces the
 * computation). It pays: `node bench/plan.mjs --tenants 1000` (3,000 resources), no-op plan,
 * median of 11: 57 ms without the hashes, 88 ms with them (three runs alike), and a plan or
 * apply assembles its plan up to three times (computePlan).
 */
function hashesOnRead(plan: Plan, selected: readonly PlanEntry[], server: ServerState): void {
  for (const e of selected) computedOnRead(e.plan, 'observedHash', () => observedHash(e.key, server, e.previousKey));
  computedOnRead(plan, 'fingerprint', () =>
    observedFingerprint(
      selected.map((e) => e.key),
      server,
      new Map(selected.map((e) => [e.key, e.plan.observedHash])),
    ),
  );
}

function computedOnRead<T extends object, K extends keyof T>(obj: T, key: K, compute: () => T[K]): void {
  const settle = (value: T[K]) => Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  Object.defineProperty(obj, key, {
    enumerable: true,
    configurable: true,
    get() {
      const value = compute();
      settle(value);
      return value;
    },
    set: settle,
  });
}

function where(r: ResourceInstance): string {
  const db = identityDatabase(r.kind, r.spec);
  return db ? ` in database "${db}"` : '';
}

/**
 * The changes of a plan the provider's self-protection check must see (xplane.protection_refusals):
 * updates, replaces and deletes. A create makes what does not exist, and what xp depends on exists.
 * A lifecycle setting is xp's own record, not the object's: it is not a change to check.
 */
export function changesToCheck(plan: Plan): Array<Pick<ResourcePlan, 'kind' | 'name' | 'database' | 'provider' | 'action'> & { changed: string[] }> {
  return plan.resources
    .filter((r) => r.action !== 'no-op' && r.action !== 'create' && r.action !== 'import' && !r.orphan)
    // A renamed object is checked under its name now.
    .map(({ kind, name, database, provider, action, changes, renamedFrom, databaseFrom }) => ({
      kind,
      name: renamedFrom ?? name,
      database: databaseFrom ?? database,
      provider,
      action,
      changed: [...new Set(changes.map((c) => c.path).filter((p) => !p.startsWith('lifecycle.')))],
    }));
}

/** Databases, schemas and extensions the plan would drop: what they hold must be counted (readContents). */
export function contentsToObserve(plan: Plan): Array<Pick<ResourcePlan, 'kind' | 'name' | 'database' | 'provider'>> {
  return plan.resources
    .filter((r) => r.destructive && HOLDS_DATA.has(r.kind))
    .map(({ kind, name, database, provider }) => ({ kind, name, database, provider }));
}
