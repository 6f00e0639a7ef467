// Errors a user can cause, mapped to the Contracts' exit codes. Their message is one line
// that names the field, file or URL and what to do; the CLI prints it without a stack.

/** Bad input: config, data, baseline or results file (exit code 2). */
export class InputError extends Error {
  readonly exitCode = 2;
  override name = 'InputError';
}

/** The run itself failed: server unreachable, never healthy, too few successes (exit code 3). */
export class RunFailedError extends Error {
  readonly exitCode = 3;
  override name = 'RunFailedError';
}

export const EXIT = { pass: 0, regression: 1, badInput: 2, runFailed: 3 } as const;
