// What plan, apply, destroy, output and init share: reading the configuration (errors are
// reported before any connection is opened), deciding the connection, opening the session
// with the provider installed, and the flags that go with all that.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CommandIO, ParsedArgs } from './command.js';
import { ExitError } from './errors.js';
import { str } from './flags.js';
import type { Configuration } from '../../model/types.js';
import { ConnectionError, resolveConnection, type ConnectionTarget } from '../../state/connection.js';
import { EmbeddedServerError } from '../../server/embedded.js';
import { applicationName } from '../../state/lock.js';
import { LockError, parseDuration } from '../../state/lock.js';
import { openSession, type Session } from '../../apply/engine.js';
import { ensureProvider } from '../../state/provider.js';
import { SavedPlanError } from '../../plan/saved.js';
import { ProviderInstallError } from '../../provider/install.js';
import { SecretPathError } from '../../secrets/secret-file.js';

export { list, str } from './flags.js';

export function configDir(io: CommandIO, positional: string | undefined): string {
  const dir = resolve(io.cwd, positional ?? '.');
  if (!existsSync(dir)) throw new ExitError(`${positional ?? dir}: no such directory`);
  if (!statSync(dir).isDirectory()) throw new ExitError(`${positional}: not a directory`, 1, 'Pass the directory that holds the *.xp files.');
  return dir;
}

/** Evaluate the configuration (the one loader, ../configuration.ts); any error is printed (file:line:col) and ends the command. */
export async function readConfiguration(io: CommandIO, dir: string, flags: ParsedArgs['flags']): Promise<Configuration> {
  // Loaded here, not above: the language front end is not needed by `xp server` or `xp status`.
  const { loadAt, requireConfiguration } = await import('./configuration.js');
  return requireConfiguration(await loadAt(io, dir, flags), io, '; nothing was changed').config;
}

export function parallelism(flags: ParsedArgs['flags']): number {
  const raw = str(flags.parallelism);
  if (raw === undefined) return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new ExitError(`--parallelism ${raw}: expected a whole number from 1 to 64`);
  return n;
}

export function lockTimeout(flags: ParsedArgs['flags']): number {
  const raw = str(flags['lock-timeout']);
  if (raw === undefined) return 0;
  const ms = parseDuration(raw);
  if (ms === null) throw new ExitError(`--lock-timeout ${raw}: expected a duration such as 0s, 30s or 5m`);
  return ms;
}

/**
 * `--remote-lock-timeout`, `--remote-statement-timeout` (else XP_REMOTE_LOCK_TIMEOUT,
 * XP_REMOTE_STATEMENT_TIMEOUT): the session settings that bound every statement the provider
 * runs through dblink (xplane.remote_timeout; its defaults when none is given).
 */
export function remoteSettings(flags: ParsedArgs['flags'], env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [flag, variable, setting] of [
    ['remote-lock-timeout', 'XP_REMOTE_LOCK_TIMEOUT', 'xplane.remote_lock_timeout'],
    ['remote-statement-timeout', 'XP_REMOTE_STATEMENT_TIMEOUT', 'xplane.remote_statement_timeout'],
  ] as const) {
    const fromFlag = str(flags[flag]);
    const raw = fromFlag ?? env[variable];
    if (raw === undefined || raw === '') continue;
    const ms = parseDuration(raw);
    if (ms === null || ms < 1)
      throw new ExitError(`${fromFlag !== undefined ? `--${flag} ` : `${variable}=`}${raw}: expected a duration greater than zero, such as 30s or 5m`);
    out[setting] = `${ms}ms`;
  }
  return out;
}

/** Turn the engine's own errors into user-facing ones (no stack trace). */
export function userError(err: unknown): never {
  if (err instanceof ConnectionError || err instanceof EmbeddedServerError || err instanceof LockError || err instanceof SavedPlanError || err instanceof ProviderInstallError || err instanceof SecretPathError)
    throw new ExitError(err.message, 1, err.hint);
  // The server refused a statement (a SQLSTATE): say what it said, not a stack trace.
  const pgErr = err as { code?: unknown; severity?: unknown; message?: string; hint?: string };
  if (typeof pgErr?.code === 'string' && /^[0-9A-Z]{5}$/.test(pgErr.code) && typeof pgErr.severity === 'string')
    throw new ExitError(`the server refused: ${pgErr.message} [SQLSTATE ${pgErr.code}]`, 1, pgErr.hint);
  throw err;
}

/**
 * For commands that only read (plan): Ctrl-C or SIGTERM cancels what the session runs on the
 * server (its own and the provider's dblink sessions) and exits 130 at once. Returns the
 * function that removes the handlers.
 */
export function cancelOnSignal(io: CommandIO, session: Session): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    io.stderr.write(`\nxp: ${signal === 'SIGINT' ? 'interrupt' : signal} received: cancelling what xp runs on the server and exiting.\n`);
    void session.cancel().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

/** Resolve the connection, connect, and make sure the provider is installed and current. */
export async function startSession(
  io: CommandIO,
  flags: ParsedArgs['flags'],
  command: string,
  config?: Configuration,
  opts: { install?: boolean } = {},
): Promise<Session> {
  let target: ConnectionTarget;
  let session: Session;
  try {
    target = await resolveConnection({ databaseUrl: str(flags['database-url']), env: io.env, cwd: io.cwd, providers: config?.providers });
    if (target.embedded && target.embedded.outcome !== 'reused')
      io.stderr.write(`xp: ${target.embedded.outcome === 'created' ? 'created and started' : 'started'} the embedded PostgreSQL (${target.display}, data in .xp/)\n`);
    session = await openSession(target, applicationName(command), remoteSettings(flags, io.env));
  } catch (err) {
    userError(err);
  }
  try {
    if (opts.install !== false) {
      const done = await ensureProvider(session, config?.providers ?? []);
      if (done) io.stderr.write(`xp: ${done}\n`);
    }
  } catch (err) {
    await session.close();
    userError(err);
  }
  return session;
}
