// The simulator in its own process: `llm-perf-gate sim …` started by this same program, so
// its CPU work (prefill of long prompts, batch steps) never shares the event loop, or the
// core, of the client that measures it. The demo uses it; the tests start it in a worker.
import { spawn } from 'node:child_process';

export interface SimProcess {
  url: string;
  close(): Promise<void>;
}

/** How long the child may take to print its "listening on" line. */
const START_TIMEOUT_MS = 15_000;

/**
 * Starts `sim` with `args` (its CLI flags) by re-running this process's own entry script
 * with the same Node flags (`--import tsx` under `npm run demo`, nothing for the bundled CLI).
 */
export function startSimProcess(args: readonly string[]): Promise<SimProcess> {
  const entry = process.argv[1];
  const child = spawn(process.execPath, [...process.execArgv, entry, 'sim', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise<SimProcess>((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`the simulator process (${entry} sim) ${why}${output.trim() ? `: ${output.trim().split('\n').slice(-3).join(' | ')}` : ''}`));
    };
    const timer = setTimeout(() => fail(`did not start within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    child.once('error', (err) => fail(`could not start (${err.message})`));
    const onEarlyExit = (code: number | null): void => fail(`exited with code ${code}`);
    child.once('exit', onEarlyExit);
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(output);
      if (!m) return;
      clearTimeout(timer);
      child.off('exit', onEarlyExit);
      child.stdout.removeAllListeners('data');
      child.stdout.resume(); // keep draining, so a chatty child never blocks on a full pipe
      resolve({
        url: m[1],
        close: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      });
    });
  });
}
