// `xp events` — the provider's event stream (kubectl events): what reconciles did and why,
// oldest first; `--follow` keeps printing new events as they are recorded (LISTEN/NOTIFY).
import type { CommandIO, ParsedArgs } from './command.js';
import { ExitError, ExitCode } from './errors.js';
import { addressBook, eventStacks, readEvents, withAddresses, type EventFilter } from '../../views/status/read.js';
import { eventsTable } from '../../views/status/render.js';
import { follow } from '../../views/status/watch.js';
import { abortOnSignals, chalkFor, controlSession, scopeOf } from './status.js';
import { AmbiguousAddress, resolveAddress } from './describe.js';

export async function run(args: ParsedArgs, io: CommandIO): Promise<number> {
  const typeFlag = args.flags.type;
  let type: EventFilter['type'];
  if (typeFlag !== undefined) {
    const t = String(typeFlag).toLowerCase();
    if (t !== 'normal' && t !== 'warning') throw new ExitError(`--type must be Normal or Warning, not ${String(typeFlag)}`, ExitCode.usage);
    type = t === 'normal' ? 'Normal' : 'Warning';
  }
  const limit = args.flags.limit === undefined ? 50 : Number(args.flags.limit);
  if (!Number.isInteger(limit) || limit < 0) throw new ExitError(`--limit must be a whole number, not ${String(args.flags.limit)}`, ExitCode.usage);
  const { stack, config } = await scopeOf(args, io);
  const json = Boolean(args.flags.json);
  const c = chalkFor(io);
  const width = io.stdout.isTTY ? io.stdout.columns : undefined;
  const session = await controlSession(args, io, 'events', config);
  const client = session.control;
  try {
    const book = addressBook(config);
    const filter: EventFilter = { stack, type, limit };
    if (typeof args.flags.resource === 'string') {
      // An explicit resource is found wherever it lives, unless --stack narrows it (an address
      // recorded in several stacks: in this configuration's, see resolveAddress); one no
      // longer managed (destroyed) by the address its events were recorded at, in this
      // configuration's stack (or --stack's): an address means something in one stack only.
      const address = args.flags.resource;
      const stackFlag = typeof args.flags.stack === 'string' ? args.flags.stack : undefined;
      try {
        filter.resourceIds = (await resolveAddress(client, address, stackFlag, undefined, book, stack)).map((r) => r.id);
        filter.stack = undefined;
      } catch (err) {
        if (!(err instanceof ExitError) || err instanceof AmbiguousAddress || (await readEvents(client, { stack, address, limit: 1 })).length === 0) throw err;
        if (stack === undefined) {
          // no stack to look in (-A, or no configuration here): the address must name one
          const stacks = await eventStacks(client, address);
          if (stacks.length > 1) throw new AmbiguousAddress(address, stacks, undefined);
        }
        filter.address = address;
        filter.stack = stack;
      }
    }
    let lastId = 0;
    let header = true;
    const print = async () => {
      const events = withAddresses(await readEvents(client, lastId === 0 ? filter : { ...filter, afterId: lastId, limit: 10_000 }), book);
      if (events.length === 0) return;
      lastId = events.at(-1)!.id;
      if (json) for (const e of events) io.stdout.write(`${JSON.stringify(e)}\n`);
      else io.stdout.write(eventsTable(events, { c, now: Date.now(), width }, header));
      header = false;
    };
    if (!args.flags.follow) {
      await print();
      if (lastId === 0 && !json) io.stderr.write('No events.\n');
      return 0;
    }
    const stop = abortOnSignals();
    try {
      let first = true;
      await follow(client, {
        stack: filter.stack,
        signal: stop.signal,
        onChange: async () => {
          await print();
          // Listening from here on: say so (on stderr, so that stdout stays the events).
          if (first) io.stderr.write(`${lastId === 0 ? 'No events yet. ' : ''}Following new events — Ctrl-C to stop.\n`);
          first = false;
        },
      });
    } catch (err) {
      if (!stop.signal.aborted) throw new ExitError(`stopped following: ${(err as Error).message}`);
    } finally {
      stop.dispose();
    }
    return 0;
  } finally {
    await session.close();
  }
}
