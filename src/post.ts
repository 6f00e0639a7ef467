// The action's `post:` step: runs after the job, also when it was cancelled. Stops a
// server-command process group main could not stop, and runs server-stop-command if main
// did not get to it.
import * as core from '@actions/core';
import { STATE } from './github/state.js';
import { groupAlive, runStopCommand, stopProcessGroup } from './github/server-process.js';

export async function post(): Promise<void> {
  const pid = Number(core.getState(STATE.serverPid));
  if (pid > 0 && core.getState(STATE.serverStopped) !== 'true' && groupAlive(pid)) {
    core.info(`stopping the server-command process group ${pid} (the main step did not finish)`);
    await stopProcessGroup(pid, 10_000);
  }
  const stop = core.getState(STATE.serverStopCommand);
  if (stop && core.getState(STATE.serverStopCommandDone) !== 'true') {
    core.info('running server-stop-command (the main step did not finish)');
    // Without INPUT_* variables: they hold the api-key and the token.
    runStopCommand(stop, Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('INPUT_'))));
  }
}

post().catch((err: unknown) => core.warning(`llm-perf-gate post: ${err instanceof Error ? err.message : String(err)}`));
