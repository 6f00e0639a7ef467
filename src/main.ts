// The action's main step: inputs → server → config → run → baseline → gate → report →
// comment / summary / annotations / outputs → save baseline → pass or fail. It wires the
// stages; the decisions live in src/github/decide.ts, the I/O in src/github/*.
import * as core from '@actions/core';
import { DefaultArtifactClient } from '@actions/artifact';
import { displayBaseUrl } from './client/url.js';
import { getOctokit } from '@actions/github';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ArtifactClientLike } from './baseline/artifact-store.js';
import { describeApiError, type Octokit } from './baseline/octokit.js';
import type { BaselineLoad } from './baseline/store.js';
import { DEFAULT_CONFIG_YAML, loadConfigFile, parseConfigText } from './config/load.js';
import type { Config } from './config/schema.js';
import { InputError, RunFailedError } from './errors.js';
import { gateRun, type GateOptions } from './gate/gate.js';
import { gateSettingsFromConfig } from './gate/gate-config.js';
import type { GateDecision } from './gate/types.js';
import { runFailures } from './gate/too-few-successes.js';
import { commentMarker, commentMarkerText } from './github/comment.js';
import { readActionContext, runUrl, type ActionContext } from './github/context.js';
import { failureDecision, shouldComment, shouldSaveBaseline } from './github/decide.js';
import { fingerprintEngine } from './github/fingerprint.js';
import { waitForHealth } from './github/health.js';
import { readInputs, type ActionInputs } from './github/inputs.js';
import { annotateRegressions, headlineOutputs, htmlArtifactName, postComment, uploadReportArtifact, writeHtmlReportFile, writeJobSummary, writeReportFiles } from './github/publish.js';
import { runStopCommand, startServerProcess, type ServerProcess } from './github/server-process.js';
import { createBaselineStore } from './github/stores.js';
import { STATE } from './github/state.js';
import { renderMarkdownReport } from './report/markdown.js';
import { writeRunResultFile } from './report/results-file.js';
import { runConfig } from './run.js';
import { gatePaired } from './gate/paired.js';
import { pairedOneAtATime, runPairedInAction } from './github/paired-action.js';
import { downloadParts, mergeParts, uploadPart } from './github/shards.js';
import { checkShardable, parseShard } from './load/shard.js';
import { renderHtmlReport } from './report/html/render.js';
import type { RunResult } from './types.js';

export interface MainDeps {
  env?: NodeJS.ProcessEnv;
  artifactClient?: () => Promise<ArtifactClientLike>;
}

async function loadConfig(inputs: ActionInputs, ctx: ActionContext): Promise<Config> {
  let config: Config;
  if (inputs.configInline) config = parseConfigText(inputs.config, 'input config');
  else {
    const path = join(ctx.workspace, inputs.config);
    if (!existsSync(path) && inputs.configIsDefault) {
      core.info(`no ${inputs.config}: using the default scenario (docs/action.md)`);
      config = parseConfigText(DEFAULT_CONFIG_YAML, 'default config');
    } else config = await loadConfigFile(path);
  }
  if (inputs.maxDurationS !== undefined) config = { ...config, max_duration_s: inputs.maxDurationS };
  return config;
}

/** The gate's options from the config's `thresholds:`, `min_successful` and `gate:` block (one reader for the CLI and the action). */
function gateOptions(config: Config): GateOptions {
  return { ...gateSettingsFromConfig(config).options, seed: config.seed };
}

async function acceptLabels(octokit: Octokit | undefined, ctx: ActionContext): Promise<string[]> {
  const pr = ctx.pullRequest;
  if (!pr) return [];
  const labels = new Set(pr.labels);
  // The event's labels are those at trigger time; a re-run after adding the label sees it here.
  if (octokit) {
    try {
      const { data } = await octokit.rest.issues.listLabelsOnIssue({ owner: ctx.owner, repo: ctx.repo, issue_number: pr.number, per_page: 100 });
      for (const l of data) labels.add(l.name);
    } catch (err) {
      core.debug(`could not read the PR's labels: ${describeApiError(err)}`);
    }
  }
  return [...labels];
}

/** The environment for commands we start: without INPUT_* (they hold the api-key and the token). */
function withoutInputs(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('INPUT_')));
}

/** A collapsed log group per scenario: run.ts starts each scenario's log with "scenario '<name>'". */
function scenarioGroups(): { log: (line: string) => void; end: () => void } {
  let open = false;
  return {
    log: (line) => {
      if (line.startsWith("scenario '")) {
        if (open) core.endGroup();
        core.startGroup(`Benchmark: ${line}`);
        open = true;
      } else core.info(line);
    },
    end: () => {
      if (open) core.endGroup();
      open = false;
    },
  };
}

/** Report mode: the shard jobs' results from shards-path, else from this run's artifacts; merged. */
async function collectParts(inputs: ActionInputs, ctx: ActionContext, artifactClient: () => Promise<ArtifactClientLike>): Promise<RunResult> {
  let path: string;
  if (inputs.shardsPath) path = join(ctx.workspace, inputs.shardsPath);
  else {
    const got = await downloadParts(await artifactClient(), ctx.runnerTemp || undefined, inputs.name);
    core.info(`downloaded ${got.names.length} artifacts: ${got.names.join(', ')}`);
    path = got.dir;
  }
  const { merged, files } = await mergeParts([path]);
  core.info(`merged ${files} results files: ${merged.scenarios.map((s) => s.name).join(', ')}`);
  return merged;
}

/** A shard job: upload the partial results for the report job; its verdict is no-baseline unless the run failed. */
async function uploadShard(inputs: ActionInputs, ctx: ActionContext, artifactClient: () => Promise<ArtifactClientLike>, resultsPath: string, outDir: string, result: RunResult, minSuccessful: number): Promise<GateDecision> {
  try {
    core.info(await uploadPart(await artifactClient(), inputs.name, inputs.shard as string, resultsPath, outDir, ctx.runAttempt));
  } catch (err) {
    // A name taken by another job would lose one job's results in the report: an error.
    if (err instanceof InputError) throw err;
    core.warning(`could not upload the shard results (${(err as Error).message.split('\n')[0]}); upload the results-path output with actions/upload-artifact and give the report job shards-path`);
  }
  const failures = runFailures(result, minSuccessful);
  if (failures.length > 0) return errorDecision(failures.join('; '));
  return { ...errorDecision(`shard ${inputs.shard}: partial results; the mode: report job merges the shards and gates them`), verdict: 'no-baseline' };
}

function errorDecision(message: string): GateDecision {
  return { verdict: 'error', reasons: [message], comparisons: [], limits: [], baseline: null, fingerprintDiffs: [] };
}

export async function run(deps: MainDeps = {}): Promise<void> {
  const env = deps.env ?? process.env;
  let server: ServerProcess | undefined;
  let inputs: ActionInputs;
  try {
    inputs = readInputs({ getInput: (n) => core.getInput(n), setSecret: (s) => core.setSecret(s) });
  } catch (err) {
    core.setOutput('verdict', 'error');
    core.setFailed((err as Error).message);
    return;
  }
  const ctx = readActionContext(env);
  const outDir = join(ctx.runnerTemp || join(ctx.workspace, '.llm-perf-gate'), 'llm-perf-gate', inputs.name.replace(/[^A-Za-z0-9._-]+/g, '-'));
  const octokit = inputs.githubToken ? getOctokit(inputs.githubToken, { baseUrl: ctx.apiUrl }) : undefined;
  const artifactClient = deps.artifactClient ?? (async () => new DefaultArtifactClient());
  let result: RunResult | undefined;
  let decision: GateDecision;
  let baseline: BaselineLoad = { history: [], warnings: [] };
  let resultsPath: string | undefined;
  let config: Config | undefined;
  try {
    // The config first: a typo must not wait for a ten-minute model load to be reported.
    config = await loadConfig(inputs, ctx);
    gateOptions(config); // a bad gate: section is bad input too, reported before the run
    if (inputs.shard) config = { ...config, shard: inputs.shard };
    if (config.shard && inputs.mode === 'run') {
      // A split that cannot add up to the scenario's load is bad input, reported before any server starts.
      const shard = parseShard(config.shard, inputs.shard ? 'input shard' : 'config: shard');
      for (const scenario of config.scenarios) checkShardable(scenario, shard);
    }
    const cfg = config;
    const gateWithStore = async (run: RunResult): Promise<{ baseline: BaselineLoad; decision: GateDecision }> => {
      const store = await createBaselineStore({ spec: inputs.baseline, name: inputs.name, ctx, octokit, token: inputs.githubToken, artifactClient });
      const loaded = await core.group(`Baseline (${store.label})`, async () => {
        const b = await store.load();
        core.info(b.provenance ? `baseline: ${b.provenance.description}` : 'no baseline found');
        for (const w of b.warnings) core.info(w);
        return b;
      });
      const gated = gateRun(run, loaded.history, gateOptions(cfg));
      if (shouldSaveBaseline(inputs.saveBaseline, ctx, gated.verdict)) {
        try {
          core.info((await store.save(run)).message);
        } catch (err) {
          core.warning(`could not save the baseline (${store.label}): ${(err as Error).message}`);
        }
      }
      return { baseline: loaded, decision: gated };
    };
    resultsPath = join(outDir, 'results.json');
    if (inputs.mode === 'report') {
      // Matrix shards (docs/paired.md): merge the shard jobs' results, gate and comment once.
      const merged = await core.group('Merging the shard results', () => collectParts(inputs, ctx, artifactClient));
      result = merged;
      await writeRunResultFile(resultsPath, merged);
      ({ baseline, decision } = await gateWithStore(merged));
    } else {
      const oneAtATime = pairedOneAtATime(inputs);
      if (inputs.serverCommand && !oneAtATime) {
        core.info(`starting the server: server-command`);
        server = startServerProcess(inputs.serverCommand, { cwd: ctx.workspace, env: withoutInputs(env) });
        core.saveState(STATE.serverPid, String(server.pid));
      }
      if (inputs.serverStopCommand) core.saveState(STATE.serverStopCommand, inputs.serverStopCommand);
      const healthy = (url: string, title: string) =>
        core.group(title, () =>
          waitForHealth(url, { timeoutMs: inputs.waitTimeoutS * 1000, apiKey: inputs.apiKey, log: (l) => core.info(l), abortReason: () => server?.exitReason() }),
        );
      if (!oneAtATime) {
        await healthy(inputs.baseUrl, 'Waiting for the server');
        if (inputs.baselineUrl) await healthy(inputs.baselineUrl, 'Waiting for the baseline server');
      }
      if (inputs.baselineUrl) {
        // Paired rounds: the baseline is measured here, in rounds alternating with the candidate.
        const paired = await core.group(`Paired rounds against ${displayBaseUrl(inputs.baselineUrl)}`, () =>
          runPairedInAction({
            config: cfg,
            inputs,
            env: withoutInputs(env),
            cwd: ctx.workspace,
            log: (l) => core.info(l),
            onServerStart: (pid) => core.saveState(STATE.serverPid, String(pid)),
            environment: inputs.gpu ? { gpu: inputs.gpu } : {},
          }),
        );
        result = paired.candidate;
        await writeRunResultFile(resultsPath, result);
        baseline = { history: [paired.baseline], warnings: [], provenance: { description: `paired rounds: ${paired.rounds.length} rounds against the baseline server ${displayBaseUrl(inputs.baselineUrl)}` } };
        decision = gatePaired(paired.rounds, paired.candidate, gateOptions(cfg));
      } else {
        const engine = await fingerprintEngine(inputs.baseUrl, { apiKey: inputs.apiKey });
        if (engine.engine) core.info(`engine: ${engine.engine}${engine.engineVersion ? ` ${engine.engineVersion}` : ''}`);
        const groups = scenarioGroups();
        let measured: RunResult;
        try {
          measured = await runConfig(cfg, { baseUrl: inputs.baseUrl, model: inputs.model, apiKey: inputs.apiKey, log: groups.log, environment: inputs.gpu ? { gpu: inputs.gpu } : {}, engine });
        } finally {
          groups.end();
        }
        measured.target = { ...measured.target, ...engine };
        result = measured;
        await writeRunResultFile(resultsPath, measured);
        if (inputs.shard) decision = await uploadShard(inputs, ctx, artifactClient, resultsPath, outDir, measured, cfg.min_successful);
        else ({ baseline, decision } = await gateWithStore(measured));
      }
    }
  } catch (err) {
    if (!(err instanceof InputError) && !(err instanceof RunFailedError)) throw err;
    decision = errorDecision((err as Error).message);
  } finally {
    if (server) {
      await server.stop();
      core.saveState(STATE.serverStopped, 'true');
      const log = server.logText();
      await core.group('Server log (server-command)', async () => core.info(log || '(no output)'));
    }
    if (inputs.serverStopCommand) {
      runStopCommand(inputs.serverStopCommand, withoutInputs(env));
      core.saveState(STATE.serverStopCommandDone, 'true');
    }
  }
  // A shard job's numbers are partial: the report job comments, and uploads the HTML report, once.
  const shardJob = Boolean(inputs.shard) && inputs.mode === 'run';
  await publish({ inputs: shardJob ? { ...inputs, comment: 'never' } : inputs, ctx, octokit, artifactClient, result, decision, baseline, outDir, resultsPath, uploadHtml: !shardJob });
}

/** Baseline warnings (old, expired, skipped entries) go right under the report's title line. */
function withWarnings(report: string, warnings: string[]): string {
  const block = warnings.map((w) => `> ⚠️ ${w}`).join('\n>\n');
  const lines = report.split('\n');
  const title = lines.findIndex((l) => l.startsWith('## '));
  if (title < 0) return `${block}\n\n${report}`;
  return [...lines.slice(0, title + 1), '', block, ...lines.slice(title + 1)].join('\n');
}

interface PublishArgs {
  inputs: ActionInputs;
  ctx: ActionContext;
  octokit: Octokit | undefined;
  artifactClient: () => Promise<ArtifactClientLike>;
  result: RunResult | undefined;
  decision: GateDecision;
  baseline: BaselineLoad;
  outDir: string;
  resultsPath: string | undefined;
  /** Upload the HTML report as an artifact (not from a shard job: its numbers are partial). */
  uploadHtml: boolean;
}

async function publish(a: PublishArgs): Promise<void> {
  const { inputs, ctx, decision } = a;
  const marker = commentMarker(ctx.workflow, ctx.job, inputs.name);
  const title = `llm-perf-gate${inputs.name !== 'default' ? `: ${inputs.name}` : ''}`;
  let report: string;
  if (a.result) {
    report = renderMarkdownReport(decision, a.result, a.baseline.history, { title, marker: commentMarkerText(ctx.workflow, ctx.job, inputs.name), runUrl: runUrl(ctx), baselineUrl: a.baseline.provenance?.url });
  } else {
    report = `${marker}\n## ${title}\n\n**error**: ${decision.reasons[0] ?? 'the run failed'}\n`;
  }
  if (a.baseline.warnings.length) report = withWarnings(report, a.baseline.warnings);
  const reportPath = await writeReportFiles(a.outDir, report);
  // The HTML report (CDFs, trend) needs the run's records: none when the run failed before it.
  const htmlPath = a.result ? await writeHtmlReportFile(a.outDir, renderHtmlReport({ current: a.result, baselines: a.baseline.history, decision, title })) : undefined;
  await writeJobSummary(report);
  core.setOutput('verdict', decision.verdict);
  core.setOutput('report-path', reportPath);
  core.setOutput('results-path', a.resultsPath ?? '');
  core.setOutput('html-path', htmlPath ?? '');
  if (htmlPath && a.uploadHtml) {
    const uploaded = await uploadReportArtifact(await a.artifactClient(), htmlArtifactName(inputs.name), a.outDir, [htmlPath]);
    if (uploaded) core.info(uploaded);
  }
  for (const [k, v] of Object.entries(headlineOutputs(a.result))) core.setOutput(k, v);

  const labels = await acceptLabels(a.octokit, ctx);
  const failure = failureDecision(decision, inputs.failOn, inputs.acceptLabel, labels);
  annotateRegressions(decision, failure.fail !== undefined);

  const pr = ctx.pullRequest;
  if (pr && a.octokit && inputs.comment !== 'never') {
    const outcome = await postComment({
      octokit: a.octokit,
      owner: ctx.owner,
      repo: ctx.repo,
      issueNumber: pr.number,
      marker,
      body: report,
      create: shouldComment(inputs.comment, decision),
    }).catch((err: unknown) => ({ kind: 'denied' as const, why: describeApiError(err) }));
    if (outcome.kind === 'posted') {
      core.setOutput('comment-url', outcome.url);
      core.info(`PR comment ${outcome.action}: ${outcome.url}`);
    } else if (outcome.kind === 'denied') {
      core.notice(`llm-perf-gate: cannot comment on the PR (${outcome.why}); a fork PR's token is read-only. The report is in the job summary and the artifact; see docs/action.md for the workflow_run setup that posts it.`);
      const files = [reportPath, ...(a.resultsPath ? [a.resultsPath] : [])];
      const uploaded = await uploadReportArtifact(await a.artifactClient(), `llm-perf-gate-report-${inputs.name.replace(/[^A-Za-z0-9._-]+/g, '-')}`, a.outDir, files);
      if (uploaded) core.info(uploaded);
    }
  }
  if (failure.notice) core.notice(failure.notice);
  if (failure.fail) core.setFailed(failure.fail);
  else core.info(`verdict: ${decision.verdict}`);
}
