// `llm-perf-gate run`: a config file or flags alone → a results file and a table.
import { parseArgs } from 'node:util';
import { loadConfigFile, validateConfig, DEFAULT_CONFIG_YAML, parseConfigText } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { InputError, RunFailedError } from '../errors.js';
import { writeRunResultFile } from '../report/results-file.js';
import { renderResultsTable } from '../report/markdown.js';
import { runFailures } from '../gate/too-few-successes.js';
import { runConfig } from '../run.js';

export const RUN_HELP = `llm-perf-gate run — benchmark an OpenAI-compatible server

Usage:
  llm-perf-gate run --config FILE [--base-url URL] [--model M] [--out FILE]
  llm-perf-gate run --base-url URL [--rate R | --concurrency N] [--requests N] ...

Target:
  --base-url URL            server root or its /v1 base (both work)     [config target.base_url]
  --model NAME              model to request                          [first of /v1/models]
  --api-key-env NAME        read the API key from this environment variable [OPENAI_API_KEY]
Config:
  --config FILE             YAML config (docs/config.md); flags below then only set the target
  --out FILE                write the results file (docs/results-schema.md)
  --seed N                  seed for prompts and arrivals                          [1]
  --max-duration S          hard limit on the whole run, seconds                [1800]
A scenario from flags alone (vLLM's names are accepted too):
  --rate R                  open loop, Poisson, R requests/s  (alias --request-rate)
  --arrivals poisson|constant  arrival process for --rate                  [poisson]
  --concurrency N           with --rate: cap in flight; alone: closed loop (alias --max-concurrency)
  --requests N              measured requests (alias --num-prompts)          [100]
  --duration S              or stop after S seconds of sending
  --input-tokens N          prompt length in tokens                             [256]
  --output-tokens N         output length (max_tokens)                          [128]
  --ignore-eos              always force that length (ignore_eos + min_tokens; vLLM, SGLang,
                            TRT-LLM); without it, forced where the engine is known to take it
  --warmup N                warmup requests, not measured                         [2]
  --api chat|completions    endpoint                                          [chat]
  -h, --help                this help

Exit codes: 0 done; 2 bad input; 3 the run failed (server unreachable, too few successes).
Without --rate and --concurrency, the flags-only scenario is a closed loop at concurrency 1.
Without --ignore-eos the engine is fingerprinted: vLLM and SGLang get ignore_eos + min_tokens,
llama.cpp ignore_eos, TGI, Ollama and others nothing (lengths then come from usage).
`;

const options = {
  config: { type: 'string' },
  out: { type: 'string' },
  'base-url': { type: 'string' },
  model: { type: 'string' },
  'api-key-env': { type: 'string' },
  seed: { type: 'string' },
  'max-duration': { type: 'string' },
  rate: { type: 'string' },
  'request-rate': { type: 'string' },
  arrivals: { type: 'string' },
  concurrency: { type: 'string' },
  'max-concurrency': { type: 'string' },
  requests: { type: 'string' },
  'num-prompts': { type: 'string' },
  duration: { type: 'string' },
  'input-tokens': { type: 'string' },
  'output-tokens': { type: 'string' },
  warmup: { type: 'string' },
  api: { type: 'string' },
  'ignore-eos': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Flags = Partial<Record<keyof typeof options, string | boolean>>;

function num(flags: Flags, name: keyof typeof options, alias?: keyof typeof options): number | undefined {
  const a = flags[name];
  const b = alias ? flags[alias] : undefined;
  if (a !== undefined && b !== undefined) throw new InputError(`--${name} and --${alias} are the same option; give one`);
  const raw = a ?? b;
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(value)) {
    throw new InputError(`--${a !== undefined ? name : alias}: expected a number, got '${String(raw)}'`);
  }
  return value;
}

const SCENARIO_FLAGS: (keyof typeof options)[] = ['rate', 'request-rate', 'arrivals', 'concurrency', 'max-concurrency', 'requests', 'num-prompts', 'duration', 'input-tokens', 'output-tokens', 'warmup', 'api', 'ignore-eos'];

/** A one-scenario config from flags alone. */
export function configFromFlags(flags: Flags): Config {
  const rate = num(flags, 'rate', 'request-rate');
  const concurrency = num(flags, 'concurrency', 'max-concurrency');
  const requests = num(flags, 'requests', 'num-prompts');
  const duration = num(flags, 'duration');
  const arrivals = flags.arrivals ?? 'poisson';
  if (arrivals !== 'poisson' && arrivals !== 'constant') throw new InputError(`--arrivals: expected poisson or constant, got '${String(arrivals)}'`);
  const load: Record<string, unknown> =
    rate !== undefined
      ? { type: arrivals, rate, ...(concurrency !== undefined ? { concurrency } : {}) }
      : { type: 'concurrency', concurrency: concurrency ?? 1 };
  if (requests !== undefined) load.requests = requests;
  if (duration !== undefined) load.duration_s = duration;
  if (requests === undefined && duration === undefined) load.requests = 100;
  const warmup = num(flags, 'warmup');
  if (warmup !== undefined) load.warmup = warmup;
  const raw = {
    scenarios: [
      {
        name: 'cli',
        api: flags.api ?? 'chat',
        workload: { input_tokens: num(flags, 'input-tokens') ?? 256, output_tokens: num(flags, 'output-tokens') ?? 128 },
        load,
        // Without --ignore-eos, output_length auto: forced only where the fingerprinted engine takes it.
        ...(flags['ignore-eos'] === true ? { output_length: 'exact' } : {}),
      },
    ],
  };
  return validateConfig(raw, 'flags');
}

/** Reads `--config` or builds the config from flags, then applies the run-level flags. */
export async function resolveRunConfig(flags: Flags): Promise<Config> {
  let config: Config;
  if (typeof flags.config === 'string') {
    const given = SCENARIO_FLAGS.filter((f) => flags[f] !== undefined);
    if (given[0] === 'ignore-eos') throw new InputError('--ignore-eos cannot be combined with --config; set output_length: exact in its scenarios');
    if (given.length > 0) throw new InputError(`--${given[0]}: scenario flags cannot be combined with --config; put the load in the config file`);
    config = await loadConfigFile(flags.config);
  } else if (SCENARIO_FLAGS.some((f) => flags[f] !== undefined)) {
    config = configFromFlags(flags);
  } else {
    config = parseConfigText(DEFAULT_CONFIG_YAML, 'default config');
  }
  const seed = num(flags, 'seed');
  if (seed !== undefined) {
    if (!Number.isInteger(seed)) throw new InputError(`--seed: expected a whole number, got '${String(flags.seed)}'`);
    config.seed = seed;
  }
  const maxDuration = num(flags, 'max-duration');
  if (maxDuration !== undefined) {
    if (maxDuration <= 0) throw new InputError('--max-duration: expected a positive number of seconds');
    config.max_duration_s = maxDuration;
  }
  return config;
}

export function parseFlags(argv: string[]): Flags {
  try {
    return parseArgs({ args: argv, options, allowPositionals: false, strict: true }).values as Flags;
  } catch (err) {
    throw new InputError(`${(err as Error).message.split('\n')[0]} (see llm-perf-gate run --help)`);
  }
}

export async function runCommand(argv: string[], io: { out: (s: string) => void; err: (s: string) => void } = defaultIo): Promise<number> {
  const flags = parseFlags(argv);
  if (flags.help) {
    io.out(RUN_HELP);
    return 0;
  }
  const config = await resolveRunConfig(flags);
  const keyEnv = typeof flags['api-key-env'] === 'string' ? flags['api-key-env'] : 'OPENAI_API_KEY';
  const result = await runConfig(config, {
    baseUrl: typeof flags['base-url'] === 'string' ? flags['base-url'] : undefined,
    model: typeof flags.model === 'string' ? flags.model : undefined,
    apiKey: config.target?.api_key ?? process.env[keyEnv],
    log: (line) => io.err(line + '\n'),
  });
  if (typeof flags.out === 'string') await writeRunResultFile(flags.out, result);
  io.out(renderResultsTable(result) + '\n');
  if (typeof flags.out === 'string') io.err(`results written to ${flags.out}\n`);
  const failures = runFailures(result, config.min_successful);
  if (failures.length > 0) throw new RunFailedError(failures.join('; '));
  return 0;
}

const defaultIo = { out: (s: string) => void process.stdout.write(s), err: (s: string) => void process.stderr.write(s) };
