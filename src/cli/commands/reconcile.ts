// `xp reconcile` — run the provider's reconcile loop from the command line: once
// (`xplane.reconcile_all()`), or with --watch every N seconds, showing the stack's status live
// (the same view as `xp status --watch`) — for servers without pg_cron.
import type pg from 'pg';
import type { CommandIO, ParsedArgs } from './command.js';
import { ExitError, ExitCode } from './errors.js';
import { parseDuration } from '../../state/lock.js';
import { addressBook, readStatus, withAddresses } from '../../views/status/read.js';
import { statusTable } from '../../views/status/render.js';
import { isCI, isInteractive } from '../../views/interactive.js';
import { connect } from '../../state/connection.js';
import { abortOnSignals, chalkFor, controlSession, scopeOf, watchStatus } from './status.js';

/** One pass of the in-database loop: every due resource of the stack (or all), in dependency order. */
export async function reconcileOnce(client: pg.Client, stack: string | undefined): Promise<number> {
  const { rows } = await client.query<{ n: number }>('select xplane.reconcile_all($1) as n', [stack ?? null]);
  return Number(rows[0]?.n ?? 0);
}

const clock = (t: number) => new Date(t).toISOString().slice(11, 19);

export async function run(args: ParsedArgs, io: CommandIO): Promise<number> {
  const { stack, config } = await scopeOf(args, io);
  const json = Boolean(args.flags.json);
  const every = args.flags.every === undefined ? 30_000 : parseDuration(String(args.flags.every));
  if (every === null || every < 1000) throw new ExitError(`--every ${String(args.flags.every)}: expected a duration of at least 1s, such as 30s or 5m`, ExitCode.usage);
  const c = chalkFor(io);
  const width = io.stdout.isTTY ? io.stdout.columns : undefined;
  const session = await controlSession(args, io, 'reconcile', config);
  try {
    if (!args.flags.watch) {
      const n = await reconcileOnce(session.control, stack);
      if (json) {
        io.stdout.write(`${JSON.stringify({ reconciled: n, stack: stack ?? null })}\n`);
        return 0;
      }
      io.stdout.write(`Reconciled ${n} resource${n === 1 ? '' : 's'}${stack === undefined ? '' : ` of stack ${stack}`}.\n`);
      const rows = withAddresses(await readStatus(session.control, { stack }), addressBook(config));
      if (rows.length > 0) io.stdout.write(`\n${statusTable(rows, { c, now: Date.now(), width })}`);
      return 0;
    }
    // Two connections: one follows the status (LISTEN), one runs the passes, so a long pass
    // never holds up the view.
    const worker = await connect(session.target.params, session.applicationName, undefined, session.settings);
    const stop = abortOnSignals();
    const interactive = isInteractive({ isTTY: Boolean(io.stdout.isTTY), ci: isCI(io.env) });
    let last = 'first pass running…';
    let passFailure: unknown;
    const loop = (async () => {
      while (!stop.signal.aborted) {
        const t = Date.now();
        const n = await reconcileOnce(worker, stack);
        last = `last pass ${clock(t)}: ${n} reconciled; next in ${Math.round(every / 1000)}s`;
        if (json) io.stdout.write(`${JSON.stringify({ reconciled: n, stack: stack ?? null, at: new Date(t).toISOString() })}\n`);
        else if (!interactive) io.stdout.write(c.dim(`# ${clock(t)} reconciled ${n}\n`));
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, every);
          stop.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
        });
      }
    })().catch((err: unknown) => {
      passFailure = err;
      stop.abort();
    });
    const [watched] = await Promise.allSettled([
      watchStatus(session.control, io.stdout, { stack, json, interactive, c, width, signal: stop.signal, book: addressBook(config), footer: () => `Reconciling every ${Math.round(every / 1000)}s — ${last}` }).finally(() => stop.abort()),
      loop,
    ]);
    stop.dispose();
    await worker.end().catch(() => {});
    if (passFailure) throw new ExitError(`reconcile failed: ${(passFailure as Error).message}`);
    if (watched.status === 'rejected') throw new ExitError(`stopped following: ${(watched.reason as Error).message}`);
    return 0;
  } finally {
    await session.close();
  }
}
