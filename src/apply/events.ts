// Progress of an apply/destroy walk, as events. The walker emits them; the views
// (Ink TUI, plain lines, JSON lines) consume them through the ApplyView interface.
import type { PlanAction } from '../plan/types.js';

/** A step's action: the plan's (src/plan/types.ts). */
export type ResourceAction = PlanAction;

export interface PlannedStep {
  address: string;
  action: ResourceAction;
  kind: string;
  /**
   * Addresses this resource depends on, as declared. A create/update/replace waits for them; a
   * delete runs the other way round: it waits for the deletes of the steps that depend on it.
   */
  dependsOn: string[];
}

export type ApplyEvent =
  | { type: 'start'; at: number; operation: 'apply' | 'destroy'; steps: PlannedStep[] }
  | { type: 'resource_start'; at: number; address: string; action: ResourceAction }
  /** Emitted every ~10 s for long-running steps ("Still creating… (10s elapsed)"). */
  | { type: 'resource_progress'; at: number; address: string; action: ResourceAction; elapsedMs: number }
  | {
      type: 'resource_done';
      at: number;
      address: string;
      action: ResourceAction;
      /** xplane.status_code: success, updated, no_change, already_exists, … */
      statusCode: string;
      message: string;
      elapsedMs: number;
    }
  | {
      type: 'resource_failed';
      at: number;
      address: string;
      action: ResourceAction;
      /** error, permission_denied, invalid_spec, dependency_not_ready, … */
      statusCode: string;
      message: string;
      elapsedMs: number;
    }
  /** Not run because something it depends on failed (reported once, on the failed step). */
  | { type: 'resource_skipped'; at: number; address: string; action: ResourceAction; upstream: string }
  /**
   * Not run (or not finished: its outcome is unknown) because the connection to the server was
   * lost: the walk stops at the first lost connection and reports it once, in `interrupted`.
   */
  | { type: 'resource_not_run'; at: number; address: string; action: ResourceAction; reason: string }
  | { type: 'interrupted'; at: number; reason: string }
  | {
      type: 'complete';
      at: number;
      operation: 'apply' | 'destroy';
      /** Imported (`import` blocks): absent when none. */
      imported?: number;
      added: number;
      changed: number;
      destroyed: number;
      failed: number;
      skipped: number;
      elapsedMs: number;
    };

export interface ApplyView {
  onEvent(event: ApplyEvent): void;
  /** Called once when the walk is over; resolves when the view has flushed its output. */
  close(): Promise<void>;
}
