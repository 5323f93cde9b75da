// Compact source ranges: a range of the fast parser (src/dsl/fast-parser.ts) is its two offsets
// and the file's line table, not three objects (`{ file, start, end }` and two positions); on
// large configurations the positions were more than half of the AST's heap, and the garbage
// collector copies all of it while parsing. A Span is read like any SourceRange
// (`range.start.line`, `range.file`…): the positions are computed when read. JSON.stringify
// writes the plain form.
import type { Position, SourceRange } from './diagnostics.js';

/** A file's text and where its lines start (lines end at \n, as the lexer counts them). */
export class SourceLines {
  private starts: Int32Array | undefined;

  constructor(
    readonly path: string,
    private readonly text: string,
  ) {}

  /** Line (1-based), column (1-based, UTF-16 units) and offset of a 0-based offset. */
  position(offset: number): Position {
    const starts = (this.starts ??= lineStarts(this.text));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1, offset };
  }
}

function lineStarts(text: string): Int32Array {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  const starts = new Int32Array(n);
  let k = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts[k++] = i + 1;
  return starts;
}

/** The range [startOffset, endOffset) of a file. */
export class Span implements SourceRange {
  constructor(
    private readonly lines: SourceLines,
    readonly startOffset: number,
    readonly endOffset: number,
  ) {}

  get file(): string {
    return this.lines.path;
  }

  get start(): Position {
    return this.lines.position(this.startOffset);
  }

  get end(): Position {
    return this.lines.position(this.endOffset);
  }

  toJSON(): SourceRange {
    return { file: this.file, start: this.start, end: this.end };
  }
}
