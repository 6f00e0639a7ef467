// `llm-perf-gate sim`: runs the simulated server until SIGINT/SIGTERM.

import { parseArgs } from 'node:util';
import { DEFAULT_ENGINE_PARAMS, findParamProblem, type EngineParams } from './engine-params.js';
import { FaultSpecError, parseFaultSpec } from './fault-spec.js';
import { runFixedWorkerIfAsked } from './fixed-cluster.js';
import { findFixedProblem } from './fixed-schedule.js';
import { FLAVOR_NAMES, isFlavorName } from './flavors.js';
import { findShapeProblem } from './output-plan.js';
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
    ['--flavor NAME', 'vllm', `server dialect: ${FLAVOR_NAMES.join(', ')}`],
    ['--served-model-name NAME', '(none)', 'serve only this model: requests naming another get 404'],
    ['--reasoning-tokens N', '0', 'chat: the first N output tokens stream as reasoning deltas'],
    ['--tool-calls', '', 'chat: output tokens stream as tool-call argument deltas'],
    ['--tokens-per-chunk K', '1', 'engine steps per streamed chunk (stream interval)'],
    ['--spec-decode MEAN[/K]', '(off)', 'speculative decoding: 1..K tokens per step (K default 4), MEAN on average'],
    ['--early-eos on|off', '(per flavor)', 'answers may end at a seeded EOS below max_tokens (on for tgi, ollama, openai)'],
    ['--continuous-usage', '', 'cumulative usage on every content chunk'],
    ['--faults SPEC', '(none)', 'fault injection, e.g. 429:0.1@2,reset:5%@3,refuse:2s-4s (docs/simulator.md)'],
    ['--fault-seed N', '0', 'seed of rate-selected faults'],
    ['--embedding-dim N', '16', 'length of the vectors /v1/embeddings returns'],
    ['--mode NAME', 'model', 'model (batching model) or fixed-schedule (bench server: fixed chunk times)'],
    ['--fixed-ttft-ms X', '20', 'fixed-schedule: arrival to first content chunk'],
    ['--fixed-interval-ms X', '10', 'fixed-schedule: time between content chunks'],
    ['--fixed-chunks N', '(max_tokens)', "fixed-schedule: chunks per answer instead of the request's max_tokens"],
    ['--workers N', '1', 'fixed-schedule: serve from N processes; send logs go to FILE.1 … FILE.N'],
    ...ENGINE_FLAGS.map((f): [string, string, string] => [`--${f.flag} X`, String(DEFAULT_ENGINE_PARAMS[f.key]), f.meaning]),
    ['--help', '', 'show this help'],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  const lines = rows.map(([flag, def, meaning]) => `  ${flag.padEnd(width)}  ${meaning}${def ? ` (default ${def})` : ''}`);
  return [
    'Usage: llm-perf-gate sim [flags]',
    '',
    'Runs the built-in simulated OpenAI-compatible server until Ctrl-C or SIGTERM: GET /health (and the',
    "flavor's info endpoints), GET /v1/models, POST /v1/chat/completions, /v1/completions, /v1/embeddings.",
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
    flavor: { type: 'string' },
    'served-model-name': { type: 'string' },
    'reasoning-tokens': { type: 'string' },
    'tool-calls': { type: 'boolean' },
    'tokens-per-chunk': { type: 'string' },
    'spec-decode': { type: 'string' },
    'early-eos': { type: 'string' },
    'continuous-usage': { type: 'boolean' },
    faults: { type: 'string' },
    'fault-seed': { type: 'string' },
    'embedding-dim': { type: 'string' },
    mode: { type: 'string' },
    'fixed-ttft-ms': { type: 'string' },
    'fixed-interval-ms': { type: 'string' },
    'fixed-chunks': { type: 'string' },
    workers: { type: 'string' },
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
  const extra = parseDialectAndFaultFlags(values, sim);
  if (extra) return { error: extra };

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

/** A flag's number, or a one-line error. */
function numberFlag(values: Record<string, string | boolean | undefined>, flag: string, integer: boolean): number | string | undefined {
  const raw = values[flag];
  if (typeof raw !== 'string') return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) return `--${flag} must be ${integer ? 'an integer' : 'a number'} (got "${raw}")`;
  return n;
}

/** Reads the flavor, output-shape, fault and bench-mode flags into `sim`; returns a one-line error or null. */
function parseDialectAndFaultFlags(values: Record<string, string | boolean | undefined>, sim: SimOptions): string | null {
  if (typeof values.flavor === 'string') {
    if (!isFlavorName(values.flavor)) return `--flavor must be one of ${FLAVOR_NAMES.join(', ')} (got "${values.flavor}")`;
    sim.flavor = values.flavor;
  }
  if (typeof values['served-model-name'] === 'string') sim.servedModelName = values['served-model-name'];
  if (values['tool-calls'] === true) sim.toolCalls = true;
  if (values['continuous-usage'] === true) sim.continuousUsage = true;
  const numbers: [string, keyof SimOptions, boolean][] = [
    ['reasoning-tokens', 'reasoningTokens', true],
    ['tokens-per-chunk', 'tokensPerChunk', true],
    ['fault-seed', 'faultSeed', true],
    ['embedding-dim', 'embeddingDim', true],
    ['fixed-ttft-ms', 'fixedTtftMs', false],
    ['fixed-interval-ms', 'fixedIntervalMs', false],
    ['fixed-chunks', 'fixedChunks', true],
    ['workers', 'workers', true],
  ];
  for (const [flag, key, integer] of numbers) {
    const n = numberFlag(values, flag, integer);
    if (typeof n === 'string') return n;
    if (n !== undefined) (sim as Record<string, unknown>)[key] = n;
  }
  if (sim.reasoningTokens !== undefined && sim.reasoningTokens < 0) return `--reasoning-tokens must be >= 0 (got ${sim.reasoningTokens})`;
  if (sim.embeddingDim !== undefined && (sim.embeddingDim < 1 || sim.embeddingDim > 4096)) return `--embedding-dim must be from 1 to 4096 (got ${sim.embeddingDim})`;
  const spec = values['spec-decode'];
  if (typeof spec === 'string') {
    const m = /^(\d*\.?\d+)(?:\/(\d+))?$/.exec(spec);
    if (!m) return `--spec-decode must be MEAN or MEAN/K, e.g. 2.5 or 2.5/4 (got "${spec}")`;
    sim.specDecode = { acceptMean: Number(m[1]), ...(m[2] ? { k: Number(m[2]) } : {}) };
  }
  const shapeProblem = findShapeProblem(sim);
  if (shapeProblem) return `--${shapeProblem.startsWith('tokensPerChunk') ? 'tokens-per-chunk' : 'spec-decode'}: ${shapeProblem}`;
  const eos = values['early-eos'];
  if (typeof eos === 'string') {
    if (eos !== 'on' && eos !== 'off') return `--early-eos must be on or off (got "${eos}")`;
    sim.earlyEos = eos === 'on';
  }
  if (typeof values.faults === 'string') {
    try {
      parseFaultSpec(values.faults, sim.faultSeed ?? 0);
    } catch (e) {
      if (e instanceof FaultSpecError) return `--${e.message}`;
      throw e;
    }
    sim.faults = values.faults;
  }
  if (typeof values.mode === 'string') {
    if (values.mode !== 'model' && values.mode !== 'fixed-schedule') return `--mode must be model or fixed-schedule (got "${values.mode}")`;
    sim.mode = values.mode;
  }
  const fixedProblem = findFixedProblem(sim);
  if (fixedProblem) return `--${fixedProblem.replace(/^(\w+)/, (k) => k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()))}`;
  if (sim.mode !== 'fixed-schedule' && (sim.workers !== undefined || sim.fixedChunks !== undefined || sim.fixedIntervalMs !== undefined || sim.fixedTtftMs !== undefined)) {
    return '--workers and --fixed-* need --mode fixed-schedule';
  }
  return null;
}

/** `llm-perf-gate sim …`; resolves with the exit code once stopped by SIGINT/SIGTERM. */
export async function simCommand(argv: string[]): Promise<number> {
  // A bench worker started by `--workers N` from the bundled CLI re-runs this command.
  if (await runFixedWorkerIfAsked()) return 0;
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
  const o = parsed.options;
  process.stdout.write(
    o.mode === 'fixed-schedule'
      ? `llm-perf-gate sim listening on ${sim.url} (mode fixed-schedule, ttft ${o.fixedTtftMs ?? 20} ms, interval ${o.fixedIntervalMs ?? 10} ms, workers ${o.workers ?? 1})\n`
      : `llm-perf-gate sim listening on ${sim.url} (speed ${p.speed}, max batch ${p.maxBatch}, noise ${p.noise}, ` +
          `seed ${p.seed}, drift ${p.drift}, drift seed ${p.driftSeed}, flavor ${sim.flavor}${o.faults ? `, faults ${String(o.faults)}` : ''})\n`,
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
