// What the kubectl-like commands (`xp status`, `xp describe`, `xp events`) show: rows read from
// the provider's views (xplane.resource_status, xplane.recent_events) and tables, as plain
// values. src/views/status/read.ts fills them; render.ts turns them into text.
import type { KindName } from '../../model/types.js';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** One managed resource as `xp status` lists it. */
export interface ResourceStatus {
  id: string;
  /** The address it was declared under (as recorded, else `type.name`). */
  address: string;
  stack: string;
  kind: KindName;
  name: string;
  /** '' for cluster-wide kinds. */
  database: string;
  synced: ConditionStatus;
  ready: ConditionStatus;
  /** The reason of the condition that is not True (Ready first), else of Ready. */
  reason: string;
  message: string;
  generation: number;
  observedGeneration: number;
  failureCount: number;
  /** transient, validation, permanent; null when healthy. */
  lastFailureClass: string | null;
  createdAt: string;
  updatedAt: string;
  /** A deletion was requested and has not finished. */
  deleting: boolean;
  nextReconcileAt: string | null;
}

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransition: string;
}

export interface ResourceEvent {
  id: number;
  resourceId: string | null;
  address: string;
  stack: string;
  kind: KindName | null;
  name: string;
  database: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  actor: string;
  createdAt: string;
}

/** Everything `xp describe` shows about one resource. */
export interface ResourceDescription {
  resource: ResourceStatus & {
    spec: unknown;
    /** The observed state at the last reconcile (spec shape); null when absent or never observed. */
    observed: unknown;
    /** The last action: create, update, none, delete, observe, validate. */
    lastAction: string | null;
    /** Its status code (success, updated, no_change, …). */
    statusCode: string | null;
    /** LastAsyncOperation's reason and message. */
    lastOperation: string | null;
    lastOperationMessage: string | null;
    providerConfig: string;
    deletionPolicy: string;
    finalizers: string[];
    lastReconciledAt: string | null;
  };
  conditions: Condition[];
  events: ResourceEvent[];
}

/** kubectl's age: `45s`, `12m`, `5h`, `3d`, `2y` (largest unit, or two units below 10 of it). */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return h < 8 && m % 60 !== 0 ? `${h}h${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 365 * 2) return d < 8 && h % 24 !== 0 ? `${d}d${h % 24}h` : `${d}d`;
  return `${Math.floor(d / 365)}y`;
}
