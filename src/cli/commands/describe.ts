// `xp describe ADDR` — kubectl describe for one managed resource: identity, spec, observed
// state, the last operation, conditions with their transitions, recent events.
import type pg from 'pg';
import type { Command, CommandIO, ParsedArgs } from '../command.js';
import { ExitError, ExitCode } from '../errors.js';
import { describeResource, findResources, parseAddress } from '../../views/status/read.js';
import { describeText } from '../../views/status/render.js';
import type { ResourceStatus } from '../../views/status/model.js';
import { chalkFor, connectionFlags, controlSession, scopeOf, stackFlags } from './status.js';

/** The one resource an address names, or an ExitError that says why not (unknown, ambiguous). */
export async function resolveAddress(client: pg.Client, address: string, stack: string | undefined, database?: string): Promise<ResourceStatus[]> {
  const ref = parseAddress(address);
  if (!ref)
    throw new ExitError(
      `not a resource address: ${address}`,
      ExitCode.usage,
      'Expected TYPE.NAME (schema.api, role.app-owner), TYPE["name"] or Kind/name; `xp status` lists them.',
    );
  const found = await findResources(client, ref, { stack, database });
  if (found.length === 0)
    throw new ExitError(
      `no managed resource ${address}${stack === undefined ? '' : ` in stack ${stack}`}${database ? ` in database ${database}` : ''}`,
      1,
      stack === undefined ? '`xp status -A` lists the managed resources.' : '`xp status` lists them; -A looks in every stack.',
    );
  return found;
}

export const describeCommand: Command = {
  name: 'describe',
  summary: 'Show one resource in detail: spec, observed state, conditions, events (kubectl describe)',
  usage: 'xp describe ADDR [flags]',
  flags: {
    database: { type: 'string', description: 'The database of a per-database resource, when its name exists in several', placeholder: 'NAME' },
    stack: stackFlags.stack!,
    events: { type: 'string', description: 'How many recent events to show (default 20)', placeholder: 'N' },
    json: { type: 'boolean', description: 'JSON: {resource, conditions, events}' },
    ...connectionFlags,
  },
  details: `ADDR is the resource's address as \`xp status\` shows it: schema.api, role.app-owner,
role["my role"], or kubectl's Schema/api. It is looked up in every stack unless --stack
narrows it; a name that exists in several databases describes each (or pick one with --database).`,
  async run(args: ParsedArgs, io: CommandIO) {
    const address = args.positionals[0];
    if (!address || args.positionals.length > 1)
      throw new ExitError('xp describe takes one address', ExitCode.usage, 'Usage: xp describe ADDR (`xp status` lists them)');
    const eventLimit = args.flags.events === undefined ? 20 : Number(args.flags.events);
    if (!Number.isInteger(eventLimit) || eventLimit < 0) throw new ExitError(`--events must be a whole number, not ${String(args.flags.events)}`, ExitCode.usage);
    // The address alone says where to look: an explicit --stack narrows it; otherwise every stack.
    const stack = typeof args.flags.stack === 'string' ? args.flags.stack : undefined;
    const database = typeof args.flags.database === 'string' ? args.flags.database : undefined;
    const session = await controlSession(args, io, 'describe', scopeOf({ ...args, positionals: [] }, io).config);
    const client = session.control;
    try {
      const found = await resolveAddress(client, address, stack, database);
      const c = chalkFor(io);
      const descriptions = [];
      for (const r of found) {
        const d = await describeResource(client, r.id, eventLimit);
        if (d) descriptions.push(d);
      }
      if (args.flags.json) {
        io.stdout.write(`${JSON.stringify(descriptions.length === 1 ? descriptions[0] : descriptions, null, 2)}\n`);
        return 0;
      }
      const width = io.stdout.isTTY ? io.stdout.columns : undefined;
      io.stdout.write(descriptions.map((d) => describeText(d, { c, now: Date.now(), width })).join('\n\n'));
      return 0;
    } finally {
      await session.close();
    }
  },
};
