// Words and numbers shared by every apply view (plain lines, the Ink view, JSON's messages),
// so that "Creating…", "Creation complete after 3s" and the final summary read the same
// everywhere.
import type { ApplyEvent, ResourceAction } from '../apply/events.js';

/** `950ms` → `0s`, `12_400` → `12s`, `83_000` → `1m23s`, `3_700_000` → `1h1m40s` (Terraform's style). */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/** Like formatDuration, with tenths under ten seconds (`0.1s`, `2.3s`): for the live view's columns. */
export function formatShortDuration(ms: number): string {
  if (ms < 10_000) return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
  return formatDuration(ms);
}

interface ActionWords {
  /** "Creating" */
  running: string;
  /** "creating", as in "Still creating…" */
  still: string;
  /** "Creation", as in "Creation complete after 2s" */
  noun: string;
  /** "created", a done row in the live view */
  done: string;
}

const words: Record<ResourceAction, ActionWords> = {
  create: { running: 'Creating', still: 'creating', noun: 'Creation', done: 'created' },
  update: { running: 'Modifying', still: 'modifying', noun: 'Modifications', done: 'updated' },
  replace: { running: 'Replacing', still: 'replacing', noun: 'Replacement', done: 'replaced' },
  delete: { running: 'Destroying', still: 'destroying', noun: 'Destruction', done: 'destroyed' },
  'no-op': { running: 'Checking', still: 'checking', noun: 'Check', done: 'unchanged' },
  import: { running: 'Importing', still: 'importing', noun: 'Import', done: 'imported' },
};

export function actionWords(action: ResourceAction): ActionWords {
  return words[action];
}

/**
 * The status code is worth showing on a success only when it says something the action does not:
 * `already_exists` on a create, `no_change` on an update, `not_found` on a delete.
 */
export function notableStatus(action: ResourceAction, statusCode: string): string | undefined {
  const expected: Record<ResourceAction, string[]> = {
    create: ['success'],
    update: ['success', 'updated'],
    replace: ['success', 'updated'],
    delete: ['success'],
    'no-op': ['success', 'no_change'],
    import: ['success', 'no_change'],
  };
  return expected[action].includes(statusCode) ? undefined : statusCode;
}

type Complete = Extract<ApplyEvent, { type: 'complete' }>;

/** Did the walk end without failures or an interruption? */
export function succeeded(complete: Complete, interrupted: boolean): boolean {
  return complete.failed === 0 && !interrupted;
}

/**
 * The last line of a run: Terraform's wording on success
 * (`Apply complete! Resources: 2 added, 1 changed, 0 destroyed.`, `Destroy complete! Resources: 3 destroyed.`),
 * and on failure the same counts plus what failed and what was not run.
 */
export function summaryLine(complete: Complete, interrupted = false): string {
  const counts =
    complete.operation === 'destroy'
      ? `${complete.destroyed} destroyed`
      : `${complete.imported ? `${complete.imported} imported, ` : ''}${complete.added} added, ${complete.changed} changed, ${complete.destroyed} destroyed`;
  const title = complete.operation === 'destroy' ? 'Destroy' : 'Apply';
  if (succeeded(complete, interrupted)) return `${title} complete! Resources: ${counts}.`;
  const extra: string[] = [];
  if (complete.failed > 0) extra.push(`${complete.failed} failed`);
  if (complete.skipped > 0) extra.push(`${complete.skipped} not run`);
  const why = interrupted ? 'interrupted' : 'failed';
  return `${title} ${why}! Resources: ${[counts, ...extra].join(', ')}.`;
}

/** A provider failure as one line: `permission_denied: permission denied to create role`. */
export function failureReason(statusCode: string, message: string): string {
  const text = message.trim().replace(/\s*\n\s*/g, ' ');
  return text ? `${statusCode}: ${text}` : statusCode;
}

/** The walker's interruption reason as a line: `Interrupted: SIGINT`, or its own wording when it already says so. */
export function interruptedLine(reason: string): string {
  const text = reason.trim();
  if (/^interrupted\b/i.test(text)) return text.charAt(0).toUpperCase() + text.slice(1);
  return `Interrupted: ${text}`;
}
