import type { CommandIO, ParsedArgs } from './command.js';
import { ExitCode } from './errors.js';
import { computePlan } from '../../apply/engine.js';
import { savePlan } from '../../plan/saved.js';
import { planChanges } from '../../plan/plan.js';
import { renderPlanJson } from '../../render/plan-json.js';
import { renderPlanText } from '../../render/plan-text.js';
import { resolve } from 'node:path';
import { cancelOnSignal, configDir, list, readConfiguration, startSession, str, userError } from './workspace.js';

export async function run({ flags, positionals }: ParsedArgs, io: CommandIO): Promise<number> {
  const dir = configDir(io, positionals[0]);
  const config = await readConfiguration(io, dir, flags);
  const session = await startSession(io, flags, 'plan', config);
  const stopHandling = cancelOnSignal(io, session);
  try {
    const { plan } = await computePlan(session, config, {
      destroy: Boolean(flags.destroy),
      targets: list(flags.target),
      replace: list(flags.replace),
      allowDataLoss: Boolean(flags['allow-data-loss']),
    }).catch(userError);
    if (flags.json) io.stdout.write(renderPlanJson(plan));
    else io.stdout.write(renderPlanText(plan, { color: io.color }));
    const out = str(flags.out);
    if (out) {
      await savePlan(plan, resolve(io.cwd, out));
      if (!flags.json) io.stdout.write(`\nSaved the plan to ${out}. Apply exactly these actions with: xp apply ${out}\n`);
    }
    if (plan.errors.length > 0) return ExitCode.error;
    return flags['detailed-exitcode'] && planChanges(plan) ? ExitCode.changes : ExitCode.ok;
  } finally {
    stopHandling();
    await session.close();
  }
}
