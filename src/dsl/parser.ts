// The grammar of the xp language, and nothing else: chevrotain builds a CST; the visitor in
// ast-builder.ts turns it into the AST. One instance is built at start-up and reused.
// Rules are class properties, so a misspelt SUBRULE does not compile.
import type { IParserConfig, IParserErrorMessageProvider, IToken, TokenType } from 'chevrotain';
import { CstParser, EOF, tokenMatcher } from './chevrotain.js';
import * as t from './tokens.js';

/** How a token type reads in "expected …" messages. */
export function describeTokenType(type: TokenType): string {
  if (type.name === 'EOF') return 'end of file';
  return type.LABEL ?? type.name;
}

/** How a token of the input reads in "…, found …" messages. */
export function describeToken(token: IToken): string {
  const type = token.tokenType;
  if (type.name === 'EOF') return 'end of file';
  if (type === t.Identifier) return `identifier "${token.image}"`;
  if (type === t.NumberLit) return `number ${token.image}`;
  if (type === t.UnterminatedStringEnd || type === t.Newline) return 'end of line';
  if (type === t.StringText || type === t.HeredocText) return describeTokenType(type);
  if (type === t.HeredocStart) return `heredoc "${token.image.trimEnd()}"`;
  return `'${token.image}'`;
}

function orList(items: string[]): string {
  const unique = [...new Set(items)];
  if (unique.length <= 1) return unique[0] ?? 'nothing';
  return `${unique.slice(0, -1).join(', ')} or ${unique[unique.length - 1]}`;
}

const firstTokens = (paths: TokenType[][]): string[] => paths.filter((p) => p.length > 0).map((p) => describeTokenType(p[0]!));

/** "expected …, found …" — the wording of every syntax error. */
export const errorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, previous, ruleName }) {
    // after an item of a list or a call, a comma could have come too
    const afterItem = previous.tokenType !== t.Comma && previous.tokenType !== t.LBracket && previous.tokenType !== t.LParen;
    if (afterItem && ((ruleName === 'listItems' && expected === t.RBracket) || (ruleName === 'functionCall' && expected === t.RParen))) {
      return `expected ',' or ${describeTokenType(expected)}, found ${describeToken(actual)}`;
    }
    return `expected ${describeTokenType(expected)}, found ${describeToken(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return `unexpected ${describeToken(firstRedundant)}, expected an attribute or a block`;
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual, customUserDescription }) {
    const expected = customUserDescription ?? orList(expectedPathsPerAlt.flatMap(firstTokens));
    return `expected ${expected}, found ${describeToken(actual[0]!)}`;
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual, customUserDescription }) {
    const expected = customUserDescription ?? orList(firstTokens(expectedIterationPaths));
    return `expected ${expected}, found ${describeToken(actual[0]!)}`;
  },
};

export class XpParser extends CstParser {
  constructor(config: Partial<IParserConfig> = {}) {
    super(t.allTokens, {
      recoveryEnabled: true,
      // ranges come from tokens (see AstBuilder.between): tracking node locations costs a third of parsing
      nodeLocationTracking: 'none',
      errorMessageProvider: errorMessages,
      maxLookahead: 3,
      // The grammar checks (ambiguities, left recursion) cost a third of a small command's
      // parse; test/dsl/definitions.test.ts runs them (skipValidations: false).
      skipValidations: true,
      ...config,
    });
    this.performSelfAnalysis();
  }

  /** A file is a body: attributes and blocks. (After a line that is neither, parse() resumes
   * on the next line.) */
  public file = this.RULE('file', () => {
    this.SUBRULE(this.body);
  });

  /** Attributes and blocks, one per line. */
  public body = this.RULE('body', () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(t.Newline) },
        {
          ALT: () => this.SUBRULE(this.attribute),
        },
        {
          ALT: () => this.SUBRULE(this.block),
        },
      ]);
    });
  });

  /** An item ends at the end of its line, at the `}` of a one-line block, or at the end of the
   * file. Part of the item's rule, so that error recovery resumes after the line. */
  private endOfItem(): void {
    this.OR9({
      DEF: [
        { ALT: () => this.CONSUME9(t.Newline) },
        { GATE: () => this.LA(1).tokenType === t.RCurly || this.LA(1).tokenType === EOF, ALT: () => {} },
      ],
      ERR_MSG: 'end of line',
    });
  }

  /** `name = expression` (a keyword is a name here: `in = …`) */
  public attribute = this.RULE('attribute', () => {
    this.CONSUME(t.Name);
    this.CONSUME(t.Equals);
    this.SUBRULE(this.expression);
    this.endOfItem();
  });

  /** `type "label" label2 { body }` */
  public block = this.RULE('block', () => {
    this.CONSUME(t.Identifier);
    this.MANY(() => this.SUBRULE(this.blockLabel));
    this.CONSUME(t.LCurly);
    this.SUBRULE(this.body);
    this.CONSUME(t.RCurly);
    this.endOfItem();
  });

  /** A quoted string without interpolation, or a bare identifier. */
  public blockLabel = this.RULE('blockLabel', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(t.StringStart);
          this.OPTION(() => this.CONSUME(t.StringText));
          this.CONSUME(t.StringEnd);
        },
      },
      { ALT: () => this.CONSUME(t.Identifier) },
    ]);
  });

  /**
   * Operands joined by binary operators, then optionally `? then : else`. Precedence is applied
   * by the visitor: one flat rule per chain is much faster than one rule per precedence level.
   */
  public expression = this.RULE('expression', () => {
    this.SUBRULE(this.operand);
    this.MANY(() => {
      this.CONSUME(t.BinaryOperator);
      this.SUBRULE2(this.operand);
    });
    this.OPTION(() => {
      this.CONSUME(t.Question);
      this.SUBRULE(this.expression);
      this.CONSUME(t.Colon);
      this.SUBRULE2(this.expression);
    });
  });

  /** `!` and `-` prefixes, a primary expression, then `.name` and `[index]` steps. Inlined in one
   * rule because almost every value goes through it. */
  public operand = this.RULE('operand', () => {
    this.MANY(() => {
      this.OR([{ ALT: () => this.CONSUME(t.Bang) }, { ALT: () => this.CONSUME(t.Minus) }]);
    });
    this.OR2({
      DEF: [
        { ALT: () => this.CONSUME(t.NumberLit) },
        { ALT: () => this.CONSUME(t.True) },
        { ALT: () => this.CONSUME(t.False) },
        { ALT: () => this.CONSUME(t.Null) },
        { ALT: () => this.SUBRULE(this.templateExpression) },
        { ALT: () => this.SUBRULE(this.heredocExpression) },
        { ALT: () => this.SUBRULE(this.listExpression) },
        { ALT: () => this.SUBRULE(this.objectExpression) },
        { ALT: () => this.SUBRULE(this.functionCall) },
        { ALT: () => this.CONSUME(t.Identifier) },
        { ALT: () => this.SUBRULE(this.parenExpression) },
      ],
      ERR_MSG: 'an expression',
    });
    this.MANY2(() => {
      this.OR3([
        {
          ALT: () => {
            this.CONSUME(t.Dot);
            this.OR4([{ ALT: () => this.CONSUME(t.Name) }, { ALT: () => this.CONSUME2(t.NumberLit) }, { ALT: () => this.CONSUME(t.Star) }]);
          },
        },
        {
          ALT: () => {
            this.CONSUME(t.LBracket);
            this.OR5([{ ALT: () => this.CONSUME2(t.Star) }, { ALT: () => this.SUBRULE(this.expression) }]);
            this.CONSUME(t.RBracket);
          },
        },
      ]);
    });
  });

  /** `"text ${expression} %{ if c }text%{ endif }"` */
  public templateExpression = this.RULE('templateExpression', () => {
    this.CONSUME(t.StringStart);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(t.StringText) },
        { ALT: () => this.SUBRULE(this.templateInterpolation) },
        { ALT: () => this.SUBRULE(this.templateDirective) },
      ]);
    });
    this.CONSUME(t.StringEnd);
  });

  /** `<<EOT` or `<<-EOT`, lines, `EOT` */
  public heredocExpression = this.RULE('heredocExpression', () => {
    this.CONSUME(t.HeredocStart);
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(t.HeredocText) },
        { ALT: () => this.SUBRULE(this.templateInterpolation) },
        { ALT: () => this.SUBRULE(this.templateDirective) },
      ]);
    });
    this.CONSUME(t.HeredocEnd);
  });

  /** The content of a template file (templatefile()), lexed in the template mode. */
  public templateFile = this.RULE('templateFile', () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(t.TemplateFileText) },
        { ALT: () => this.SUBRULE(this.templateInterpolation) },
        { ALT: () => this.SUBRULE(this.templateDirective) },
      ]);
    });
  });

  /** `${ expression }`, `${~ expression ~}` */
  public templateInterpolation = this.RULE('templateInterpolation', () => {
    this.CONSUME(t.TemplateOpen);
    this.SUBRULE(this.expression);
    this.OR({ DEF: [{ ALT: () => this.CONSUME(t.RCurly) }, { ALT: () => this.CONSUME(t.StripRCurly) }], ERR_MSG: "'}'" });
  });

  /** One tag of a directive: `%{ for k, v in xs }`, `%{ if c }`, `%{ else }`, `%{ endfor }`,
   * `%{ endif }` (with `~` strip markers). The visitor pairs the tags into for and if parts. */
  public templateDirective = this.RULE('templateDirective', () => {
    this.CONSUME(t.DirectiveOpen);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(t.For);
          this.CONSUME(t.Identifier);
          this.OPTION(() => {
            this.CONSUME(t.Comma);
            this.CONSUME2(t.Identifier);
          });
          this.CONSUME(t.In);
          this.SUBRULE(this.expression);
        },
      },
      {
        ALT: () => {
          this.CONSUME(t.If);
          this.SUBRULE2(this.expression);
        },
      },
      // else, endif, endfor
      { ALT: () => this.CONSUME3(t.Identifier) },
    ]);
    this.OR2({ DEF: [{ ALT: () => this.CONSUME(t.RCurly) }, { ALT: () => this.CONSUME(t.StripRCurly) }], ERR_MSG: "'}'" });
  });

  /** `[a, b, c]` or `[for x in xs : f(x) if c]` */
  public listExpression = this.RULE('listExpression', () => {
    this.CONSUME(t.LBracket);
    this.OR([
      {
        ALT: () => {
          this.SUBRULE(this.forListBody);
          this.CONSUME(t.RBracket);
        },
      },
      { ALT: () => this.SUBRULE(this.listItems) },
    ]);
  });

  /** `a, b, c]` — the items of a list and its `]` (a rule of its own for the message
   * "expected ',' or ']'"). */
  public listItems = this.RULE('listItems', () => {
    this.OPTION(() => {
      this.SUBRULE(this.expression);
      this.MANY(() => {
        this.CONSUME(t.Comma);
        this.SUBRULE2(this.expression);
      });
      this.OPTION2(() => this.CONSUME2(t.Comma));
    });
    this.CONSUME(t.RBracket);
  });

  /** `{ key = value, "k" = v, (expr) = v }` or `{ for k, v in m : k => v... if c }` */
  public objectExpression = this.RULE('objectExpression', () => {
    this.CONSUME(t.LCurly);
    this.OR([
      { ALT: () => this.SUBRULE(this.forObjectBody) },
      {
        ALT: () =>
          this.MANY(() => {
            this.OR2([
              { ALT: () => this.CONSUME(t.Newline) },
              {
                ALT: () => {
                  this.SUBRULE(this.objectItem);
                  this.OR3({
                    DEF: [
                      { ALT: () => this.CONSUME(t.Comma) },
                      { ALT: () => this.CONSUME2(t.Newline) },
                      { GATE: () => this.LA(1).tokenType === t.RCurly, ALT: () => {} },
                    ],
                    ERR_MSG: "',' or end of line",
                  });
                },
              },
            ]);
          }),
      },
    ]);
    this.CONSUME(t.RCurly);
  });

  /** `key = value` (or `key: value`); items are separated by commas or newlines. A bare name
   * key, keywords included (`{ if = 1 }`), is the string of its name. */
  public objectItem = this.RULE('objectItem', () => {
    this.OR2([
      { GATE: () => this.LA(2).tokenType === t.Equals || this.LA(2).tokenType === t.Colon, ALT: () => this.CONSUME(t.Name) },
      { ALT: () => this.SUBRULE(this.expression) },
    ]);
    this.OR([{ ALT: () => this.CONSUME(t.Equals) }, { ALT: () => this.CONSUME(t.Colon) }]);
    this.SUBRULE2(this.expression);
  });

  /** `for k, v in collection :` */
  public forIntro = this.RULE('forIntro', () => {
    this.CONSUME(t.For);
    this.CONSUME(t.Identifier);
    this.OPTION(() => {
      this.CONSUME(t.Comma);
      this.CONSUME2(t.Identifier);
    });
    this.CONSUME(t.In);
    this.SUBRULE(this.expression);
    this.CONSUME(t.Colon);
  });

  public forListBody = this.RULE('forListBody', () => {
    this.SUBRULE(this.forIntro);
    this.SUBRULE(this.expression);
    this.OPTION(() => this.SUBRULE(this.forCondition));
  });

  public forObjectBody = this.RULE('forObjectBody', () => {
    this.SUBRULE(this.forIntro);
    this.SUBRULE(this.expression);
    this.CONSUME(t.FatArrow);
    this.SUBRULE2(this.expression);
    this.OPTION(() => this.CONSUME(t.Ellipsis));
    this.OPTION2(() => this.SUBRULE(this.forCondition));
  });

  public forCondition = this.RULE('forCondition', () => {
    this.CONSUME(t.If);
    this.SUBRULE(this.expression);
  });

  /** `name(a, b, list...)` */
  public functionCall = this.RULE('functionCall', () => {
    this.CONSUME(t.Identifier);
    this.CONSUME(t.LParen);
    this.OPTION(() => {
      this.SUBRULE(this.expression);
      this.MANY(() => {
        this.CONSUME(t.Comma);
        this.SUBRULE2(this.expression);
      });
      this.OPTION2(() => this.CONSUME(t.Ellipsis));
      this.OPTION3(() => this.CONSUME2(t.Comma));
    });
    this.CONSUME(t.RParen);
  });

  public parenExpression = this.RULE('parenExpression', () => {
    this.CONSUME(t.LParen);
    this.SUBRULE(this.expression);
    this.CONSUME(t.RParen);
  });
}

/**
 * Where error recovery resumes. Chevrotain resumes at the first token that may follow the
 * failing rule, which after `a = 1 c` is the identifier `c`, mistaken for the start of the next
 * item; the errors then cascade to the end of the file. We resume only at tokens that end
 * something: the end of the line, a closing bracket, a comma, the end of the file.
 */
const resyncPoints = new Set<TokenType>([t.Newline, t.RCurly, t.RBracket, t.RParen, t.Comma, EOF]);
type Recoverable = { flattenFollowSet(): TokenType[]; LA(k: number): IToken };
Object.defineProperty(XpParser.prototype, 'findReSyncTokenType', {
  value(this: Recoverable): TokenType {
    const follows = this.flattenFollowSet().filter((type) => resyncPoints.has(type));
    for (let k = 1; ; k++) {
      const tok = this.LA(k);
      const match = follows.find((type) => tokenMatcher(tok, type));
      if (match) return match;
      if (tok.tokenType === EOF) return EOF;
    }
  },
});

// Inventing a `{` makes the rest of the file a block body and reports a second, far-away
// error at its end; without it the line alone is in error.
Object.defineProperty(XpParser.prototype, 'canTokenTypeBeInsertedInRecovery', {
  value: (type: TokenType) => type !== t.LCurly,
});

let instance: XpParser | undefined;
/** The one parser instance, built on first use: building it analyses the grammar, which is slow
 * (and the fast path of parse() needs no parser). */
export function getParser(): XpParser {
  return (instance ??= new XpParser());
}
