// Where the report goes: files (results, report, HTML report), the job summary (≤ 1 MiB), outputs,
// one annotation per regression, and the sticky PR comment with its fork-safe fallback.
import * as core from '@actions/core';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactClientLike } from '../baseline/artifact-store.js';
import { describeApiError, type Octokit } from '../baseline/octokit.js';
import type { GateDecision } from '../gate/types.js';
import type { RunResult } from '../types.js';
import { CommentWriteDenied, findStickyComment, stickyBody, tokenAuthorLogin, upsertStickyComment } from './comment.js';

/** GitHub drops a step summary over 1 MiB; keep well under it. */
export const MAX_SUMMARY_BYTES = 1024 * 1024 - 4096;

export function clipToBytes(text: string, maxBytes: number, note: string): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  let cut = text.slice(0, maxBytes - Buffer.byteLength(note, 'utf8') - 8);
  while (Buffer.byteLength(cut, 'utf8') > maxBytes - Buffer.byteLength(note, 'utf8') - 8) cut = cut.slice(0, -1024);
  return `${cut}\n\n${note}`;
}

export async function writeJobSummary(report: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  const text = clipToBytes(report, MAX_SUMMARY_BYTES, '… (truncated to fit the 1 MiB job summary; the full report is the report-path file)');
  await core.summary.addRaw(text, true).write();
}

const outputNumber = (v: number | null | undefined): string => (typeof v === 'number' && Number.isFinite(v) ? String(Number(v.toFixed(3))) : '');

/** The headline numbers of the first scenario (a workflow gating several scenarios reads the results file). */
export function headlineOutputs(result: RunResult | undefined): Record<string, string> {
  const m = result?.scenarios[0]?.metrics;
  return {
    'ttft-p90-ms': outputNumber(m?.ttft_ms?.p90),
    'tpot-p50-ms': outputNumber(m?.tpot_ms?.p50),
    'output-throughput-tps': outputNumber(m?.output_token_throughput_tps),
  };
}

/** One annotation per regressed comparison and per breached limit. */
export function annotateRegressions(decision: GateDecision, asError: boolean): void {
  const annotate = asError ? core.error : core.warning;
  for (const c of decision.comparisons) {
    if (c.verdict !== 'regression') continue;
    const change = c.change === null ? '' : ` (${c.change >= 0 ? '+' : ''}${(c.change * 100).toFixed(1)} %)`;
    annotate(`${c.scenario}: ${c.metric}.${c.statistic} regressed${change}: ${c.baseline?.toFixed(2)} → ${c.current?.toFixed(2)}${c.note ? `; ${c.note}` : ''}`, {
      title: `llm-perf-gate: ${c.metric}.${c.statistic} regression`,
    });
  }
  for (const l of decision.limits) {
    if (!l.breached) continue;
    annotate(`${l.scenario}: ${l.metric}.${l.statistic} = ${l.value} breaks the limit ${l.limit}`, { title: `llm-perf-gate: ${l.reason === 'errors' ? 'error limit' : 'SLO'} breached` });
  }
}

export async function writeReportFiles(dir: string, report: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'report.md');
  await writeFile(path, report, 'utf8');
  return path;
}

/** The HTML report (src/report/html/) next to the markdown one; returns its path. */
export async function writeHtmlReportFile(dir: string, html: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'report.html');
  await writeFile(path, html, 'utf8');
  return path;
}

/** The artifact holding a step's HTML report: one per `name`, like the comment and the baseline. */
export function htmlArtifactName(name: string): string {
  return `llm-perf-gate-html-${name.replace(/[^A-Za-z0-9._-]+/g, '-')}`;
}

export interface CommentRequest {
  octokit: Octokit;
  owner: string;
  repo: string;
  issueNumber: number;
  marker: string;
  body: string;
  /** false: only update an existing comment (so it is not left stale), never create one. */
  create: boolean;
}

export type CommentOutcome = { kind: 'posted'; url: string; action: 'created' | 'updated' } | { kind: 'skipped' } | { kind: 'denied'; why: string };

export async function postComment(req: CommentRequest): Promise<CommentOutcome> {
  const authorLogin = await tokenAuthorLogin(req.octokit);
  const target = { owner: req.owner, repo: req.repo, issueNumber: req.issueNumber, marker: req.marker, authorLogin };
  try {
    if (!req.create) {
      const existing = await findStickyComment(req.octokit, target);
      if (!existing) return { kind: 'skipped' };
      const { data } = await req.octokit.rest.issues.updateComment({ owner: req.owner, repo: req.repo, comment_id: existing.id, body: stickyBody(req.marker, req.body) });
      return { kind: 'posted', url: data.html_url, action: 'updated' };
    }
    const r = await upsertStickyComment(req.octokit, target, req.body);
    return { kind: 'posted', url: r.url, action: r.action };
  } catch (err) {
    if (err instanceof CommentWriteDenied) return { kind: 'denied', why: err.message };
    const status = (err as { status?: number }).status;
    if (status === 403 || status === 404) return { kind: 'denied', why: describeApiError(err) };
    throw err;
  }
}

/**
 * Uploads report files as an artifact: the HTML report of every gating run, and on fork PRs
 * the report and results for a workflow_run workflow to post. Fails soft: a runner without
 * the artifact service (GHES) still gets the files on disk and a warning.
 */
export async function uploadReportArtifact(client: ArtifactClientLike, name: string, dir: string, files: string[]): Promise<string | undefined> {
  try {
    const r = await client.uploadArtifact(name, files, dir);
    return `uploaded the report as artifact ${name} (id ${r.id ?? '?'})`;
  } catch (err) {
    core.warning(`could not upload the report artifact ${name}: ${describeApiError(err)}`);
    return undefined;
  }
}
