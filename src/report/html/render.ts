// The HTML report: one self-contained file (inline CSS and SVG, no script, no external
// resource), so it opens from an Actions artifact or a disk with no network. A strict
// Content-Security-Policy forbids loading anything, which also defuses any markup that
// escaping might have missed.
import type { RunResult } from '../../types.js';
import { escapeHtml } from './escape.js';
import { decisionSection, scenarioSection, sweepSection, trendSection } from './sections.js';

export interface HtmlReportInput {
  current: RunResult;
  /** Stored runs, newest first: the first one is drawn under the CDFs; all make the trend. */
  baselines?: RunResult[];
  /** A GateDecision (src/gate/types.ts) or any object with `verdict` and `comparisons`. */
  decision?: unknown;
  title?: string;
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1b1f23;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
h3{font-size:15px}.meta{color:#57606a;margin:0 0 16px}
table{border-collapse:collapse;margin:8px 0 12px;font-variant-numeric:tabular-nums}
th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:right}th{background:#f6f8fa}
td:first-child,th:first-child{text-align:left}
.verdict{font-weight:600;padding:1px 6px;border-radius:4px}
.v-regression{background:#ffebe9;color:#a40e26}.v-improvement{background:#dafbe1;color:#116329}
.v-inconclusive{background:#fff8c5;color:#7d4e00}.v-unchanged,.v-pass{background:#eaeef2}.v-error{background:#ffebe9}
.provenance{background:#f6f8fa;border-left:3px solid #0969da;padding:4px 10px;margin:8px 0}.provenance p{margin:2px 0}
.note{color:#57606a}.charts{display:flex;flex-wrap:wrap;gap:12px}
svg.chart{border:1px solid #d0d7de;background:#fff}svg .plot{fill:#fff;stroke:#d0d7de}svg .grid{stroke:#eaeef2}
svg text{font:11px system-ui,sans-serif;fill:#1b1f23}svg .chart-title{font-weight:600;font-size:12px}
`;

function header(run: RunResult, title: string): string {
  const facts = [
    `model ${run.target.model}`,
    `target ${run.target.baseUrl}`,
    `started ${run.startedAt}`,
    run.environment.commit ? `commit ${run.environment.commit}` : '',
    run.environment.ref ? `ref ${run.environment.ref}` : '',
    run.environment.gpu ? `GPU ${run.environment.gpu}` : '',
    `tool ${run.tool.name} ${run.tool.version}`,
  ].filter(Boolean);
  const health = run.clientHealth.trustworthy ? '' : `<p class="provenance">Client health: not trustworthy — ${escapeHtml(run.clientHealth.reasons.join('; '))}</p>`;
  return `<header><h1>${escapeHtml(title)}</h1><p class="meta">${facts.map(escapeHtml).join(' · ')}</p>${health}</header>`;
}

/** The whole report as one HTML document. */
export function renderHtmlReport(input: HtmlReportInput): string {
  const { current } = input;
  const baselines = input.baselines ?? [];
  const title = input.title ?? 'llm-perf-gate report';
  const body = [
    header(current, title),
    decisionSection(input.decision),
    ...current.scenarios.map((s) => scenarioSection(s, baselines[0])),
    sweepSection(current),
    trendSection(current, baselines),
  ].join('\n');
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title><style>${CSS}</style></head>`,
    `<body>${body}</body></html>`,
    '',
  ].join('\n');
}
