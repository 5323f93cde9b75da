// `xp describe ADDR` — kubectl describe for one managed resource: identity, spec, observed
// state, the last operation, conditions with their transitions, recent events.
import type pg from 'pg';
import type { CommandIO, ParsedArgs } from './command.js';
import { ExitError, ExitCode } from './errors.js';
import { addressBook, describeResource, findRecorded, findResources, lookUp, parseAddress, withAddresses, type AddressBook } from '../../views/status/read.js';
import { describeText } from '../../views/status/render.js';
import { parseAddress as parseConfigurationAddress } from '../../model/address.js';
import type { ResourceStatus } from '../../views/status/model.js';
import { chalkFor, controlSession, scopeOf } from './status.js';

/** An address recorded in several stacks, none of which the command line or the directory picks. */
export class AmbiguousAddress extends ExitError {
  constructor(address: string, stacks: string[], current: string | undefined) {
    super(
      `${address} is recorded in several stacks: ${stacks.join(', ')}${current === undefined ? '' : ` (not in ${current}, the stack of this directory)`}`,
      ExitCode.usage,
      `An address means something in one stack: pick it with --stack (--stack ${stacks[0]}), or run xp in that stack's configuration directory.`,
    );
    this.name = 'AmbiguousAddress';
  }
}

/**
 * The resources an address names — an address of the configuration in the working directory
 * (`schema.tenant["acme"]`), else the address they were last applied at (a module's resource
 * the configuration no longer declares), else `type.name` — or an ExitError that says why none.
 * A recorded address belongs to one stack: `stack` (--stack) narrows the search to it; else
 * several stacks recorded it, the one of the configuration directory (`current`) is taken, and
 * without it among them the address is refused (AmbiguousAddress).
 */
export async function resolveAddress(
  client: pg.Client,
  address: string,
  stack: string | undefined,
  database?: string,
  book: AddressBook = new Map(),
  current?: string,
): Promise<ResourceStatus[]> {
  const declared = lookUp(book, address);
  if (!declared) {
    const recorded = await findRecorded(client, address, { stack, ...(database ? { database } : {}) });
    const stacks = [...new Set(recorded.map((r) => r.stack))].sort();
    if (stacks.length > 1) {
      if (current === undefined || !stacks.includes(current)) throw new AmbiguousAddress(address, stacks, current);
      return withAddresses(recorded.filter((r) => r.stack === current), book);
    }
    if (recorded.length > 0) return withAddresses(recorded, book);
  }
  const ref = declared ? { kind: declared.kind, names: [declared.name] } : parseAddress(address);
  database ??= declared && declared.database !== '' ? declared.database : undefined;
  // a configuration address with a module path that no record has: not a mistake of syntax
  if (!ref && !parseConfigurationAddress(address)?.type)
    throw new ExitError(
      `not a resource address: ${address}`,
      ExitCode.usage,
      'Expected TYPE.NAME (schema.api, role.app-owner), TYPE["name"] or Kind/name; `xp status` lists them.',
    );
  const found = ref ? withAddresses(await findResources(client, ref, { stack, database }), book) : [];
  if (found.length === 0)
    throw new ExitError(
      `no managed resource ${address}${stack === undefined ? '' : ` in stack ${stack}`}${database ? ` in database ${database}` : ''}`,
      1,
      stack === undefined ? '`xp status -A` lists the managed resources.' : '`xp status` lists them; -A looks in every stack.',
    );
  return found;
}

export async function run(args: ParsedArgs, io: CommandIO): Promise<number> {
  const address = args.positionals[0];
  if (!address || args.positionals.length > 1)
    throw new ExitError('xp describe takes one address', ExitCode.usage, 'Usage: xp describe ADDR (`xp status` lists them)');
  const eventLimit = args.flags.events === undefined ? 20 : Number(args.flags.events);
  if (!Number.isInteger(eventLimit) || eventLimit < 0) throw new ExitError(`--events must be a whole number, not ${String(args.flags.events)}`, ExitCode.usage);
  // The address alone says where to look: an explicit --stack narrows it; otherwise every stack,
  // and the directory's stack (`current`) where an address was recorded in several.
  const stack = typeof args.flags.stack === 'string' ? args.flags.stack : undefined;
  const database = typeof args.flags.database === 'string' ? args.flags.database : undefined;
  const { stack: current, config } = await scopeOf({ ...args, positionals: [] }, io);
  const book = addressBook(config);
  const session = await controlSession(args, io, 'describe', config);
  const client = session.control;
  try {
    const found = await resolveAddress(client, address, stack, database, book, current);
    const c = chalkFor(io);
    const descriptions = [];
    for (const r of found) {
      const d = await describeResource(client, r.id, eventLimit);
      if (d) descriptions.push({ ...d, resource: { ...d.resource, address: r.address }, events: withAddresses(d.events, book) });
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
}
