// What a plan refuses (plan errors: the plan is shown but cannot be applied), one rule each:
// a connection secret xp may not write, what the server would refuse (a name neither declared
// nor on the server, an extension, locale or setting it lacks: names.ts), what the provider
// protects because xp depends on it,
// an attribute that cannot change in place, lifecycle { prevent_destroy }, and a drop that
// would destroy data without --allow-data-loss.
import type { KindName, ResourceInstance } from '../model/types.js';
import { describeDataLoss } from './data-loss.js';
import { PASSWORD_KEY } from './desired.js';
import { addressMatches } from './select.js';
import type { AttributeChange, Contents, DataLoss, ManagedRecord, ObservedItem, PlanError, PlanInput, PlanOptions, ResourceKey, ResourcePlan } from './types.js';

/** Kinds whose drop can destroy user objects (DROP … CASCADE). */
export const HOLDS_DATA: ReadonlySet<KindName> = new Set(['Database', 'Schema', 'Extension']);

/** A step of the plan being assembled, with what it was planned from. */
export interface PlanEntry {
  plan: ResourcePlan;
  key: ResourceKey;
  declared?: ResourceInstance;
  managed?: ManagedRecord;
  observed?: ObservedItem;
  /** Renamed: its identity on the server now (src/plan/renames.ts). */
  previousKey?: ResourceKey;
}

/**
 * The refusals of one step, in a fixed order. Sets the step's dataLoss when its drop would
 * destroy something (allowed or not); not asked once the step is refused for another reason.
 */
export function refusals(e: PlanEntry, input: PlanInput, opts: PlanOptions): PlanError[] {
  const unknownName = unknownNameRefusal(e, input);
  const selfProtection = selfProtectionRefusal(e, input);
  const immutable = immutableRefusal(e.plan, opts);
  // What else a drop would need (--allow-data-loss …) does not matter once it is refused.
  const refused = unknownName !== undefined || selfProtection !== undefined || immutable !== undefined;
  const found = [
    secretFileRefusal(e.plan, input),
    unknownName,
    privilegeRefusal(e, input),
    versionRefusal(e, input),
    selfProtection,
    immutable,
    preventDestroyRefusal(e),
    refused ? undefined : dataLossRefusal(e, input, opts),
  ];
  return found.filter((x): x is PlanError => x !== undefined);
}

/** A new password whose connection_secret file xp may not write. */
function secretFileRefusal(p: ResourcePlan, input: PlanInput): PlanError | undefined {
  const problem = input.secretFiles?.get(p.address);
  if (!problem || p.action === 'delete' || p.action === 'no-op' || p.passwordSource === undefined || p.passwordSource === 'keep') return undefined;
  return {
    code: 'secret_file',
    address: p.address,
    message: `${p.address}: its new password cannot be written: ${problem}`,
    hint: 'xp overwrites only the connection secret files it wrote itself, unchanged: move that file away, or choose another path.',
  };
}

/** `file:line:col: ` of a declaration, for a message; empty when it is not declared. */
function locationOf(r: ResourceInstance | undefined): string {
  return r ? `${r.range.file}:${r.range.start.line}:${r.range.start.column}: ` : '';
}

/** A create or change the server would refuse (src/plan/names.ts): refused before the first change. */
function unknownNameRefusal(e: PlanEntry, input: PlanInput): PlanError | undefined {
  const why = input.unknownNames?.get(e.key);
  // an import records what the server has: the declared names matter from the next plan on
  if (why === undefined || e.plan.action === 'delete' || e.plan.action === 'no-op' || e.plan.action === 'import') return undefined;
  return {
    code: 'unknown_name',
    address: e.plan.address,
    message: `${locationOf(e.declared)}${e.plan.address}: ${why}.`,
    hint: 'Declare it (a reference such as `owner = role.app` also orders the apply), correct the name, or create it on the server first.',
  };
}

/** A change only a superuser may make, while xp's role is not one: refused before the first change. */
function privilegeRefusal(e: PlanEntry, input: PlanInput): PlanError | undefined {
  const why = input.privileges?.get(e.key);
  if (why === undefined || e.plan.action === 'delete' || e.plan.action === 'no-op') return undefined;
  return {
    code: 'insufficient_privilege',
    address: e.plan.address,
    message: `${locationOf(e.declared)}${e.plan.address}: ${why}.`,
    hint: 'Connect xp as a superuser (its provider config), or make the role superuser by hand (ALTER ROLE … SUPERUSER): xp then keeps it as it is. Or remove superuser = true.',
  };
}

/** A change the server's version cannot make (membership inherit / set before 16): refused before the first change. */
function versionRefusal(e: PlanEntry, input: PlanInput): PlanError | undefined {
  const why = input.unsupported?.get(e.key);
  if (why === undefined || e.plan.action === 'delete' || e.plan.action === 'no-op') return undefined;
  return {
    code: 'feature_not_supported',
    address: e.plan.address,
    message: `${locationOf(e.declared)}${e.plan.address}: ${why}.`,
    hint: 'Remove inherit and set from the membership block (or make inherit the role\'s own), or upgrade the server to PostgreSQL 16 or later.',
  };
}

/** A change the provider refuses because xp depends on the object (xplane.protection_refusals). */
function selfProtectionRefusal(e: PlanEntry, input: PlanInput): PlanError | undefined {
  const why = input.refusals?.get(e.key) ?? (e.previousKey !== undefined ? input.refusals?.get(e.previousKey) : undefined);
  if (why === undefined || e.plan.orphan) return undefined;
  return {
    code: 'self_protection',
    address: e.plan.address,
    message: `${locationOf(e.declared)}${e.plan.address}: ${why}`,
    hint: e.declared
      ? 'Declare the value it has on the server (xp leaves what it depends on as it is), or change it by hand.'
      : 'To stop managing it, declare it again with lifecycle { deletion_policy = "orphan" }, apply, then remove it: xp forgets it and leaves it on the server.',
  };
}

/** A replace forced by an attribute that cannot change in place, without --replace. */
function immutableRefusal(p: ResourcePlan, opts: PlanOptions): PlanError | undefined {
  if (p.action !== 'replace') return undefined;
  const immutable = p.changes.filter((c) => c.forcesReplacement && c.path !== PASSWORD_KEY);
  if (immutable.length === 0 || opts.replace.some((r) => addressMatches(r, p.address))) return undefined;
  return {
    code: 'immutable_attribute',
    address: p.address,
    message: `${p.address}: ${immutable.map((x) => x.path).join(', ')} cannot change in place (${describe(immutable[0]!)}); xp never drops a ${p.type.replace('_', ' ')} silently.`,
    hint: `Keep the current value in the configuration, or re-create it with \`xp apply --replace ${p.address}\`${HOLDS_DATA.has(p.kind) ? ' (its data is lost: --allow-data-loss is needed when it holds any)' : ''}.`,
  };
}

/** A drop of what lifecycle { prevent_destroy } protects (no longer declared: as last applied). */
function preventDestroyRefusal(e: PlanEntry): PlanError | undefined {
  const p = e.plan;
  const recorded = !e.declared && e.managed?.prevent_destroy === true;
  if (!(e.declared?.lifecycle.prevent_destroy || recorded) || !p.destructive) return undefined;
  return {
    code: 'prevent_destroy',
    address: p.address,
    message: `${p.address} has lifecycle { prevent_destroy = true }${recorded ? ' (as last applied; it is no longer declared)' : ''}, but this plan would ${p.action === 'replace' ? 'replace' : 'destroy'} it.`,
    hint: recorded
      ? 'Declare it again without prevent_destroy (or with deletion_policy = "orphan" to keep it on the server) and apply, then remove it; or leave it out with --target.'
      : 'Remove prevent_destroy from its lifecycle block to allow it, or leave it out with --target.',
  };
}

/** A drop that destroys user objects (or may: contents not checked); sets the step's dataLoss. */
function dataLossRefusal(e: PlanEntry, input: PlanInput, opts: PlanOptions): PlanError | undefined {
  const p = e.plan;
  if (!p.destructive || !HOLDS_DATA.has(p.kind)) return undefined;
  const allowed = opts.allowDataLoss || e.managed?.spec['allow_data_loss'] === true || (e.observed?.normalized?.['allow_data_loss'] ?? null) === true;
  const loss = contentsDataLoss(input.contents?.get(e.key), allowed);
  if (!loss) return undefined;
  p.dataLoss = loss;
  if (allowed) return undefined;
  return {
    code: 'data_loss',
    address: p.address,
    message: `${p.address}: ${dataLossMessage(p, loss)}`,
    hint: 'Pass --allow-data-loss to drop it anyway, or set lifecycle { deletion_policy = "orphan" } to keep it on the server.',
  };
}

function contentsDataLoss(contents: Contents | undefined, allowed: boolean): DataLoss | undefined {
  if (!contents) return { checked: false, tables: 0, objects: 0, kinds: {}, examples: [], allowed };
  // Matches the provider (xplane.data_loss_sql): any user object that the drop would destroy.
  if (contents.tables + contents.objects === 0) return undefined;
  return { checked: true, tables: contents.tables, objects: contents.objects, kinds: { ...contents.kinds }, examples: contents.examples.slice(0, 5), allowed };
}

function dataLossMessage(p: ResourcePlan, loss: DataLoss): string {
  const kind = p.kind === 'Database' ? 'database' : p.kind === 'Schema' ? 'schema' : 'extension';
  const what = `${kind} "${p.name}"${p.kind !== 'Database' ? ` in database "${p.database}"` : ''}`;
  const verb = p.action === 'replace' ? 'Replacing' : 'Dropping';
  if (!loss.checked) return `${verb} ${what} may destroy data: its contents could not be checked.`;
  return `${verb} ${what} would destroy ${describeDataLoss(loss)}.`;
}

function describe(c: AttributeChange): string {
  const show = (v: unknown) => (v === undefined ? '(none)' : JSON.stringify(v));
  return `${show(c.before)} → ${c.unknown ? '(known after apply)' : show(c.after)}`;
}
