// Loading a configuration: every `*.xp` file of a directory, variables from var files,
// `--var` and `XP_VAR_*`, evaluated and graphed. The one entry point validate, graph, plan
// and apply share. Reads files, never the process environment: the caller passes `env`.
import { readFileSync, statSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import type { Expression, File } from '../dsl/ast.js';
import type { Diagnostic } from '../dsl/diagnostics.js';
import { fastParse } from '../dsl/fast-parser.js';
import { fullFrontEnd, loadFullFrontEnd, parseLoaded, parseText } from '../dsl/front-end.js';
import { decodeSource } from '../dsl/source.js';
import { buildGraph, type ResourceGraph } from '../graph/index.js';
import { evaluate, type VariableInput } from './evaluate.js';
import type { ModuleLoader } from './modules.js';
import { configurationFileNames } from './files.js';
import type { Configuration } from '../model/types.js';
import type { EvalValue } from './values.js';

export interface LoadOptions {
  /** `--var name=value` in command-line order (later wins), or a map. */
  vars?: readonly string[] | Readonly<Record<string, string>>;
  /** `--var-file` paths (relative to the working directory), in order. */
  varFiles?: readonly string[];
  /** The directory as diagnostics name it (default: `dir`). */
  displayDir?: string;
  /** For `XP_VAR_name` and `env()`. */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface LoadResult {
  config?: Configuration;
  graph?: ResourceGraph;
  diagnostics: Diagnostic[];
  /** The text of every file read (configuration and var files), for showing source lines. */
  sources: Map<string, string>;
}

export async function loadConfiguration(dir: string, options: LoadOptions = {}): Promise<LoadResult> {
  const sources = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  const env = options.env ?? {};
  const fail = (message: string, hint?: string): LoadResult => ({
    diagnostics: [...diagnostics, { severity: 'error', message, ...(hint ? { hint } : {}) }],
    sources,
  });

  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) return fail(`"${dir}" is not a directory`);
    names = configurationFileNames(dir);
  } catch (err) {
    return fail(`cannot read the configuration directory "${dir}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (names.length === 0) return fail(`no configuration files (*.xp) in "${dir}"`, 'a configuration is every *.xp file of one directory');
  const read = readSources(dir, options.displayDir ?? dir, names, sources);
  // the full front end (src/dsl/front-end.ts) only for a file the fast path does not take
  if (read.some((f) => f.text !== undefined && !f.fast)) await loadFullFrontEnd();
  const files = parseSources(read, diagnostics);

  const variables: VariableInput[] = [];
  // precedence, lowest first: environment, var files, --var
  for (const key of Object.keys(env).sort()) {
    if (key.startsWith('XP_VAR_') && key.length > 7 && env[key] !== undefined) {
      variables.push({ name: key.slice(7), raw: env[key], source: key, parseRaw: rawParser(key) });
    }
  }
  for (const file of options.varFiles ?? []) variables.push(...(await readVarFile(file, sources, diagnostics)));
  const vars = options.vars ?? [];
  const pairs: [string, string][] = Array.isArray(vars)
    ? (vars as string[]).map((v) => {
        const eq = v.indexOf('=');
        if (eq <= 0) {
          diagnostics.push({ severity: 'error', message: `invalid --var "${v}": expected name=value` });
          return ['', ''];
        }
        return [v.slice(0, eq).trim(), v.slice(eq + 1)];
      })
    : Object.entries(vars as Record<string, string>);
  for (const [name, raw] of pairs) {
    if (name) variables.push({ name, raw, source: `--var ${name}`, parseRaw: rawParser(`--var ${name}`) });
  }

  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics, sources };
  // … and for what evaluation parses, before it starts (it is synchronous): a module's files
  // (read as its call is evaluated), template files, and raw variable values the fast path does
  // not take. Nothing else parses.
  if (
    files.some((f) => f.body.blocks.some((b) => b.type === 'module')) ||
    read.some((f) => f.text?.includes('templatefile')) ||
    variables.some((v) => 'raw' in v && !fastParse('<var>', rawValueText(v.raw)))
  ) {
    await loadFullFrontEnd();
  }

  // a module's files are read once, however many instances it has
  const modules = new Map<string, ReturnType<ModuleLoader>>();
  const loadModule: ModuleLoader = (moduleDir, displayDir) => {
    let loaded = modules.get(moduleDir);
    if (!loaded) {
      let moduleNames: string[];
      try {
        moduleNames = configurationFileNames(moduleDir);
      } catch (err) {
        loaded = { error: `cannot read the module directory "${displayDir}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
        modules.set(moduleDir, loaded);
        return loaded;
      }
      const found: Diagnostic[] = [];
      loaded = moduleNames.length === 0 ? { error: `no configuration files (*.xp) in the module directory "${displayDir}"` } : { files: parseSources(readSources(moduleDir, displayDir, moduleNames, sources), found), diagnostics: found };
      modules.set(moduleDir, loaded);
    }
    return loaded;
  };
  const evaluated = evaluate(files, { dir: resolve(dir), defaultStack: basename(resolve(dir)), variables, env, loadModule, displayDir: options.displayDir ?? dir });
  diagnostics.push(...evaluated.diagnostics);
  if (!evaluated.config) return { diagnostics, sources };
  const graphed = buildGraph(evaluated.config.resources);
  diagnostics.push(...graphed.diagnostics);
  if (!graphed.graph) return { diagnostics, sources };
  return { config: evaluated.config, graph: graphed.graph, diagnostics, sources };
}

/** A configuration file as read: its text and the fast path's AST, or why it cannot be read. */
interface SourceFile {
  path: string;
  text?: string;
  fast?: File;
  problem?: Diagnostic;
}

/** Reads the named files of a directory (their texts go to `sources`) and parses those the fast path takes. */
function readSources(dir: string, displayDir: string, names: readonly string[], sources: Map<string, string>): SourceFile[] {
  return names.map((name) => {
    const path = join(displayDir, name);
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(dir, name));
    } catch (err) {
      return { path, problem: { severity: 'error', message: `cannot read ${path}: ${(err as NodeJS.ErrnoException).code}` } };
    }
    const decoded = decodeSource(path, bytes);
    sources.set(path, decoded.text);
    if (!decoded.ok) return { path, problem: decoded.diagnostic };
    return { path, text: decoded.text, fast: fastParse(path, decoded.text) };
  });
}

/** The ASTs of files read by readSources, the others parsed by the full front end (loaded before); their mistakes go to `diagnostics`. */
function parseSources(read: readonly SourceFile[], diagnostics: Diagnostic[]): File[] {
  const files: File[] = [];
  for (const { path, text, fast, problem } of read) {
    if (problem || text === undefined) {
      if (problem) diagnostics.push(problem);
      continue;
    }
    if (fast) {
      files.push(fast);
      continue;
    }
    let parsed: ReturnType<typeof parseLoaded>;
    try {
      parsed = fullFrontEnd().parse(path, text);
    } catch (err) {
      // a recursive-descent parser has a depth limit: say so instead of a stack trace
      if (!(err instanceof RangeError && /call stack/i.test(err.message))) throw err;
      diagnostics.push({ severity: 'error', message: `${path}: expressions are nested too deeply to parse`, hint: 'split the expression into locals' });
      continue;
    }
    diagnostics.push(...parsed.diagnostics);
    files.push(parsed.ast);
  }
  return files;
}

/** A command-line value written as an expression (`'["a", "b"]'`), parsed with our parser. */
function rawParser(source: string) {
  return (raw: string): Expression | Diagnostic[] => {
    const parsed = parseLoaded(`<${source}>`, rawValueText(raw));
    const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
    const attr = parsed.ast.body.attributes[0];
    if (errors.length > 0 || !attr || parsed.ast.body.items.length !== 1) {
      return errors.length > 0
        ? errors.map(({ range: _r, ...d }) => d)
        : [{ severity: 'error', message: `"${raw}" is not a single value` }];
    }
    const bad = notLiteral(attr.value);
    if (bad) return [{ severity: 'error', message: bad.message, hint: LITERAL_HINT }];
    return attr.value;
  };
}

/** A raw value as the text parsed for it. */
const rawValueText = (raw: string) => `value = ${raw}\n`;

const LITERAL_HINT = 'values from --var, --var-file and XP_VAR_* are literals (strings, numbers, booleans, null, lists and objects of them), as in Terraform: no function calls, references or operators';

/**
 * The first part of a value from outside the configuration that is not a literal, with what it
 * is. Such values are data: evaluating them would let `--var 'x=[env("…")]'` read the
 * environment (the admin URL) into a plan.
 */
export function notLiteral(e: Expression): { message: string; range: Expression['range'] } | undefined {
  const no = (what: string) => ({ message: `${what} is not allowed in a variable value`, range: e.range });
  switch (e.kind) {
    case 'Literal':
      return undefined;
    case 'Template': {
      const part = e.parts.find((p) => typeof p !== 'string');
      return part === undefined ? undefined : { ...no('a template interpolation (${…})'), range: (part).range };
    }
    case 'List':
      for (const item of e.items) {
        const bad = notLiteral(item);
        if (bad) return bad;
      }
      return undefined;
    case 'Object':
      for (const item of e.items) {
        const bad = (typeof item.key === 'string' ? undefined : notLiteral(item.key)) ?? notLiteral(item.value);
        if (bad) return bad;
      }
      return undefined;
    case 'Paren':
      return notLiteral(e.inner);
    case 'Unary':
      // a negative number is a literal
      return e.op === '-' && e.operand.kind === 'Literal' && typeof e.operand.value === 'number' ? undefined : no(`the operator "${e.op}"`);
    case 'Call':
      return no(`a function call (${e.name}())`);
    case 'Variable':
    case 'GetAttr':
    case 'Index':
      return no('a reference');
    case 'Binary':
      return no(`the operator "${e.op}"`);
    case 'Conditional':
      return no('a conditional expression');
    case 'For':
      return no('a for expression');
    case 'Splat':
    case 'SplatItem':
      return no('a splat expression ([*])');
    case 'TemplateInterp':
    case 'TemplateIf':
    case 'TemplateFor':
      return no('a template directive');
  }
}

/** A var file: JSON (`.json`) or `name = value` lines in the language. */
async function readVarFile(path: string, sources: Map<string, string>, diagnostics: Diagnostic[]): Promise<VariableInput[]> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    diagnostics.push({ severity: 'error', message: `cannot read var file "${path}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` });
    return [];
  }
  const decoded = decodeSource(path, bytes);
  const text = decoded.text;
  sources.set(path, text);
  if (!decoded.ok) {
    diagnostics.push(decoded.diagnostic);
    return [];
  }
  if (extname(path) === '.json') {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (err) {
      diagnostics.push({ severity: 'error', message: `var file "${path}" is not valid JSON: ${(err as Error).message}` });
      return [];
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      diagnostics.push({ severity: 'error', message: `var file "${path}" must hold a JSON object of variable values` });
      return [];
    }
    return Object.entries(data).map(([name, value]) => ({ name, value: value as EvalValue, source: path }));
  }
  const parsed = await parseText(path, text);
  diagnostics.push(...parsed.diagnostics);
  for (const b of parsed.ast.body.blocks) {
    diagnostics.push({ severity: 'error', message: `unexpected block "${b.type}" in a var file`, range: b.typeRange, hint: 'a var file holds name = value lines' });
  }
  const inputs: VariableInput[] = [];
  for (const a of parsed.ast.body.attributes) {
    const bad = notLiteral(a.value);
    if (bad) diagnostics.push({ severity: 'error', message: `variable "${a.name}": ${bad.message}`, range: bad.range, hint: LITERAL_HINT });
    else inputs.push({ name: a.name, expression: a.value, source: path });
  }
  return inputs;
}
