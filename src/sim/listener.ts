// The simulator's listening socket, which faults can take away: "refuse" stops listening for a
// while (new connections are refused; requests arriving on kept-alive sockets are dropped),
// "restart" also drops every connection in flight first. Then it listens again on the same port.

import type { Server } from 'node:http';

export class Listener {
  private downUntil = 0;
  private upTimer: NodeJS.Timeout | null = null;
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly server: Server,
    private readonly host: string,
    private port: number,
    /** Called when a restart drops in-flight requests (to free their engine slots and log them). */
    private readonly dropInFlight: () => void,
  ) {}

  setPort(port: number): void {
    this.port = port;
  }

  /** True while the server refuses (between goDown and coming back). */
  get down(): boolean {
    return this.upTimer !== null;
  }

  /** Stops listening for `seconds` (extending a current outage). A restart first drops all connections. */
  goDown(seconds: number, restart: boolean): void {
    if (this.closed) return;
    if (restart) {
      this.dropInFlight();
      this.server.closeAllConnections();
    }
    const until = performance.now() + seconds * 1000;
    if (this.down) {
      if (until <= this.downUntil) return;
      clearTimeout(this.upTimer!);
    } else {
      this.server.close();
      this.server.closeIdleConnections();
    }
    this.downUntil = until;
    this.upTimer = setTimeout(() => this.comeBack(), seconds * 1000);
  }

  /** Runs `fn` after `ms` unless the server closes first. */
  schedule(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, Math.max(0, ms));
    this.timers.add(t);
  }

  /** Cancels every timer. Returns whether the server is listening (so the caller knows whether to close it). */
  shutdown(): boolean {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const wasDown = this.down;
    if (this.upTimer) clearTimeout(this.upTimer);
    this.upTimer = null;
    return !wasDown;
  }

  private comeBack(): void {
    this.upTimer = null;
    if (this.closed) return;
    // The port was ours a moment ago; if something took it meanwhile, stay down (the test or user sees refusals).
    const ignore = (): void => undefined;
    this.server.once('error', ignore);
    this.server.listen(this.port, this.host, () => this.server.off('error', ignore));
  }
}
