// chevrotain, loaded from its single-file bundle. The package's entry point loads ~640 lodash
// modules (about half a second on every xp command); the bundle that ships beside it is the
// same code in one file. The exports map does not expose it, so it is found from the entry
// point; where import.meta.resolve is unavailable (some test runners) the entry point is used.
// Import chevrotain's values from here and its types from 'chevrotain'.
type Chevrotain = typeof import('chevrotain');

async function load(): Promise<Chevrotain> {
  try {
    return (await import(new URL('../chevrotain.mjs', import.meta.resolve('chevrotain')).href)) as Chevrotain;
  } catch {
    return import('chevrotain');
  }
}

const chevrotain = await load();

export const {
  Alternation,
  Alternative,
  CstParser,
  EOF,
  Lexer,
  NonTerminal,
  Option,
  Repetition,
  RepetitionMandatory,
  RepetitionMandatoryWithSeparator,
  RepetitionWithSeparator,
  Terminal,
  createSyntaxDiagramsCode,
  createToken,
  generateCstDts,
  tokenMatcher,
} = chevrotain;
