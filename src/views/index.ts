// The one place that decides how an apply is shown:
//   --json                  → JSON lines, one object per event (src/views/json.ts)
//   a terminal, not CI      → the live Ink view (src/tui/)
//   anything else (CI, pipe) → plain lines, one per state change (src/views/plain.ts)
// All of them write the apply's progress and summary to stdout, as Terraform does; only the
// final error blocks go to stderr.
import type { ApplyView } from '../apply/events.js';
import { JsonLinesApplyView } from './json.js';
import { PlainApplyView, type OutputStream } from './plain.js';
import { LiveApplyView } from '../tui/live.js';

export type { OutputStream } from './plain.js';

export interface ApplyViewOptions {
  stdout: OutputStream;
  stderr: OutputStream;
  /** Is stdout a terminal? (`io.stdout.isTTY`) */
  isTTY: boolean;
  /** Running under CI? (`isCI(io.env)`) — CI terminals get plain lines too. */
  ci: boolean;
  /** Colours allowed (main.ts decides from --no-color, NO_COLOR, FORCE_COLOR, the TTY). */
  color: boolean;
  /** `--json`: one JSON object per event. */
  json: boolean;
  operation: 'apply' | 'destroy';
}

/** CI detection, as ink's own (is-in-ci): CI or CONTINUOUS_INTEGRATION set, and not "0"/"false". */
export function isCI(env: NodeJS.ProcessEnv): boolean {
  const set = (k: string) => env[k] !== undefined && env[k] !== '0' && env[k] !== 'false';
  return set('CI') || set('CONTINUOUS_INTEGRATION');
}

/** Live, redrawing output only on a terminal outside CI; everything else gets lines. */
export function isInteractive(options: Pick<ApplyViewOptions, 'isTTY' | 'ci'>): boolean {
  return options.isTTY && !options.ci;
}

export function createApplyView(options: ApplyViewOptions): ApplyView {
  if (options.json) return new JsonLinesApplyView(options.stdout);
  if (isInteractive(options)) return new LiveApplyView(options);
  return new PlainApplyView(options);
}
