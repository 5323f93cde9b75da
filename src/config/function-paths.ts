// Paths given to file functions (`file`, `fileexists`, `fileset`): relative to the configuration
// directory and confined to it. `..` that leaves it, an absolute path elsewhere, or a symbolic
// link that leads out of it is refused with a located error, so a configuration cannot read or
// probe files outside its own directory.
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { FunctionError } from './function-args.js';

const inside = (dir: string, path: string) => {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/** Whether `path` (already resolved) stays inside `dir` once symbolic links are followed; true when it does not exist. */
export function staysInside(dir: string, path: string): boolean {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return true; // nothing there (yet): the lexical check is the one that counts
  }
  let realDir: string;
  try {
    realDir = realpathSync(dir);
  } catch {
    realDir = dir;
  }
  return inside(realDir, real);
}

/** The absolute path of `path` (relative to `dir`), or a FunctionError when it leaves `dir`. */
export function configPath(dir: string, path: string, fn: string, argument = 0): string {
  const full = resolve(dir, path);
  if (!inside(resolve(dir), full) || !staysInside(dir, full)) {
    throw new FunctionError(`${fn}: "${path}" is outside the configuration directory (paths are relative to it and must stay inside it)`, argument);
  }
  return full;
}
