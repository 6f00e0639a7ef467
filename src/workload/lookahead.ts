// Builds trace requests ahead of the replay. A trace prompt of 100k tokens takes milliseconds
// to assemble (a Mooncake window: p50 0.27 ms, p99 4.8 ms, max 7.7 ms per request with its
// JSON); built at its send time it would delay that send (and every request sharing its
// timestamp). The first `depth` requests are built at once; after each request is taken, the
// next ones are built one per event-loop turn (setImmediate), in the idle time between
// arrivals, so the runner usually finds its request ready.
//
// "Idle" is checked, not assumed: a build that started just before a send would hold the
// event loop past the send time (the replay's p99 slip was a build's length). The runner
// takes request i right after sending request i − 1 and then sleeps until i is due, so the
// takes tell where the replay's time zero lies (take time − the previous request's arrival
// offset; the earliest such value, since a late take only overestimates it). A build starts
// only if the longest recent build, plus a margin, ends before the taken request is due;
// otherwise building waits for the next take, which comes right after that send.
import type { RequestSpec } from '../types.js';

export interface LookaheadOptions {
  /** Monotonic milliseconds (performance.now by default); tests inject a fake. */
  now?: () => number;
  /** Kept free before a send, beyond the expected build time. */
  marginMs?: number;
}

/** Recent build durations kept for the estimate (its maximum is used). */
const RECENT_BUILDS = 16;
const DEFAULT_MARGIN_MS = 1;

export function withLookahead(build: (index: number) => RequestSpec | undefined, depth: number, options: LookaheadOptions = {}): (index: number) => RequestSpec | undefined {
  const now = options.now ?? (() => performance.now());
  const marginMs = options.marginMs ?? DEFAULT_MARGIN_MS;
  const ready = new Map<number, RequestSpec | undefined>();
  const recent: number[] = [];
  let wantedUpTo = depth - 1;
  let nextToBuild = 0;
  let pumping = false;
  /** The arrival offset of the request taken last (due next), if it has one. */
  let dueOffset: number | undefined;
  /** Estimated `now()` of arrival offset 0. */
  let origin = Infinity;

  const timedBuild = (index: number): RequestSpec | undefined => {
    const start = now();
    const spec = build(index);
    recent.push(now() - start);
    if (recent.length > RECENT_BUILDS) recent.shift();
    return spec;
  };
  /** True when a build now could still be running when the taken request is due. */
  const sendIsNear = (): boolean => {
    if (dueOffset === undefined || origin === Infinity) return false;
    const longest = recent.length > 0 ? Math.max(...recent) : 0;
    return now() + longest + marginMs > origin + dueOffset;
  };
  const buildOne = (): boolean => {
    if (nextToBuild > wantedUpTo) return false;
    if (!ready.has(nextToBuild)) ready.set(nextToBuild, timedBuild(nextToBuild));
    nextToBuild++;
    return true;
  };
  const pump = (): void => {
    if (pumping) return;
    pumping = true;
    setImmediate(function step() {
      if (!sendIsNear() && buildOne()) setImmediate(step);
      else pumping = false;
    }).unref?.();
  };
  while (buildOne());

  return (index: number): RequestSpec | undefined => {
    const takenAt = now();
    const spec = ready.has(index) ? ready.get(index) : timedBuild(index);
    for (const key of ready.keys()) if (key <= index) ready.delete(key);
    nextToBuild = Math.max(nextToBuild, index + 1);
    if (dueOffset !== undefined) origin = Math.min(origin, takenAt - dueOffset);
    dueOffset = spec?.arrivalOffsetMs;
    if (spec !== undefined) {
      wantedUpTo = Math.max(wantedUpTo, index + depth);
      pump();
    }
    return spec;
  };
}
