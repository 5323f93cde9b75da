// The one place that decides how an apply is shown:
//   --json                  → JSON lines, one object per event (src/views/json.ts)
//   a terminal, not CI      → the live Ink view (src/tui/)
//   anything else (CI, pipe) → plain lines, one per state change (src/views/plain.ts)
// All of them write the apply's progress and summary to stdout, as Terraform does; only the
// final error blocks go to stderr.
import type { ApplyView } from '../../apply/events.js';
import { JsonLinesApplyView } from '../../views/json.js';
import type { OutputStream } from '../../views/buffered.js';
import { PlainApplyView } from '../../views/plain.js';
import { isInteractive } from '../../views/interactive.js';

export { isCI, isInteractive } from '../../views/interactive.js';

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

/** The view for these options; the live one is loaded only when chosen (ink and react: ~0.4 s). */
export async function createApplyView(options: ApplyViewOptions): Promise<ApplyView> {
  if (options.json) return new JsonLinesApplyView(options.stdout);
  if (isInteractive(options)) return new (await import('../../tui/live.js')).LiveApplyView(options);
  return new PlainApplyView(options);
}
