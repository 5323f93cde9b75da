import type { CommandIO, ParsedArgs } from './command.js';
import { ExitCode, ExitError } from './errors.js';
import { ensureServer, serverPaths, serverStatus, stopServer } from '../../server/embedded.js';
import { displayParams, parseDatabaseUrl } from '../../state/connection.js';
import { userError } from './workspace.js';

export async function run({ positionals }: ParsedArgs, io: CommandIO): Promise<number> {
  const action = positionals[0] ?? 'status';
  const where = serverPaths(io.cwd).root;
  try {
    switch (action) {
      case 'status': {
        const s = await serverStatus(io.cwd);
        if (s.state === 'running') {
          io.stdout.write(`running: ${displayParams(parseDatabaseUrl(s.url))} (pid ${s.pid}, PostgreSQL ${s.info.createdBy ?? '?'}, data in ${where})\n`);
          return ExitCode.ok;
        }
        if (s.state === 'unresponsive') {
          io.stdout.write(`unresponsive: a PostgreSQL (pid ${s.pid}) runs on ${where} but does not accept connections\n`);
          return ExitCode.error;
        }
        io.stdout.write(s.state === 'stopped' ? `stopped (data in ${where}; \`xp server start\` starts it)\n` : `not created (no ${where}; the first plan/apply creates it)\n`);
        return 3;
      }
      case 'start': {
        const r = await ensureServer(io.cwd);
        io.stdout.write(`${r.outcome === 'reused' ? 'already running' : r.outcome === 'created' ? 'created and started' : 'started'}: ${displayParams(parseDatabaseUrl(r.url))}\n`);
        return ExitCode.ok;
      }
      case 'stop': {
        const r = await stopServer(io.cwd);
        io.stdout.write(r === 'stopped' ? 'stopped\n' : 'not running\n');
        return ExitCode.ok;
      }
      case 'url': {
        const s = await serverStatus(io.cwd);
        if (s.state !== 'running') throw new ExitError('the embedded server is not running', 1, 'Start it with `xp server start`.');
        io.stdout.write(`${s.url}\n`);
        return ExitCode.ok;
      }
      default:
        throw new ExitError(`unknown server action "${action}"`, ExitCode.usage, 'Expected one of: status, start, stop, url.');
    }
  } catch (err) {
    userError(err);
  }
}
