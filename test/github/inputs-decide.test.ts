import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { readActionContext, isPushToDefaultBranch, baselineBranch } from '../../src/github/context.js';
import { failureDecision, shouldComment, shouldSaveBaseline } from '../../src/github/decide.js';
import { readInputs } from '../../src/github/inputs.js';
import { parseBaselineSpec } from '../../src/baseline/store.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function io(values: Record<string, string>) {
  const secrets: string[] = [];
  return { secrets, io: { getInput: (n: string) => values[n] ?? '', setSecret: (s: string) => secrets.push(s) } };
}

describe('readInputs', () => {
  it('applies the documented defaults', () => {
    const { io: i } = io({ 'base-url': 'http://127.0.0.1:8000' });
    expect(readInputs(i)).toEqual({
      baseUrl: 'http://127.0.0.1:8000',
      model: undefined,
      apiKey: undefined,
      config: '.github/llm-perf-gate.yml',
      configInline: false,
      configIsDefault: true,
      name: 'default',
      baseline: { kind: 'artifact' },
      githubToken: undefined,
      comment: 'always',
      failOn: 'regression',
      acceptLabel: 'perf-regression-accepted',
      saveBaseline: 'auto',
      waitTimeoutS: 600,
      maxDurationS: undefined,
      serverCommand: undefined,
      serverStopCommand: undefined,
      gpu: undefined,
      mode: 'run',
    });
  });

  it('masks the api key and the token before validating anything else', () => {
    const { io: i, secrets } = io({ 'api-key': 'sk-secret-1', 'github-token': 'ghs_tok', 'base-url': 'not a url' });
    expect(() => readInputs(i)).toThrow(InputError);
    expect(secrets).toEqual(['sk-secret-1', 'ghs_tok']);
  });

  it('treats a config with a newline as inline YAML', () => {
    const { io: i } = io({ 'base-url': 'http://h:1/v1', config: 'scenarios:\n  - name: x' });
    expect(readInputs(i)).toMatchObject({ configInline: true, configIsDefault: false });
  });

  it('rejects unknown choices with one line naming the input', () => {
    expect(() => readInputs(io({ 'base-url': 'http://h:1', comment: 'sometimes' }).io)).toThrow("input comment: 'sometimes' is not one of always, on-change, on-regression, never");
    expect(() => readInputs(io({ 'base-url': 'http://h:1', 'wait-timeout': '-3' }).io)).toThrow("input wait-timeout: '-3' is not a positive number of seconds");
    expect(() => readInputs(io({}).io)).toThrow(/^input base-url: required/);
  });
});

describe('parseBaselineSpec', () => {
  it('reads every store', () => {
    expect(parseBaselineSpec('')).toEqual({ kind: 'artifact' });
    expect(parseBaselineSpec('branch:perf-data')).toEqual({ kind: 'branch', branch: 'perf-data' });
    expect(parseBaselineSpec('file:perf/base.json')).toEqual({ kind: 'file', path: 'perf/base.json' });
    expect(parseBaselineSpec('cache')).toEqual({ kind: 'cache' });
    expect(parseBaselineSpec('none')).toEqual({ kind: 'none' });
  });
  it('refuses a bad branch name or an unknown store', () => {
    expect(() => parseBaselineSpec('branch:a..b')).toThrow(/does not name a valid branch/);
    expect(() => parseBaselineSpec('s3://x')).toThrow("input baseline: 's3://x' is not one of artifact, branch:NAME, file:PATH, cache, none");
  });
});

function ctxFor(event: string, payload: object, env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'ctx-'));
  writeFileSync(join(dir, 'event.json'), JSON.stringify(payload));
  return readActionContext({ GITHUB_EVENT_NAME: event, GITHUB_EVENT_PATH: join(dir, 'event.json'), GITHUB_REPOSITORY: 'o/r', GITHUB_RUN_ID: '42', ...env });
}

describe('readActionContext', () => {
  it('reads a fork pull_request', () => {
    const ctx = ctxFor('pull_request', {
      pull_request: { number: 9, labels: [{ name: 'perf-regression-accepted' }], base: { ref: 'main', repo: { full_name: 'o/r' } }, head: { sha: 'abc', repo: { full_name: 'fork/r' } } },
      repository: { default_branch: 'main' },
    });
    expect(ctx.pullRequest).toEqual({ number: 9, baseRef: 'main', headSha: 'abc', fromFork: true, labels: ['perf-regression-accepted'] });
    expect(baselineBranch(ctx)).toBe('main');
    expect(isPushToDefaultBranch(ctx)).toBe(false);
  });
  it('knows a push to the default branch', () => {
    const ctx = ctxFor('push', { repository: { default_branch: 'trunk' } }, { GITHUB_REF_NAME: 'trunk' });
    expect(isPushToDefaultBranch(ctx)).toBe(true);
    expect(isPushToDefaultBranch({ ...ctx, refName: 'feature' })).toBe(false);
  });
});

const decision = (verdict: 'pass' | 'regression' | 'inconclusive' | 'no-baseline' | 'error', comparisonVerdicts: string[] = []) => ({
  verdict,
  reasons: verdict === 'pass' ? [] : [`reason for ${verdict}`],
  comparisons: comparisonVerdicts.map((v) => ({ verdict: v })) as never,
  limits: [],
});

describe('decisions', () => {
  it('comments by mode', () => {
    expect(shouldComment('always', decision('pass', ['unchanged']))).toBe(true);
    expect(shouldComment('never', decision('regression'))).toBe(false);
    expect(shouldComment('on-regression', decision('inconclusive'))).toBe(false);
    expect(shouldComment('on-regression', decision('regression'))).toBe(true);
    expect(shouldComment('on-change', decision('pass', ['unchanged', 'unchanged']))).toBe(false);
    expect(shouldComment('on-change', decision('pass', ['unchanged', 'improvement']))).toBe(true);
    expect(shouldComment('on-change', decision('no-baseline'))).toBe(true);
  });

  it('never saves an error run; auto saves on a push to the default branch', () => {
    const push = ctxFor('push', { repository: { default_branch: 'main' } }, { GITHUB_REF_NAME: 'main' });
    const pr = ctxFor('pull_request', { pull_request: { number: 1, base: { ref: 'main' } }, repository: { default_branch: 'main' } });
    expect(shouldSaveBaseline('auto', push, 'pass')).toBe(true);
    expect(shouldSaveBaseline('auto', push, 'error')).toBe(false);
    expect(shouldSaveBaseline('always', pr, 'error')).toBe(false);
    expect(shouldSaveBaseline('auto', pr, 'pass')).toBe(false);
    expect(shouldSaveBaseline('always', pr, 'regression')).toBe(true);
    expect(shouldSaveBaseline('never', push, 'pass')).toBe(false);
  });

  it('fails per fail-on, unless the accept label is on the PR', () => {
    expect(failureDecision(decision('regression'), 'regression', 'ok-label', [])).toEqual({ fail: 'llm-perf-gate: regression: reason for regression' });
    expect(failureDecision(decision('regression'), 'regression', 'ok-label', ['ok-label']).fail).toBeUndefined();
    expect(failureDecision(decision('regression'), 'regression', 'ok-label', ['ok-label']).notice).toMatch(/accepted by the 'ok-label' label/);
    expect(failureDecision(decision('inconclusive'), 'regression', 'l', [])).toEqual({});
    expect(failureDecision(decision('inconclusive'), 'inconclusive', 'l', []).fail).toBe('llm-perf-gate: inconclusive: reason for inconclusive');
    expect(failureDecision(decision('regression'), 'never', 'l', [])).toEqual({});
    expect(failureDecision(decision('no-baseline'), 'inconclusive', 'l', [])).toEqual({});
    expect(failureDecision(decision('error'), 'never', 'l', ['l']).fail).toBe('llm-perf-gate: the run failed: reason for error');
  });
});
