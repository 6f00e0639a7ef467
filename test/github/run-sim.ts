// Runs only the simulator (not the whole CLI) for tests that start it as a server-command.
import { simCommand } from '../../src/sim/cli.js';

process.exitCode = await simCommand(process.argv.slice(2));
