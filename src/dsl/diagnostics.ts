// Diagnostics are values, never exceptions: every stage returns them beside its result.
// Positions are 1-based (line, column) plus a 0-based character offset into the file.
export interface Position {
  line: number;
  column: number;
  offset: number;
}

export interface SourceRange {
  file: string;
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  severity: Severity;
  /** One sentence, lower-case start, no trailing period: "unknown attribute \"ownr\"". */
  message: string;
  range?: SourceRange;
  /** What to do about it: "did you mean \"owner\"?" */
  hint?: string;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
