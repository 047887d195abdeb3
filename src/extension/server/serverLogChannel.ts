// The "SO-100 Inference Server" output channel: the child's lines as they come, advice as warnings.
import * as vscode from 'vscode';
import type { ServerLogLine } from '../../io/process/serverSpec';

export const SERVER_LOG_CHANNEL = 'SO-100 Inference Server';

export class ServerLogChannel implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;

  constructor() {
    this.channel = vscode.window.createOutputChannel(SERVER_LOG_CHANNEL, { log: true });
  }

  /** One line of the supervised server; its advice (if any) follows as a warning. */
  append(line: ServerLogLine): void {
    const text = line.stream === 'supervisor' ? line.text : `[${line.stream}] ${line.text}`;
    this.channel.info(text);
    if (line.advice) this.channel.warn(line.advice);
  }

  note(text: string): void {
    this.channel.info(text);
  }

  warn(text: string): void {
    this.channel.warn(text);
  }

  error(text: string): void {
    this.channel.error(text);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
