import { spawn } from 'node:child_process';

/** How a finished (or killed) child process ended, with everything it printed. */
export interface RunResult {
  /** The command line, for error messages. */
  commandLine: string;
  /** Exit code, or null when a signal ended the process. */
  code: number | null;
  /** True when the process outlived its timeout and was killed. */
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Kill the process (and its children) after this long; the result then has `timedOut`. */
  timeoutMs?: number;
  /** Written to stdin, which is then closed; stdin is closed at once when omitted. */
  input?: string;
}

/** Default per-command limit: a hung client fails its test instead of hanging the run. */
export const defaultCommandTimeoutMs = 60_000;

/**
 * Runs a command to completion and never rejects for a non-zero exit: the caller judges the
 * result. The child leads its own process group, so a timeout kills it and every process it
 * started (pnpm runs npm, for example).
 */
export function run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const commandLine = [command, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      }
    }, options.timeoutMs ?? defaultCommandTimeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not start ${commandLine}: ${error.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        commandLine,
        code,
        timedOut,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
  });
}

/** A readable account of a result, for assertion messages. */
export function describeResult(result: RunResult): string {
  const ending = result.timedOut ? 'timed out and was killed' : `exited with ${result.code}`;
  return `\`${result.commandLine}\` ${ending}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

/** Returns the result when the command exited 0. @throws Error with the full output otherwise. */
export function expectSuccess(result: RunResult): RunResult {
  if (result.timedOut || result.code !== 0) throw new Error(describeResult(result));
  return result;
}

/**
 * Returns stdout + stderr of a command that must fail by itself (non-zero exit, not a timeout).
 * @throws Error with the full output when it succeeded or hung.
 */
export function expectFailure(result: RunResult): string {
  if (result.timedOut || result.code === 0) throw new Error(`expected a failure: ${describeResult(result)}`);
  return `${result.stdout}\n${result.stderr}`;
}
