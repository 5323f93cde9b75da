// Which files of a directory make up a configuration: the one place that lists them, for every
// command (validate, fmt, graph, plan, apply, output, destroy, status). A configuration is every
// regular file named `*.xp` in one directory, in name order. A directory named `*.xp` — such as
// the `.xp/` folder xp itself writes beside an applied configuration — is not one, nor is a
// socket or a FIFO; a symbolic link counts when it leads to a regular file.
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';

/** The names (not paths) of the configuration files in `dir`, sorted. Throws when `dir` cannot be read. */
export function configurationFileNames(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.name.endsWith('.xp') && isRegularFile(dir, entry))
    .map((entry) => entry.name)
    .sort();
}

/** Whether `dir` holds at least one configuration file (false when it cannot be read). */
export function hasConfigurationFiles(dir: string): boolean {
  try {
    return configurationFileNames(dir).length > 0;
  } catch {
    return false;
  }
}

function isRegularFile(dir: string, entry: Dirent): boolean {
  if (entry.isFile()) return true;
  if (!entry.isSymbolicLink()) return false;
  try {
    return statSync(join(dir, entry.name)).isFile();
  } catch {
    return false; // a dangling link
  }
}
