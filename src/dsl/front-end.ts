// The language front end in two parts, loaded apart. The fast path (fast-parser.ts) parses the
// common forms without a single error and is all most commands load. The full front end
// (index.ts: chevrotain's lexer and parser, which report errors and recover from them, and
// parse heredocs, template directives and template files) costs ~60 ms of start-up, so it is
// imported only when a text needs it: loadFullFrontEnd(), which the configuration loader
// (src/config/load.ts) awaits before anything synchronous can need it.
import type { ParseResult } from './index.js';
import { fastParse } from './fast-parser.js';

type FullFrontEnd = Pick<typeof import('./index.js'), 'parse' | 'parseTemplate'>;

let full: FullFrontEnd | undefined;

/** Imports the full front end (once). */
export async function loadFullFrontEnd(): Promise<FullFrontEnd> {
  return (full ??= await import('./index.js'));
}

/** The full front end, which loadFullFrontEnd() has loaded. */
export function fullFrontEnd(): FullFrontEnd {
  if (!full) throw new Error('internal error: the full language front end is used before loadFullFrontEnd()');
  return full;
}

// (where the fast path gives up, index.ts's parse() tries it again before chevrotain: a text
// the fast path does not take is the rare case, and one parse() is the one truth of parsing)

/** parse() of index.ts: the fast path, else the full front end, which must be loaded already. */
export function parseLoaded(path: string, text: string): ParseResult {
  const ast = fastParse(path, text);
  return ast ? { ast, diagnostics: [] } : fullFrontEnd().parse(path, text);
}

/** parse() of index.ts, loading the full front end first when the fast path does not take the text. */
export async function parseText(path: string, text: string): Promise<ParseResult> {
  const ast = fastParse(path, text);
  return ast ? { ast, diagnostics: [] } : (await loadFullFrontEnd()).parse(path, text);
}
