// The JSON-lines apply view (`--json`): one JSON object per ApplyEvent, on stdout, exactly
// the event as src/apply/events.ts defines it (the schema of the stream), nothing else.
import type { ApplyEvent, ApplyView } from '../apply/events.js';
import { flush, type OutputStream } from './plain.js';

export class JsonLinesApplyView implements ApplyView {
  constructor(private readonly stdout: OutputStream) {}

  onEvent(event: ApplyEvent): void {
    this.stdout.write(`${JSON.stringify(event)}\n`);
  }

  async close(): Promise<void> {
    await flush(this.stdout);
  }
}
