// Diagnostics for people: `file:line:col: error: message`, the source line, a caret under the
// range, and the hint. Colour is decided by the caller (the CLI decides it once).
import { Chalk } from 'chalk';
import type { Diagnostic } from './diagnostics.js';

export interface FormatOptions {
  color: boolean;
}

export function formatDiagnostic(d: Diagnostic, sourceText: string | undefined, { color }: FormatOptions): string {
  const c = new Chalk({ level: color ? 1 : 0 });
  const severity = d.severity === 'error' ? c.red.bold('error') : c.yellow.bold('warning');
  const where = d.range ? `${d.range.file}:${d.range.start.line}:${d.range.start.column}: ` : '';
  const lines = [`${c.bold(where)}${severity}: ${c.bold(d.message)}`];
  if (d.range && sourceText !== undefined) {
    const { start, end } = d.range;
    const line = lineAt(sourceText, start.offset);
    if (line !== undefined) {
      const gutter = String(start.line);
      const width = end.line === start.line ? Math.max(1, end.column - start.column) : Math.max(1, line.length - start.column + 1);
      // keep tabs under tabs so that the caret lines up whatever the tab width
      const pad = line.slice(0, start.column - 1).replace(/[^\t]/g, ' ');
      lines.push(`${c.dim(`${gutter} | `)}${line}`);
      lines.push(`${c.dim(`${' '.repeat(gutter.length)} | `)}${pad}${c.red.bold('^'.repeat(width))}`);
    }
  }
  if (d.hint) lines.push(`${c.cyan('hint')}: ${d.hint}`);
  return lines.join('\n') + '\n';
}

/** The line holding `offset`, without its line break: O(line length), not O(file). */
function lineAt(text: string, offset: number): string | undefined {
  if (offset < 0 || offset > text.length) return undefined;
  const from = text.lastIndexOf('\n', offset - 1) + 1;
  const nl = text.indexOf('\n', offset);
  return text.slice(from, nl < 0 ? text.length : nl).replace(/\r$/, '');
}

/** Several diagnostics, each with its own file's text (looked up by path). */
export function formatDiagnostics(
  diagnostics: readonly Diagnostic[],
  sources: ReadonlyMap<string, string> | Record<string, string>,
  options: FormatOptions,
): string {
  const isMap = (s: typeof sources): s is ReadonlyMap<string, string> => s instanceof Map;
  const get = (file: string | undefined) => (file === undefined ? undefined : isMap(sources) ? sources.get(file) : sources[file]);
  return diagnostics.map((d) => formatDiagnostic(d, get(d.range?.file), options)).join('');
}
