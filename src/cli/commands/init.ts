import type { CommandIO, ParsedArgs } from './command.js';
import { ExitCode, ExitError } from './errors.js';
import { ensureProvider, scheduleReconcile } from '../../state/provider.js';
import { configDir, startSession, str, userError } from './workspace.js';
import { parseDuration } from '../../state/lock.js';
import { ProviderInstallError } from '../../provider/install.js';

export async function run({ flags, positionals }: ParsedArgs, io: CommandIO): Promise<number> {
  const every = str(flags['reconcile-every']);
  if (every !== undefined && parseDuration(every) === null && every.trim().split(/\s+/).length !== 5)
    throw new ExitError(`--reconcile-every ${every}: expected a duration (30s, 5m, 1h) or a cron expression`);
  if (positionals[0] !== undefined) configDir(io, positionals[0]);
  const session = await startSession(io, flags, 'init', undefined, { install: false });
  try {
    const done = await ensureProvider(session, [], true).catch((err: unknown) => {
      if (err instanceof ProviderInstallError) throw new ExitError(err.message, 1, err.hint);
      return userError(err);
    });
    io.stdout.write(`${done ?? 'the xplane provider is current'} in ${session.target.display}\n`);
    if (every !== undefined) {
      const r = await scheduleReconcile(session.control, every);
      if (r.jobId === null) {
        io.stderr.write(
          `xp: cannot schedule the reconcile loop: ${r.reason}.\n` +
            `    Drift is healed by the next \`xp apply\`, or run \`select xplane.reconcile_all()\` on a schedule of your own.\n`,
        );
        return ExitCode.error;
      }
      io.stdout.write(`scheduled xplane.reconcile_all() every ${every} with pg_cron (job ${r.jobId})\n`);
    }
    return ExitCode.ok;
  } finally {
    await session.close();
  }
}
