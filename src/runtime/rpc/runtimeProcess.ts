// Starts the runtime as a child process and connects to it: the host side of DESIGN §1. The child's stdin stays
// open as a lifeline, so a runtime whose host dies makes the arm safe and exits on its own.
import { spawn, type ChildProcess } from 'node:child_process';
import { RuntimeClient, RuntimeUnavailableError } from './runtimeClient';
import { runtimeSocketPath } from './socketPath';

export interface RuntimeProcessOptions {
  /** Program and arguments that start src/runtime/main (bundled: [process.execPath, 'dist/runtime.js']). */
  readonly command: string;
  readonly args: readonly string[];
  readonly workspace: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Lines of the runtime's stderr (its log). */
  readonly onLog?: (line: string) => void;
  readonly startTimeoutMs?: number;
}

export class RuntimeProcess implements AsyncDisposable {
  private constructor(
    readonly child: ChildProcess,
    readonly client: RuntimeClient,
    readonly exited: Promise<number | null>,
  ) {}

  static async start(options: RuntimeProcessOptions): Promise<RuntimeProcess> {
    const socket = runtimeSocketPath();
    // Two lifelines: stdin (closes at once when this process dies) and our pid (polled by the runtime).
    const child = spawn(
      options.command,
      [...options.args, '--socket', socket, '--workspace', options.workspace, '--parent-pid', String(process.pid)],
      {
        cwd: options.workspace,
        env: options.env ?? process.env,
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    let stderrTail = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderrTail = (stderrTail + d).slice(-2000);
      for (const line of d.split('\n')) if (line.trim()) options.onLog?.(line);
    });
    try {
      await new Promise<void>((resolve, reject) => {
        const timeoutMs = options.startTimeoutMs ?? 20_000;
        const timer = setTimeout(
          () => reject(new RuntimeUnavailableError(`the runtime did not start within ${timeoutMs} ms`)),
          timeoutMs,
        );
        let out = '';
        let ready = false;
        child.stdout!.setEncoding('utf8').on('data', (d: string) => {
          // After the ready line, stdout is a user converter module's console.log: it goes to the log too.
          if (ready) {
            for (const line of d.split('\n')) if (line.trim()) options.onLog?.(line);
            return;
          }
          out += d;
          if (out.includes('so100-runtime listening ')) {
            ready = true;
            clearTimeout(timer);
            resolve();
            const end = out.indexOf('\n', out.indexOf('so100-runtime listening '));
            const rest = end < 0 ? '' : out.slice(end + 1);
            for (const line of rest.split('\n')) if (line.trim()) options.onLog?.(line);
            out = '';
          }
        });
        child.once('error', (err) => {
          clearTimeout(timer);
          reject(new RuntimeUnavailableError(`cannot start the runtime (${options.command}): ${err.message}`));
        });
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(
            new RuntimeUnavailableError(
              `the runtime exited with code ${code} before it was ready${stderrTail ? `: ${stderrTail.trim()}` : ''}`,
            ),
          );
        });
      });
      return new RuntimeProcess(child, await RuntimeClient.connect(socket), exited);
    } catch (err) {
      child.kill('SIGKILL');
      await exited;
      throw err;
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Asks the runtime to shut down (arm left safe); kills it if it does not exit in time. */
  async stop(timeoutMs = 15_000): Promise<void> {
    if (this.child.exitCode === null && this.client.isOpen)
      await this.client.call('shutdown', {}).catch(() => undefined);
    await this.client.close();
    this.child.stdin?.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
