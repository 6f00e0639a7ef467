// A free TCP port on 127.0.0.1 for a server started as a command (which cannot report back its port 0).
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** The command that runs the built-in simulator from the sources (cwd: the repository root). */
export function simCommand(port: number, extra = ''): string {
  return `exec node --import tsx test/github/run-sim.ts --port ${port} ${extra}`.trim();
}
