// Names of the values main saves for the post step (core.saveState / core.getState).
export const STATE = {
  serverPid: 'server-pid',
  serverStopped: 'server-stopped',
  serverStopCommand: 'server-stop-command',
  serverStopCommandDone: 'server-stop-command-done',
} as const;
