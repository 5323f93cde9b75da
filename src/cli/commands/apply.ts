// `xp apply` (and `xp destroy`, which is the same walk over a destroy plan): plan, show it,
// ask `yes` on a terminal, then walk it. A saved plan file is applied as is, after checking it
// is not stale. Ctrl-C finishes the statements in flight (cancelled on the server when they
// take longer than a few seconds) and stops (exit 130).
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { CommandIO, ParsedArgs, RunCommand } from './command.js';
import { ExitCode, ExitError } from './errors.js';
import { checkFresh, computePlan, lock, lockLost, recordAddresses, runPlan, type Session } from '../../apply/engine.js';
import { loadPlan } from '../../plan/saved.js';
import type { Plan } from '../../plan/types.js';
import { planChanges } from '../../plan/plan.js';
import { writeStackMode } from '../../state/lock.js';
import type { Configuration } from '../../model/types.js';
import { hasConfigurationFiles } from '../../config/files.js';
import { renderPlanText, renderPlanErrors } from '../../render/plan-text.js';
import {
  configDir,
  list,
  lockTimeout,
  parallelism,
  readConfiguration,
  startSession,
  userError,
} from './workspace.js';

export const INTERRUPTED = 130;

async function confirm(io: CommandIO, operation: 'apply' | 'destroy', stack: string): Promise<boolean> {
  const question =
    operation === 'destroy'
      ? `\nDo you really want to destroy all resources of stack "${stack}"?\n  xp will destroy everything shown above. There is no undo. Only 'yes' will be accepted to confirm.\n\n  Enter a value: `
      : `\nDo you want to perform these actions on stack "${stack}"?\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: `;
  const rl = createInterface({ input: io.stdin, output: io.stdout, terminal: false });
  io.stdout.write(question);
  const answer = await new Promise<string>((res) => {
    rl.once('line', res);
    rl.once('close', () => res(''));
  });
  rl.close();
  return answer.trim() === 'yes';
}

/**
 * How long the first Ctrl-C (or SIGTERM) lets the statements in flight finish before xp cancels
 * them on the server; and how long a cancelled statement gets before xp ends its sessions.
 */
export const INTERRUPT_GRACE_MS = 5_000;

/**
 * SIGINT/SIGTERM: the first stops the walk after the statements in flight, and cancels them on
 * the server (xp's own sessions and their dblink sessions) when they have not finished within
 * INTERRUPT_GRACE_MS; the second cancels at once. Sessions that ignore a cancel are ended, and
 * xp exits: a hung statement never keeps it (or the server sessions it started) alive.
 */
function interruptHandler(io: CommandIO, session: Session): { stopRequested: () => boolean; dispose: () => void } {
  let stop = false;
  const timers: NodeJS.Timeout[] = [];
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(fn, ms);
    t.unref();
    timers.push(t);
  };
  const cancel = async () => {
    const n = await session.cancel();
    if (n > 0) io.stderr.write(`xp: cancelled ${n} statement${n === 1 ? '' : 's'} xp had started on the server; the next apply converges what was left.\n`);
    later(INTERRUPT_GRACE_MS, () => {
      void session.cancel(true).finally(() => {
        io.stderr.write('xp: the server did not end the cancelled statements: their sessions were terminated; exiting.\n');
        process.exit(INTERRUPTED);
      });
    });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop) {
      io.stderr.write('\nxp: second interrupt: cancelling what runs on the server and exiting now; the next apply converges what was left.\n');
      void session.cancel().finally(() => process.exit(INTERRUPTED));
      return;
    }
    stop = true;
    io.stderr.write(`\nxp: ${signal === 'SIGINT' ? 'interrupt' : signal} received: finishing the operations in flight, starting nothing new…\n`);
    later(INTERRUPT_GRACE_MS, () => void cancel());
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    stopRequested: () => stop,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      for (const t of timers) clearTimeout(t);
    },
  };
}


/** The stack's lock is gone (its connection ended): stop, saying so. */
function assertLocked(session: Session): void {
  const lost = lockLost(session);
  if (lost)
    throw new ExitError(`${lost}; nothing more was started`, 1, 'Changes in flight were finished and recorded. Run xp apply again: it converges.');
}

export async function runApply(operation: 'apply' | 'destroy', { flags, positionals }: ParsedArgs, io: CommandIO): Promise<number> {
  const arg = positionals[0];
  const savedPath = arg !== undefined && existsSync(resolve(io.cwd, arg)) && statSync(resolve(io.cwd, arg)).isFile() ? resolve(io.cwd, arg) : undefined;
  const json = Boolean(flags.json);
  const interactive = Boolean(io.stdin.isTTY && io.stdout.isTTY);
  const autoApprove = Boolean(flags['auto-approve']);
  const workers = parallelism(flags);
  const timeout = lockTimeout(flags);

  let saved: Plan | undefined;
  let config: Configuration | undefined;
  let dir: string;
  if (savedPath) {
    if (operation === 'destroy') throw new ExitError('xp destroy takes a configuration directory, not a plan file', 1, 'To apply a saved destroy plan: xp apply FILE');
    saved = await loadPlan(savedPath).catch(userError);
    // The configuration the plan came from (default: the working directory, when it has one):
    // declared passwords and relative connection_secret paths come from it.
    dir = configDir(io, positionals[1]);
    if (positionals[1] !== undefined || hasConfigurationFiles(dir)) {
      config = await readConfiguration(io, dir, flags);
      if (config.stack !== saved.stack)
        throw new ExitError(`the plan is for stack "${saved.stack}", the configuration in ${dir} is stack "${config.stack}"`, 1, 'Pass the plan\'s configuration directory: xp apply PLAN DIR');
    }
  } else {
    dir = configDir(io, arg);
    config = await readConfiguration(io, dir, flags);
    // Never prompt without a terminal: say which flag skips the question, before connecting.
    if (!autoApprove && !interactive)
      throw new ExitError(
        `${operation} needs a confirmation and there is no terminal to ask on`,
        1,
        `Run \`xp ${operation} --auto-approve\` to ${operation} without asking, or apply a saved plan: xp plan --out plan.json && xp apply plan.json`,
      );
  }

  const session = await startSession(io, flags, operation, config);
  const interrupt = interruptHandler(io, session);
  try {
    const stack = saved?.stack ?? config!.stack;
    const release = await lock(session, stack, timeout).catch(userError);
    let plan: Plan;
    if (saved) {
      await checkFresh(session, saved, dir, config).catch(userError);
      plan = saved;
    } else {
      plan = (
        await computePlan(session, config!, {
          destroy: operation === 'destroy',
          targets: list(flags.target),
          replace: list(flags.replace),
          allowDataLoss: Boolean(flags['allow-data-loss']),
        }).catch(userError)
      ).plan;
    }
    if (!json || plan.errors.length > 0) {
      const text = renderPlanText(plan, { color: io.color, errors: false });
      (json ? io.stderr : io.stdout).write(text);
    }
    if (plan.errors.length > 0) {
      io.stderr.write(renderPlanErrors(plan.errors, { color: io.color }));
      throw new ExitError(`the plan cannot be ${operation === 'destroy' ? 'carried out' : 'applied'}: nothing was changed`);
    }
    if (!planChanges(plan)) {
      // nothing to change: only xp's record of where each resource is declared (renames pair by it)
      if (plan.operation === 'apply') await recordAddresses(session, plan);
      return ExitCode.ok;
    }
    if (!saved && !autoApprove) {
      if (!(await confirm(io, operation, stack))) {
        io.stderr.write(`\n${operation === 'destroy' ? 'Destroy' : 'Apply'} cancelled: nothing was changed.\n`);
        return ExitCode.error;
      }
    }
    if (interrupt.stopRequested()) return INTERRUPTED;
    assertLocked(session);
    // Loaded only when something is applied; the live view (ink, react) only on a terminal.
    const { createApplyView, isCI } = await import('./apply-view.js');
    const view = await createApplyView({
      stdout: io.stdout,
      stderr: io.stderr,
      isTTY: Boolean(io.stdout.isTTY),
      ci: isCI(io.env),
      color: io.color,
      json,
      operation: plan.operation,
    });
    const result = await runPlan(session, plan, {
      dir,
      parallelism: workers,
      view,
      instances: config?.resources ?? [],
      stopRequested: interrupt.stopRequested,
    });
    if (result.connectionLost) {
      const { message, notRun } = result.connectionLost;
      throw new ExitError(
        `the connection to the server was lost during the ${operation} (${message.trim()}): ${notRun} resource${notRun === 1 ? '' : 's'} not run`,
        ExitCode.connectionLost,
        `Nothing more was started. Once the server is reachable again, run \`xp ${operation}\` again: it carries on where this one stopped (a step that was running is recorded as done or not at all).`,
      );
    }
    assertLocked(session);
    if (plan.stackMode && !result.interrupted) {
      // set_stack_mode writes the stack's row, which our lock holds: released first
      await release();
      await writeStackMode(session.control, plan.stack, plan.stackMode.after);
    }
    // Interrupted: what was left, or what was in flight and got cancelled.
    if (result.interrupted || (interrupt.stopRequested() && result.failed > 0)) return INTERRUPTED;
    return result.failed > 0 ? ExitCode.error : ExitCode.ok;
  } catch (err) {
    // Whatever xp started on the server stops with it (a parallel apply may have several
    // statements in flight). An ExitError comes after its statement finished: nothing runs.
    if (!(err instanceof ExitError)) await session.cancel();
    throw err;
  } finally {
    interrupt.dispose();
    await session.close();
  }
}

export const run: RunCommand = (args, io) => runApply('apply', args, io);
