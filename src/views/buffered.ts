// Progress lines batched into few writes. stdout on a pipe or a file is written synchronously
// by Node on Linux, so one write per line is one system call per line — thousands on a large
// apply, each blocking whenever the reader lags. Lines are kept in order and handed to the
// stream together: after a short delay, when enough has piled up, on flush()/close(), and on
// process exit (a second Ctrl-C exits at once; what was written so far still comes out).

/** Where a view writes: stdout or stderr, a pipe, a file, a test's capture. */
export type OutputStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

export interface LineBufferOptions {
  /** How long a line may wait before it is written (default 50 ms). */
  delayMs?: number;
  /** Written at once when this many characters are waiting (default 64 Ki). */
  maxChars?: number;
}

export class LineBuffer {
  private chunks: string[] = [];
  private size = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly delayMs: number;
  private readonly maxChars: number;
  private readonly onExit = () => this.flush();

  constructor(
    private readonly stream: OutputStream,
    options: LineBufferOptions = {},
  ) {
    this.delayMs = options.delayMs ?? 50;
    this.maxChars = options.maxChars ?? 64 * 1024;
    process.on('exit', this.onExit);
  }

  write(text: string): void {
    this.chunks.push(text);
    this.size += text.length;
    if (this.size >= this.maxChars) {
      this.flush();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), this.delayMs);
      this.timer.unref();
    }
  }

  /** Hands everything waiting to the stream, in one write. */
  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.chunks.length === 0) return;
    const text = this.chunks.length === 1 ? this.chunks[0]! : this.chunks.join('');
    this.chunks = [];
    this.size = 0;
    this.stream.write(text);
  }

  /** Flushes and stops watching for process exit. */
  close(): void {
    this.flush();
    process.off('exit', this.onExit);
  }
}
