// The JSON-lines apply view (`--json`): one JSON object per ApplyEvent, on stdout, exactly
// the event as src/apply/events.ts defines it (the schema of the stream), nothing else.
import type { ApplyEvent, ApplyView } from '../apply/events.js';
import { LineBuffer } from './buffered.js';
import type { OutputStream } from './buffered.js';
import { flush } from './plain.js';

export class JsonLinesApplyView implements ApplyView {
  /** One line per event, in order, written in batches (see buffered.ts). */
  private readonly lines: LineBuffer;

  constructor(private readonly stdout: OutputStream) {
    this.lines = new LineBuffer(stdout);
  }

  onEvent(event: ApplyEvent): void {
    this.lines.write(`${JSON.stringify(event)}\n`);
  }

  async close(): Promise<void> {
    this.lines.close();
    await flush(this.stdout);
  }
}
