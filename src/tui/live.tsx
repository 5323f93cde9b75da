// The live apply view on a terminal: an ApplyView that buffers events and draws at most `fps`
// frames a second. Each frame applies the buffered events in one reducer pass and re-renders
// the (pure) ApplyScreen; finished rows are in <Static>, so a frame redraws only the running
// rows, the progress bar and the summary — never all the resources.
import { useEffect } from 'react';
import { render, useStderr, type Instance } from 'ink';
import type { ApplyEvent, ApplyView } from '../apply/events.js';
import type { OutputStream } from '../views/buffered.js';
import { ApplyScreen } from './components.js';
import { applyEvents, initialState, type ApplyState } from './state.js';

export interface LiveViewOptions {
  stdout: OutputStream;
  stderr: OutputStream;
  color: boolean;
  operation: 'apply' | 'destroy';
  /** Frames per second at most (default 10). */
  fps?: number;
  collapseAbove?: number;
  /** The clock (tests pass their own). */
  now?: () => number;
}

/** Hands Ink's stderr writer (which clears the live part, writes, and redraws it) to the view. */
function StderrBridge({ onWriter }: { onWriter: (write: (data: string) => void) => void }) {
  const { write } = useStderr();
  useEffect(() => onWriter(write), [write, onWriter]);
  return null;
}

export class LiveApplyView implements ApplyView {
  private state: ApplyState;
  private pending: ApplyEvent[] = [];
  private readonly instance: Instance;
  private readonly timer: NodeJS.Timeout;
  private readonly now: () => number;
  private closed = false;
  /** Frames drawn (for the smoothness measurements in bench/ and the tests). */
  frames = 0;
  private writeAbove?: (data: string) => void;
  private readonly restoreStderr: () => void;

  constructor(private readonly options: LiveViewOptions) {
    this.now = options.now ?? Date.now;
    this.state = initialState(this.now(), options.operation);
    const fps = options.fps ?? 10;
    // While the view is live, text others write to stderr (the CLI's "interrupt received…")
    // goes through Ink, above the live part, instead of tearing through it. Ink itself writes
    // to the stream underneath.
    const stderr = options.stderr;
    // eslint-disable-next-line @typescript-eslint/unbound-method -- put back as it was, unbound
    const original = stderr.write;
    const underneath = Object.create(stderr) as typeof stderr;
    underneath.write = original.bind(stderr);
    stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (this.writeAbove && typeof chunk === 'string') {
        this.writeAbove(chunk);
        const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
        cb?.();
        return true;
      }
      return (original as (...a: unknown[]) => boolean).call(stderr, chunk, ...rest);
    });
    this.restoreStderr = () => {
      stderr.write = original;
    };
    this.instance = render(this.screen(false), {
      stdout: options.stdout as NodeJS.WriteStream,
      stderr: underneath as NodeJS.WriteStream,
      exitOnCtrlC: false,
      patchConsole: false,
      maxFps: fps,
    });
    this.timer = setInterval(() => this.frame(false), Math.ceil(1000 / fps));
  }

  private screen(final: boolean) {
    const out = this.options.stdout;
    return (
      <>
        <StderrBridge onWriter={this.setWriter} />
        <ApplyScreen
          state={this.state}
          color={this.options.color}
          width={out.columns ?? 80}
          height={(out as { rows?: number }).rows ?? 24}
          final={final}
          collapseAbove={this.options.collapseAbove}
        />
      </>
    );
  }

  private readonly setWriter = (write: (data: string) => void) => {
    this.writeAbove = write;
  };

  private frame(final: boolean): void {
    const events = this.pending;
    this.pending = [];
    const next = applyEvents(this.state, events, this.now());
    if (next === this.state && !final) return;
    this.state = next;
    this.frames++;
    this.instance.rerender(this.screen(final));
  }

  onEvent(event: ApplyEvent): void {
    if (!this.closed) this.pending.push(event);
  }

  /** The state drawn last (for tests). */
  get current(): ApplyState {
    return this.state;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.restoreStderr();
    this.writeAbove = undefined;
    this.frame(true);
    this.instance.unmount();
    await this.instance.waitUntilExit();
  }
}
