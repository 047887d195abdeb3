// Runs the `so100` CLI from source (through tsx) as a real child process.
// Deadlines here only bound a hang: nothing is asserted about speed, and a start-up through tsx can take tens of
// seconds when the machine is busy, so they are generous; readiness is always the child's own ready line.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const projectRoot = resolve(__dirname, '../..');
const cliEntry = resolve(projectRoot, 'src/cli/main.ts');

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `so100 …args` to completion (killed after timeoutMs); `env` adds to (or, with '', blanks) variables. */
export function runCli(args: readonly string[], timeoutMs = 240_000, env?: Record<string, string>): Promise<CliRun> {
  return runNode(['--import', 'tsx', cliEntry, ...args], timeoutMs, env);
}

/** Runs node with the given arguments from the project root to completion (killed after timeoutMs). */
export function runNode(args: readonly string[], timeoutMs = 240_000, env?: Record<string, string>): Promise<CliRun> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, args, {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** Starts `so100 serve` on a free port; resolves with the port once it prints its listening line. */
export function startServeProcess(
  extraArgs: readonly string[] = [],
  timeoutMs = 90_000,
): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cliEntry, 'serve', '--port', '0', ...extraArgs], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`so100 serve did not start: ${out}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      out += d;
      const m = /listening on ws:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePromise({ child, port: Number(m[1]), output: () => out });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d: Buffer) => {
      out += d;
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`so100 serve exited with ${code}: ${out}`));
    });
  });
}

/** Sends SIGINT and waits for the exit code. */
export function interrupt(child: ChildProcess, timeoutMs = 30_000): Promise<number | null> {
  return new Promise((resolvePromise) => {
    if (child.exitCode !== null) {
      resolvePromise(child.exitCode);
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.removeAllListeners('exit');
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolvePromise(code);
    });
    child.kill('SIGINT');
  });
}

/** Starts `so100 sim --pty PATH` (a simulated arm on a pseudo-terminal); resolves once it says it is there. */
export function startPtySim(
  path: string,
  extraArgs: readonly string[] = [],
  timeoutMs = 90_000,
): Promise<ChildProcess> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cliEntry, 'sim', '--pty', path, ...extraArgs], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`so100 sim did not start: ${out}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      out += d;
      if (/simulated SO-100 on /.test(out)) {
        clearTimeout(timer);
        resolvePromise(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`so100 sim exited with ${code}: ${out}`));
    });
  });
}
