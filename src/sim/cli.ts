// `llm-perf-gate sim`: runs the simulated server until SIGINT/SIGTERM.

import { parseArgs } from 'node:util';
import { DEFAULT_ENGINE_PARAMS, findParamProblem, type EngineParams } from './engine-params.js';
import { startSim, type SimOptions } from './server.js';

const DEFAULT_PORT = 8000;

/** Engine flags: CLI name → parameter, with the help line's meaning. */
const ENGINE_FLAGS: { flag: string; key: keyof EngineParams; meaning: string }[] = [
  { flag: 'speed', key: 'speed', meaning: 'speed factor; every step takes 1/speed as long (0.8 = 1.25x slower)' },
  { flag: 'seed', key: 'seed', meaning: 'seed of the per-step jitter' },
  { flag: 'noise', key: 'noise', meaning: 'sigma of the lognormal per-step jitter, mean 1 (0 = deterministic)' },
  { flag: 'drift', key: 'drift', meaning: 'std of a speed factor drawn once per start (runner-to-runner variation)' },
  { flag: 'drift-seed', key: 'driftSeed', meaning: 'seed of the once-per-start drift draw' },
  { flag: 'max-batch', key: 'maxBatch', meaning: 'sequences running at once; the rest queue' },
  { flag: 'max-batched-tokens', key: 'maxBatchedTokens', meaning: 'tokens per step: one per decode, the rest prefill' },
  { flag: 'prefill-base-ms', key: 'prefillBaseMs', meaning: 'fixed cost of a step that prefills (ms)' },
  { flag: 'prefill-ms-per-token', key: 'prefillMsPerToken', meaning: 'cost per prompt token prefilled (ms)' },
  { flag: 'decode-base-ms', key: 'decodeBaseMs', meaning: 'fixed cost of a step that decodes (ms)' },
  { flag: 'decode-per-seq-ms', key: 'decodePerSeqMs', meaning: 'cost per sequence decoded in a step (ms)' },
];

export function simHelp(): string {
  const rows: [string, string, string][] = [
    ['--host H', '127.0.0.1', 'address to listen on'],
    ['--port N', String(DEFAULT_PORT), 'port to listen on (0 = any free port)'],
    ['--model NAME', 'sim', 'model id that /v1/models lists (requests may name any model)'],
    ['--send-log FILE', '(none)', 'append one JSON line per request: arrival, first/last content write times'],
    ...ENGINE_FLAGS.map((f): [string, string, string] => [`--${f.flag} X`, String(DEFAULT_ENGINE_PARAMS[f.key]), f.meaning]),
    ['--help', '', 'show this help'],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  const lines = rows.map(([flag, def, meaning]) => `  ${flag.padEnd(width)}  ${meaning}${def ? ` (default ${def})` : ''}`);
  return [
    'Usage: llm-perf-gate sim [flags]',
    '',
    'Runs the built-in simulated OpenAI-compatible server (vLLM dialect) until Ctrl-C or SIGTERM:',
    'GET /health, GET /v1/models, POST /v1/chat/completions, POST /v1/completions.',
    'A continuous-batching model decides when each token is sent. See docs/simulator.md.',
    '',
    ...lines,
    '',
  ].join('\n');
}

/** Parses `argv` (the arguments after "sim") into server options, or returns a one-line error. */
export function parseSimArgs(argv: string[]): { help: true } | { help: false; options: SimOptions } | { error: string } {
  const options: Record<string, { type: 'string' | 'boolean' }> = {
    host: { type: 'string' },
    port: { type: 'string' },
    model: { type: 'string' },
    'send-log': { type: 'string' },
    help: { type: 'boolean' },
  };
  for (const f of ENGINE_FLAGS) options[f.flag] = { type: 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    // Node's message may span lines (e.g. how to pass a value that starts with a dash): keep it on one.
    return { error: `${(e as Error).message.replace(/\s*\n\s*/g, ' ')} (see llm-perf-gate sim --help)` };
  }
  if (values.help) return { help: true };

  const sim: SimOptions = {};
  if (typeof values.host === 'string') {
    if (values.host.trim() === '') return { error: '--host must not be empty' };
    sim.host = values.host;
  }
  if (typeof values.port === 'string') {
    const port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port > 65535) return { error: `--port must be an integer from 0 to 65535 (got "${values.port}")` };
    sim.port = port;
  } else {
    sim.port = DEFAULT_PORT;
  }
  if (typeof values.model === 'string') sim.modelName = values.model;
  if (typeof values['send-log'] === 'string') sim.sendLogPath = values['send-log'];

  const params: EngineParams = { ...DEFAULT_ENGINE_PARAMS };
  for (const f of ENGINE_FLAGS) {
    const raw = values[f.flag];
    if (typeof raw !== 'string') continue;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) return { error: `--${f.flag} must be a number (got "${raw}")` };
    params[f.key] = n;
  }
  const problem = findParamProblem(params);
  if (problem) {
    const flag = ENGINE_FLAGS.find((f) => f.key === problem.key)?.flag ?? problem.key;
    return { error: `--${flag} ${problem.message.replace('maxBatch', '--max-batch')} (got ${params[problem.key]})` };
  }
  return { help: false, options: { ...sim, ...params } };
}

/** `llm-perf-gate sim …`; resolves with the exit code once stopped by SIGINT/SIGTERM. */
export async function simCommand(argv: string[]): Promise<number> {
  const parsed = parseSimArgs(argv);
  if ('error' in parsed) {
    process.stderr.write(`llm-perf-gate sim: ${parsed.error}\n`);
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(simHelp());
    return 0;
  }
  let sim;
  try {
    sim = await startSim(parsed.options);
  } catch (e) {
    // A port in use or an unwritable send log: either way the user must change a flag.
    process.stderr.write(`llm-perf-gate sim: ${(e as Error).message}\n`);
    return 2;
  }
  const p = sim.params;
  process.stdout.write(
    `llm-perf-gate sim listening on ${sim.url} (speed ${p.speed}, max batch ${p.maxBatch}, noise ${p.noise}, ` +
      `seed ${p.seed}, drift ${p.drift}, drift seed ${p.driftSeed})\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await sim.close();
  return 0;
}
