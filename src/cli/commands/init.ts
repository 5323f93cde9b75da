import type { Command } from '../command.js';
import { ExitCode, ExitError } from '../errors.js';
import { ensureProvider, scheduleReconcile } from '../../state/provider.js';
import { configDir, connectionFlags, startSession, str, userError } from './workspace.js';
import { parseDuration } from '../../state/lock.js';
import { ProviderInstallError } from '../../provider/install.js';

export const initCommand: Command = {
  name: 'init',
  summary: 'Install or upgrade the xplane provider in the control database',
  usage: 'xp init [flags]',
  flags: {
    ...connectionFlags,
    'reconcile-every': {
      type: 'string',
      placeholder: 'DURATION',
      description: 'Also schedule xplane.reconcile_all() with pg_cron (30s, 5m, 1h or a cron expression)',
    },
  },
  details: `plan and apply install the provider themselves when it is missing or older; init does it
explicitly and can schedule the in-database reconcile loop. Exit codes: 0 done, 1 error
(including --reconcile-every on a server without pg_cron: the provider is installed, the loop is not).`,
  async run({ flags, positionals }, io) {
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
  },
};
