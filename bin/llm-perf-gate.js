#!/usr/bin/env node
// The installed CLI runs the committed bundle (dist/cli), built from src/cli.ts.
import { main } from '../dist/cli/index.js';

process.exitCode = await main(process.argv.slice(2));
