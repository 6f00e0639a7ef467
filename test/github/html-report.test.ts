// The action's HTML report: written next to the results file, given as the html-path output,
// uploaded through the artifact client (failing soft). Runs main in this process in report
// mode over a stored results file, so no server is needed.
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatRunResult } from '../../src/report/results-file.js';
import { makeRun } from '../baseline/make-run.js';
import { runActionInProcess, type ActionSetup } from '../e2e/action-harness.js';
import { FakeRunArtifacts } from './fake-artifacts.js';

function reportJob(inputs: Record<string, string> = {}): ActionSetup {
  return {
    eventName: 'push',
    payload: {},
    apiUrl: 'http://127.0.0.1:9',
    refName: 'feature',
    workspaceFiles: { 'parts/a/results.json': formatRunResult(makeRun('a')) },
    // makeRun holds 3 requests: fewer than the default min_successful.
    inputs: { mode: 'report', 'shards-path': 'parts', baseline: 'none', name: 'chat perf', config: 'min_successful: 3\nscenarios: [{ name: chat, load: { type: constant, rate: 1, requests: 3 } }]\n', ...inputs },
  };
}

describe('the HTML report in the action', () => {
  it('is written next to the results file, given as html-path and uploaded as llm-perf-gate-html-<name>', async () => {
    const artifacts = new FakeRunArtifacts();
    const r = await runActionInProcess(reportJob(), { artifactClient: async () => artifacts });
    expect(r.code).toBe(0);
    expect(r.outputs.verdict).toBe('no-baseline');
    const htmlPath = r.outputs['html-path'];
    expect(htmlPath).toBe(`${dirname(r.outputs['results-path'])}/report.html`);
    const html = readFileSync(htmlPath, 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<title>llm-perf-gate: chat perf</title>');
    expect(html).toContain('chat');
    expect(artifacts.uploads).toEqual([{ name: 'llm-perf-gate-html-chat-perf', files: ['report.html'] }]);
    expect(artifacts.artifacts.get('llm-perf-gate-html-chat-perf')?.files.get('report.html')).toBe(html);
    expect(r.stdout).toMatch(/^uploaded the report as artifact llm-perf-gate-html-chat-perf \(id 1\)$/m);
  });

  it('a failed upload is a warning: the job still passes and the file is on disk', async () => {
    const artifacts = new FakeRunArtifacts();
    artifacts.failUploads = new Error('Unable to get the ACTIONS_RUNTIME_TOKEN env variable');
    const r = await runActionInProcess(reportJob(), { artifactClient: async () => artifacts });
    expect(r.code).toBe(0);
    expect(r.outputs.verdict).toBe('no-baseline');
    expect(r.stdout).toMatch(/^::warning::could not upload the report artifact llm-perf-gate-html-chat-perf: Unable to get the ACTIONS_RUNTIME_TOKEN env variable$/m);
    expect(readFileSync(r.outputs['html-path'], 'utf8')).toContain('<!DOCTYPE html>');
  });

  it('a run that failed before measuring has no HTML report and uploads nothing', async () => {
    const artifacts = new FakeRunArtifacts();
    const r = await runActionInProcess(reportJob({ 'shards-path': 'nowhere' }), { artifactClient: async () => artifacts });
    expect(r.code).toBe(1);
    expect(r.outputs.verdict).toBe('error');
    expect(r.outputs['html-path']).toBe('');
    expect(artifacts.uploads).toEqual([]);
  });
});
