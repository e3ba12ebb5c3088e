// Stopping a helper server the test run started, without ever waiting forever on it.

/**
 * Resolves once `child` has exited: after `signal`, then SIGKILL when it is still running
 * after `graceMs`.
 * @param {import('node:child_process').ChildProcess} child
 */
export async function stopProcess(child, signal = 'SIGTERM', graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
