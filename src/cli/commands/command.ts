// The shape of a command. src/cli/main.ts only wires flags to these; each command is an async
// function of its parsed options, in its own module, loaded when it runs.
export type FlagSpec =
  | { type: 'boolean'; short?: string; description: string }
  | { type: 'string'; short?: string; description: string; multiple?: boolean; placeholder?: string };

export interface CommandIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Colour on? Decided once in main.ts from --no-color, NO_COLOR, FORCE_COLOR and the TTY. */
  color: boolean;
}

export interface ParsedArgs {
  flags: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export type RunCommand = (args: ParsedArgs, io: CommandIO) => number | Promise<number>;

/** What a command module exports: src/cli/commands/<name>.ts. */
export interface CommandModule {
  run: RunCommand;
}

/**
 * A command as the registry lists it: what parsing and --help need, and how to load the code
 * that runs it (a dynamic import, so that `xp version` does not load the parser, pg or Ink).
 */
export interface Command {
  name: string;
  summary: string;
  /** e.g. "xp plan [dir] [flags]" */
  usage: string;
  flags: Record<string, FlagSpec>;
  /** Extra help text printed after the flags (examples, exit codes). */
  details?: string;
  load(): Promise<CommandModule>;
}
