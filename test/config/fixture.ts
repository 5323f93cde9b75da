// Builders for evaluator tests: configurations from source text, in memory or in a temp dir.
import { afterAll, expect } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { evaluate, type EvaluateOptions } from '../../src/config/evaluate.js';
import { loadConfiguration, type LoadOptions } from '../../src/config/load.js';
import type { Configuration, ResourceInstance, Value } from '../../src/model/types.js';
import { parse } from '../../src/dsl/index.js';
import { loadFullFrontEnd } from '../../src/dsl/front-end.js';

// evalText evaluates without the configuration loader, which loads the full front end first
// where evaluation may parse (templatefile): load it here. Whether the loader does it right is
// test/cli/front-end.test.ts's, in processes of their own.
await loadFullFrontEnd();

/** Evaluates one file of source text (no file system), failing on syntax errors. */
export function evalText(text: string, options: Partial<EvaluateOptions> = {}) {
  const { ast, diagnostics } = parse('main.xp', text);
  if (diagnostics.length > 0) throw new Error(`syntax errors in the fixture: ${diagnostics.map((d) => d.message).join('; ')}`);
  return evaluate([ast], { dir: tmpdir(), defaultStack: 'test', variables: [], env: {}, ...options });
}

/** The configuration of valid source text (throws with the diagnostics otherwise). */
export function configOf(text: string, options: Partial<EvaluateOptions> = {}): Configuration {
  const r = evalText(text, options);
  if (!r.config) throw new Error(`unexpected diagnostics:\n${r.diagnostics.map((d) => `${d.range?.start.line}:${d.range?.start.column} ${d.message}`).join('\n')}`);
  return r.config;
}

export function resource(config: Configuration, address: string): ResourceInstance {
  const r = config.resources.find((x) => x.address === address);
  if (!r) throw new Error(`no ${address} in ${config.resources.map((x) => x.address).join(', ')}`);
  return r;
}

/** The value of an expression, through an output (with `prelude` declaring what it needs). */
export function valueOf(expr: string, prelude = '', options: Partial<EvaluateOptions> = {}): Value {
  return configOf(`${prelude}\noutput "o" {\n  value = ${expr}\n  sensitive = true\n}\n`, options).outputs[0]!.value;
}

/** Error messages of source text that must not evaluate. */
export function errorsOf(text: string, options: Partial<EvaluateOptions> = {}): string[] {
  const r = evalText(text, options);
  expect(r.config).toBeUndefined();
  return r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
}

/** The error diagnostics (message, line:col, hint) of source text. */
export function diagnosticsOf(text: string) {
  const r = evalText(text);
  return r.diagnostics
    .filter((d) => d.severity === 'error')
    .map((d) => ({ message: d.message, at: d.range ? `${d.range.start.line}:${d.range.start.column}` : undefined, hint: d.hint }));
}

const made: string[] = [];
// registered in the suite of the test file that imports this module
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Writes files into a fresh temp directory (removed after the test file) and returns its path. */
export function tempDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'xp-config-'));
  made.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

export async function loadFiles(files: Record<string, string>, options: LoadOptions = {}) {
  const dir = tempDir(files);
  return { dir, ...(await loadConfiguration(dir, options)) };
}
