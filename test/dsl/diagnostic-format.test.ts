// How diagnostics read: file:line:col, the source line, a caret under the range, the hint.
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, formatDiagnostics, parse } from '../../src/dsl/index.js';
import type { Diagnostic } from '../../src/dsl/diagnostics.js';

const at = (line: number, column: number, offset: number, length = 1): Diagnostic['range'] => ({
  file: 'main.xp',
  start: { line, column, offset },
  end: { line, column: column + length, offset: offset + length },
});

describe('formatDiagnostic', () => {
  it('prints the position, the message, the line and a caret as wide as the range, then the hint', () => {
    const text = 'role "x" {\n  owner = locl.owner\n}\n';
    const d: Diagnostic = { severity: 'error', message: 'unknown name "locl"', range: at(2, 11, 21, 4), hint: 'did you mean "local"?' };
    expect(formatDiagnostic(d, text, { color: false })).toBe(
      'main.xp:2:11: error: unknown name "locl"\n2 |   owner = locl.owner\n  |           ^^^^\nhint: did you mean "local"?\n',
    );
  });

  it('keeps tabs under tabs so the caret lines up', () => {
    const d: Diagnostic = { severity: 'warning', message: 'w', range: at(1, 3, 2) };
    expect(formatDiagnostic(d, '\t\tx = 1\n', { color: false })).toBe('main.xp:1:3: warning: w\n1 | \t\tx = 1\n  | \t\t^\n');
  });

  it('prints a caret at the end of a line for "found end of line"', () => {
    const text = 'a = 1\nb = \r\n';
    const [d] = parse('main.xp', text).diagnostics;
    expect(formatDiagnostic(d!, text, { color: false })).toBe('main.xp:2:5: error: expected an expression, found end of line\n2 | b = \n  |     ^\n');
  });

  it('colours only when asked', () => {
    const d: Diagnostic = { severity: 'error', message: 'm', range: at(1, 1, 0) };
    expect(formatDiagnostic(d, 'x\n', { color: true })).toContain('\u001b[');
    expect(formatDiagnostic(d, 'x\n', { color: false })).not.toContain('\u001b[');
  });

  it('prints a diagnostic without a range or source as one line', () => {
    expect(formatDiagnostic({ severity: 'error', message: 'no files' }, undefined, { color: false })).toBe('error: no files\n');
  });

  it('formats several diagnostics, each with its own file', () => {
    const a = parse('a.xp', 'x = \n').diagnostics;
    const b = parse('b.xp', 'y = [1 2]\n').diagnostics;
    const out = formatDiagnostics([...a, ...b], { 'a.xp': 'x = \n', 'b.xp': 'y = [1 2]\n' }, { color: false });
    expect(out).toContain('a.xp:1:5: error:');
    expect(out).toContain("b.xp:1:8: error: expected ',' or ']', found number 2\n1 | y = [1 2]\n  |        ^\n");
  });
});
