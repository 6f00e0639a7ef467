// Paired mode in the action (docs/paired.md): the baseline server (baseline-url) and the
// candidate (base-url) in alternating rounds. Two ways to host them on one runner:
//  - side by side: both are up for the whole job (started in earlier steps, or together by
//    server-command); main waits for both to be healthy;
//  - one at a time (a GPU that holds one server): with baseline-server-command and
//    server-command both set, each run starts its side's server, waits for it, runs, and
//    stops it, so the servers never share the GPU.
import type { Config } from '../config/schema.js';
import { runPairedConfig, type PairedRun } from '../paired/run-config.js';
import type { RunResult } from '../types.js';
import { waitForHealth } from './health.js';
import type { ActionInputs } from './inputs.js';
import { startServerProcess } from './server-process.js';

export interface PairedActionOptions {
  config: Config;
  inputs: ActionInputs;
  /** For the commands we start: without INPUT_* (they hold secrets). */
  env: NodeJS.ProcessEnv;
  cwd: string;
  log: (line: string) => void;
  /** Told each server process started one at a time, so the post step can stop a leftover one. */
  onServerStart?: (pid: number) => void;
  environment?: RunResult['environment'];
}

/** Whether each run starts and stops its own server (both commands given). */
export function pairedOneAtATime(inputs: ActionInputs): boolean {
  return Boolean(inputs.baselineUrl && inputs.baselineServerCommand && inputs.serverCommand);
}

export async function runPairedInAction(o: PairedActionOptions): Promise<PairedRun> {
  const { inputs } = o;
  const around = pairedOneAtATime(inputs)
    ? async (side: 'baseline' | 'candidate', baseUrl: string, run: () => Promise<RunResult>): Promise<RunResult> => {
        const command = (side === 'baseline' ? inputs.baselineServerCommand : inputs.serverCommand) as string;
        o.log(`starting the ${side} server (${side === 'baseline' ? 'baseline-server-command' : 'server-command'})`);
        const proc = startServerProcess(command, { cwd: o.cwd, env: o.env });
        o.onServerStart?.(proc.pid);
        try {
          await waitForHealth(baseUrl, { timeoutMs: inputs.waitTimeoutS * 1000, apiKey: inputs.apiKey, log: o.log, abortReason: () => proc.exitReason() });
          return await run();
        } finally {
          await proc.stop();
        }
      }
    : undefined;
  return runPairedConfig(o.config, {
    baseUrl: inputs.baseUrl,
    baselineUrl: inputs.baselineUrl,
    rounds: inputs.rounds,
    model: inputs.model,
    apiKey: inputs.apiKey,
    log: o.log,
    around,
    environment: o.environment,
  });
}
