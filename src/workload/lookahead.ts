// Builds trace requests ahead of the replay. A trace prompt of 100k tokens takes milliseconds
// to assemble; built at its send time it would delay that send (and every request sharing
// its timestamp). The first `depth` requests are built at once, and after each request is
// taken the next ones are built one per event-loop turn (setImmediate), in the idle time
// between arrivals, so the runner usually finds its request ready.
import type { RequestSpec } from '../types.js';

export function withLookahead(build: (index: number) => RequestSpec | undefined, depth: number): (index: number) => RequestSpec | undefined {
  const ready = new Map<number, RequestSpec | undefined>();
  let wantedUpTo = depth - 1;
  let nextToBuild = 0;
  let pumping = false;

  const buildOne = (): boolean => {
    if (nextToBuild > wantedUpTo) return false;
    if (!ready.has(nextToBuild)) ready.set(nextToBuild, build(nextToBuild));
    nextToBuild++;
    return true;
  };
  const pump = (): void => {
    if (pumping) return;
    pumping = true;
    setImmediate(function step() {
      if (buildOne()) setImmediate(step);
      else pumping = false;
    }).unref?.();
  };
  while (buildOne());

  return (index: number): RequestSpec | undefined => {
    const spec = ready.has(index) ? ready.get(index) : build(index);
    for (const key of ready.keys()) if (key <= index) ready.delete(key);
    nextToBuild = Math.max(nextToBuild, index + 1);
    if (spec !== undefined) {
      wantedUpTo = Math.max(wantedUpTo, index + depth);
      pump();
    }
    return spec;
  };
}
