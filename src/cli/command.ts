// The shape every command module has. src/cli/main.ts only wires flags to these;
// each command is an async function of its parsed options.
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

export interface Command {
  name: string;
  summary: string;
  /** e.g. "xp plan [dir] [flags]" */
  usage: string;
  flags: Record<string, FlagSpec>;
  /** Extra help text printed after the flags (examples, exit codes). */
  details?: string;
  run(args: ParsedArgs, io: CommandIO): Promise<number>;
}
