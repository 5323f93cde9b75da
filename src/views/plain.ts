// The plain-lines apply view: what CI logs and pipes get. One line per state change, no cursor
// movement, no spinners; long steps report "Still creating… (10s elapsed)"; the run ends with
// Terraform's summary line. Progress and the summary go to stdout (as Terraform's do); the
// error blocks at the end go to stderr.
import { Chalk, type ChalkInstance } from 'chalk';
import type { ApplyEvent, ApplyView, ResourceAction } from '../apply/events.js';
import { LineBuffer, type OutputStream } from './buffered.js';
import { actionWords, failureReason, formatDuration, interruptedLine, notableStatus, succeeded, summaryLine } from './format.js';

export interface PlainViewOptions {
  stdout: OutputStream;
  stderr: OutputStream;
  /** Colours only (SGR sequences); never cursor movement. */
  color: boolean;
}

interface Failure {
  address: string;
  action: ResourceAction;
  statusCode: string;
  message: string;
}

/** The error blocks printed at the end of a failed run (also used by the live view). */
export function errorBlocks(failures: Failure[], c: ChalkInstance): string {
  return failures
    .map((f) => {
      const body = f.message
        .trim()
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n');
      const head = `${c.red.bold('Error:')} ${c.bold(f.address)}: ${actionWords(f.action).noun.toLowerCase()} failed (${f.statusCode})`;
      return body.trim() ? `${head}\n${body}\n` : `${head}\n`;
    })
    .join('\n');
}

export class PlainApplyView implements ApplyView {
  private readonly c: ChalkInstance;
  private readonly failures: Failure[] = [];
  private interrupted = false;
  private errorsPrinted = false;
  /** One line per state change, in order, written in batches (see buffered.ts). */
  private readonly lines: LineBuffer;

  constructor(private readonly options: PlainViewOptions) {
    this.c = new Chalk({ level: options.color ? 1 : 0 });
    this.lines = new LineBuffer(options.stdout);
  }

  private out(line: string): void {
    this.lines.write(`${line}\n`);
  }

  onEvent(event: ApplyEvent): void {
    const c = this.c;
    switch (event.type) {
      case 'start':
        return;
      case 'resource_start':
        if (event.action === 'no-op') return;
        this.out(`${c.bold(event.address)}: ${actionWords(event.action).running}…`);
        return;
      case 'resource_progress':
        if (event.action === 'no-op') return;
        this.out(
          `${c.bold(event.address)}: Still ${actionWords(event.action).still}… (${formatDuration(event.elapsedMs)} elapsed)`,
        );
        return;
      case 'resource_done': {
        if (event.action === 'no-op') return;
        const notable = notableStatus(event.action, event.statusCode);
        const note = notable ? c.yellow(` (${failureReason(notable, event.message)})`) : '';
        this.out(
          `${c.bold(event.address)}: ${actionWords(event.action).noun} complete after ${formatDuration(event.elapsedMs)}${note}`,
        );
        return;
      }
      case 'resource_failed':
        this.failures.push(event);
        this.out(
          c.red(
            `${c.bold(event.address)}: ${actionWords(event.action).noun} failed after ${formatDuration(event.elapsedMs)} — ${failureReason(event.statusCode, event.message)}`,
          ),
        );
        return;
      case 'resource_skipped':
        this.out(c.yellow(`${c.bold(event.address)}: Not run — it depends on ${event.upstream}, which failed`));
        return;
      case 'resource_not_run':
        this.out(c.yellow(`${c.bold(event.address)}: Not run — ${event.reason}`));
        return;
      case 'interrupted':
        this.interrupted = true;
        this.out(c.yellow(interruptedLine(event.reason)));
        return;
      case 'complete': {
        const ok = succeeded(event, this.interrupted);
        const line = summaryLine(event, this.interrupted);
        this.out('');
        this.out(ok ? c.green.bold(line) : c.red.bold(line));
        this.printErrors();
        return;
      }
    }
  }

  private printErrors(): void {
    if (this.errorsPrinted || this.failures.length === 0) return;
    this.errorsPrinted = true;
    // The progress lines come out before the error blocks, also when both go to one terminal.
    this.lines.flush();
    this.options.stderr.write(`\n${errorBlocks(this.failures, this.c)}`);
  }

  async close(): Promise<void> {
    // A walk that ended without `complete` (a crash) still shows what failed.
    this.printErrors();
    this.lines.close();
    await flush(this.options.stdout);
    await flush(this.options.stderr);
  }
}

/** Resolves once everything written so far has been handed to the stream's target. */
export function flush(stream: OutputStream): Promise<void> {
  return new Promise((resolve) => {
    stream.write('', () => resolve());
  });
}
