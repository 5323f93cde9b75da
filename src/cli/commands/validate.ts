// `xp validate [dir]`: parse, evaluate and graph a configuration without any database.
import type { CommandIO, ParsedArgs } from './command.js';
import { loadFromArgs, printDiagnostics } from './configuration.js';
import { ExitCode } from './errors.js';

export async function run(args: ParsedArgs, io: CommandIO): Promise<number> {
  const result = await loadFromArgs(args, io);
  const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = result.diagnostics.length - errors;
  if (args.flags['json']) {
    const out = {
      valid: errors === 0,
      error_count: errors,
      warning_count: warnings,
      resource_count: result.config?.resources.length ?? 0,
      diagnostics: result.diagnostics.map((d) => ({
        severity: d.severity,
        message: d.message,
        ...(d.hint ? { hint: d.hint } : {}),
        ...(d.range
          ? {
              range: {
                filename: d.range.file,
                start: { line: d.range.start.line, column: d.range.start.column, byte: d.range.start.offset },
                end: { line: d.range.end.line, column: d.range.end.column, byte: d.range.end.offset },
              },
            }
          : {}),
      })),
    };
    io.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return errors > 0 ? ExitCode.error : ExitCode.ok;
  }
  printDiagnostics(result, io); // warnings too
  if (errors > 0) {
    io.stderr.write(`\n${errors} error${errors === 1 ? '' : 's'}${warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}: the configuration is not valid.\n`);
    return ExitCode.error;
  }
  io.stdout.write('Success! The configuration is valid.\n'); // Terraform's words (the count is in --json)
  return ExitCode.ok;
}
