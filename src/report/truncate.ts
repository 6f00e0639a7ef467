// Keeps a report under the comment limit by shedding the least important parts first:
// the details and charts of unchanged scenarios, then of all; then scenarios' tables become
// one-line headlines (least severe first); then headlines are counted instead of listed.
// The overall verdict and the regressions are the last things to go.

export interface ScenarioSection {
  /** 3 regression, 2 inconclusive, 1 improvement, 0 unchanged or nothing compared. */
  severity: number;
  headline: string;
  table: string;
  details: string;
}

export interface ReportParts {
  head: string;
  reasons: string[];
  sections: ScenarioSection[];
  tail: string[];
  maxChars: number;
}

type Form = 'full' | 'table' | 'headline' | 'hidden';

const MAX_REASONS = 30;
const SEP = '\n\n';

function reasonsBlock(reasons: string[]): string {
  if (reasons.length <= MAX_REASONS) return reasons.join('\n');
  return [...reasons.slice(0, MAX_REASONS), `- … and ${reasons.length - MAX_REASONS} more (see the JSON output or the job log)`].join('\n');
}

function sectionText(s: ScenarioSection, form: Form): string {
  if (form === 'full') return s.table + SEP + s.details;
  if (form === 'table') return s.table;
  if (form === 'headline') return s.headline;
  return '';
}

export function assembleWithinCap(parts: ReportParts): string {
  const { sections, maxChars } = parts;
  const forms: Form[] = sections.map(() => 'full');
  const reasons = reasonsBlock(parts.reasons);
  const tail = parts.tail.join(SEP);
  // Shed in this order: least severe first, later scenarios before earlier ones.
  const dropOrder = sections.map((s, i) => ({ s, i })).sort((a, b) => a.s.severity - b.s.severity || b.i - a.i).map((x) => x.i);
  const notice = (shed: boolean, hidden: number) =>
    [shed ? '> Some details are left out to stay under the comment size limit; the JSON output has everything.' : '', hidden ? `- … and ${hidden} more scenarios not listed` : '']
      .filter(Boolean)
      .join('\n');
  const render = (): string => {
    const body: string[] = [];
    const headlines: string[] = [];
    for (let i = 0; i < sections.length; i++) {
      if (forms[i] === 'headline') headlines.push(sections[i].headline);
      else if (forms[i] !== 'hidden') body.push(sectionText(sections[i], forms[i]));
    }
    const hidden = forms.filter((f) => f === 'hidden').length;
    const shed = forms.some((f) => f !== 'full');
    const headlineBlock = headlines.length || hidden ? ['**Other scenarios:**', ...headlines, notice(false, hidden)].filter(Boolean).join('\n') : '';
    return [parts.head, reasons, notice(shed, 0), ...body, headlineBlock, tail].filter(Boolean).join(SEP) + '\n';
  };
  // Lengths are tracked incrementally: re-rendering after every step would be quadratic.
  let length = render().length;
  const step = (from: Form, to: Form): boolean => {
    for (const i of dropOrder) {
      if (length <= maxChars) return true;
      if (forms[i] !== from) continue;
      const before = sectionText(sections[i], from).length;
      const after = to === 'headline' ? sections[i].headline.length : to === 'hidden' ? 0 : sectionText(sections[i], to).length;
      forms[i] = to;
      length += after - before + 64; // + a margin for separators and the notices
    }
    length = render().length;
    return length <= maxChars;
  };
  if (length <= maxChars || step('full', 'table') || step('table', 'headline') || step('headline', 'hidden')) {
    const out = render();
    if (out.length <= maxChars) return out;
  }
  // Only the head, the reasons and the tail are left and still too long: cut at a line.
  const text = render();
  const cut = text.lastIndexOf('\n', maxChars - 80);
  return text.slice(0, Math.max(0, cut)) + '\n\n… (truncated to stay under the comment size limit)\n';
}
