import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { parseSimArgs, simCommand, simHelp } from '../../src/sim/cli.js';
import { DEFAULT_ENGINE_PARAMS } from '../../src/sim/engine.js';

describe('llm-perf-gate sim: flags', () => {
  it('defaults to 127.0.0.1:8000 with the default engine', () => {
    const parsed = parseSimArgs([]);
    expect(parsed).toEqual({ help: false, options: { port: 8000, ...DEFAULT_ENGINE_PARAMS } });
  });

  it('maps every flag to its option', () => {
    const parsed = parseSimArgs([
      '--host', '127.0.0.2', '--port', '0', '--model', 'm', '--send-log', '/tmp/x.jsonl',
      '--speed', '0.8', '--seed', '4', '--noise', '0', '--drift', '0.02', '--drift-seed', '9',
      '--max-batch', '8', '--max-batched-tokens', '512', '--prefill-base-ms', '5', '--prefill-ms-per-token', '0.5',
      '--decode-base-ms', '7', '--decode-per-seq-ms', '1',
    ]);
    expect(parsed).toEqual({
      help: false,
      options: {
        host: '127.0.0.2', port: 0, modelName: 'm', sendLogPath: '/tmp/x.jsonl',
        speed: 0.8, seed: 4, noise: 0, drift: 0.02, driftSeed: 9, maxBatch: 8, maxBatchedTokens: 512,
        prefillBaseMs: 5, prefillMsPerToken: 0.5, decodeBaseMs: 7, decodePerSeqMs: 1,
      },
    });
  });

  it('maps the flavor, output-shape, fault and bench flags', () => {
    const parsed = parseSimArgs([
      '--flavor', 'tgi', '--served-model-name', 'm', '--reasoning-tokens', '3', '--tool-calls', '--tokens-per-chunk', '2',
      '--spec-decode', '2.5/4', '--early-eos', 'off', '--continuous-usage', '--faults', '429:0.1@2,reset:#3@1', '--fault-seed', '9',
      '--embedding-dim', '32',
    ]);
    expect(parsed).toEqual({
      help: false,
      options: {
        port: 8000, ...DEFAULT_ENGINE_PARAMS, flavor: 'tgi', servedModelName: 'm', reasoningTokens: 3, toolCalls: true,
        tokensPerChunk: 2, specDecode: { acceptMean: 2.5, k: 4 }, earlyEos: false, continuousUsage: true,
        faults: '429:0.1@2,reset:#3@1', faultSeed: 9, embeddingDim: 32,
      },
    });
    expect(parseSimArgs(['--mode', 'fixed-schedule', '--fixed-ttft-ms', '5', '--fixed-interval-ms', '1.5', '--fixed-chunks', '64', '--workers', '2'])).toEqual({
      help: false,
      options: { port: 8000, ...DEFAULT_ENGINE_PARAMS, mode: 'fixed-schedule', fixedTtftMs: 5, fixedIntervalMs: 1.5, fixedChunks: 64, workers: 2 },
    });
  });

  it('rejects bad dialect, fault and bench flags with one line', () => {
    const cases: [string[], RegExp][] = [
      [['--flavor', 'vllm2'], /^--flavor must be one of vllm, sglang, tgi, llamacpp, llamacpp-old, ollama, trtllm, openai \(got "vllm2"\)$/],
      [['--faults', 'teapot:0.1'], /^--faults entry "teapot:0.1": unknown fault "teapot"/],
      [['--faults', '429:0.7,500:0.7'], /^--faults: the rates add up to 1.4/],
      [['--spec-decode', 'lots'], /^--spec-decode must be MEAN or MEAN\/K/],
      [['--spec-decode', '5/4'], /^--spec-decode: specDecode.acceptMean must be between 1 and k = 4/],
      [['--tokens-per-chunk', '0'], /^--tokens-per-chunk: tokensPerChunk must be an integer from 1/],
      [['--early-eos', 'maybe'], /^--early-eos must be on or off/],
      [['--workers', '2'], /^--workers and --fixed-\* need --mode fixed-schedule$/],
      [['--mode', 'fixed-schedule', '--workers', '0'], /^--workers must be an integer from 1 to 64 \(got 0\)$/],
      [['--mode', 'fixed-schedule', '--fixed-interval-ms=-1'], /^--fixed-interval-ms must be a number >= 0/],
      [['--mode', 'fast'], /^--mode must be model or fixed-schedule/],
      [['--reasoning-tokens', '1.5'], /^--reasoning-tokens must be an integer/],
    ];
    for (const [argv, message] of cases) {
      const parsed = parseSimArgs(argv);
      expect('error' in parsed, argv.join(' ')).toBe(true);
      if ('error' in parsed) {
        expect(parsed.error).toMatch(message);
        expect(parsed.error).not.toContain('\n');
      }
    }
  });

  it('rejects bad values with one line naming the flag', () => {
    const cases: [string[], RegExp][] = [
      [['--speed', 'fast'], /^--speed must be a number \(got "fast"\)$/],
      [['--speed', '0'], /^--speed must be a number > 0 \(got 0\)$/],
      [['--max-batch', '1.5'], /^--max-batch must be an integer >= 1/],
      [['--max-batch', '64', '--max-batched-tokens', '32'], /^--max-batched-tokens must be an integer >= --max-batch/],
      [['--port', '70000'], /^--port must be an integer from 0 to 65535/],
      [['--port=-1'], /^--port must be an integer/],
      [['--seed', '-1'], /'--seed' argument is ambiguous.*--seed=-XYZ/],
      [['--drift', '0.9'], /^--drift must be a number between 0 and 0.3/],
      [['--bogus'], /Unknown option '--bogus'.*--help/],
      [['--speed'], /--speed.*argument missing/],
    ];
    for (const [argv, message] of cases) {
      const parsed = parseSimArgs(argv);
      expect('error' in parsed, argv.join(' ')).toBe(true);
      if ('error' in parsed) {
        expect(parsed.error).toMatch(message);
        expect(parsed.error).not.toContain('\n');
      }
    }
  });

  it('documents every flag with its default in --help', () => {
    const help = simHelp();
    for (const flag of ['--host', '--port', '--model', '--send-log', '--speed', '--seed', '--noise', '--drift', '--drift-seed',
      '--max-batch', '--max-batched-tokens', '--prefill-base-ms', '--prefill-ms-per-token', '--decode-base-ms', '--decode-per-seq-ms']) {
      expect(help).toContain(`  ${flag} `);
    }
    for (const flag of ['--flavor', '--faults', '--mode', '--workers', '--fixed-ttft-ms', '--fixed-interval-ms', '--spec-decode', '--reasoning-tokens']) {
      expect(help).toContain(`  ${flag} `);
    }
    expect(help).toContain('(default 8000)');
    expect(help).toContain(`(default ${DEFAULT_ENGINE_PARAMS.decodeBaseMs})`);
    expect(parseSimArgs(['--help'])).toEqual({ help: true });
  });

  it('returns 2 and prints one line for a bad flag', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await simCommand(['--noise', 'x'])).toBe(2);
      expect(err).toHaveBeenCalledWith('llm-perf-gate sim: --noise must be a number (got "x")\n');
    } finally {
      err.mockRestore();
    }
  });
});

describe('llm-perf-gate sim: process', () => {
  it('prints its URL once listening, serves, and exits 0 on SIGINT', async () => {
    const cli = fileURLToPath(new URL('../../src/sim/cli.ts', import.meta.url));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e',
        `const { simCommand } = await import(${JSON.stringify(cli)}); process.exitCode = await simCommand(['--port', '0', '--speed', '2']);`],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      let out = '';
      child.stdout.setEncoding('utf8');
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no listening line in 20 s: ${out}`)), 20_000);
        child.stdout.on('data', (d: string) => {
          out += d;
          const m = /^llm-perf-gate sim listening on (http:\/\/127\.0\.0\.1:\d+) \(speed 2, /m.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
      });
      expect((await fetch(`${url}/health`)).status).toBe(200);
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
