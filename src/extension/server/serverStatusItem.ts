// The status bar item that shows the inference server's state; its tooltip links run the server commands.
import * as vscode from 'vscode';
import { escapeMarkdown } from '../common/markdownText';
import type { ServerState } from '../../io/process/serverSpec';

const look: Record<ServerState, { icon: string; label: string }> = {
  stopped: { icon: '$(debug-stop)', label: 'stopped' },
  starting: { icon: '$(loading~spin)', label: 'starting' },
  ready: { icon: '$(pass-filled)', label: 'ready' },
  restarting: { icon: '$(loading~spin)', label: 'restarting' },
  stopping: { icon: '$(loading~spin)', label: 'stopping' },
  failed: { icon: '$(error)', label: 'failed' },
};

export interface StatusDetails {
  readonly serverName?: string;
  readonly endpoint?: string;
  /** Why it failed, in one or a few sentences. */
  readonly problem?: string;
}

export class ServerStatusItem implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor() {
    this.item = vscode.window.createStatusBarItem('so100.serverStatus', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'SO-100 Inference Server';
    this.item.command = 'so100.showServerLog';
    this.show('stopped', {});
    this.item.show();
  }

  show(state: ServerState, d: StatusDetails): void {
    const { icon, label } = look[state];
    this.item.text = `${icon} SO-100 server: ${label}`;
    this.item.backgroundColor = state === 'failed' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.tooltip = tooltip(state, d);
    this.item.accessibilityInformation = { label: `SO-100 inference server ${label}` };
  }

  dispose(): void {
    this.item.dispose();
  }
}

function tooltip(state: ServerState, d: StatusDetails): vscode.MarkdownString {
  const md = new vscode.MarkdownString('', true);
  // Only our own commands may run from the links.
  md.isTrusted = { enabledCommands: ['so100.showServerLog', 'so100.stopServer', 'so100.startServer'] };
  md.appendMarkdown(`**SO-100 inference server** — ${look[state].label}`);
  if (d.serverName)
    md.appendMarkdown(`\n\n${escapeMarkdown(d.serverName)}${d.endpoint ? ` on \`${d.endpoint}\`` : ''}`);
  if (d.problem) md.appendMarkdown(`\n\n$(warning) ${escapeMarkdown(d.problem)}`);
  const links = ['[Show Server Log](command:so100.showServerLog)'];
  if (state === 'ready' || state === 'starting' || state === 'restarting')
    links.push('[Stop](command:so100.stopServer)');
  if (state === 'stopped' || state === 'failed') links.push('[Start](command:so100.startServer)');
  md.appendMarkdown(`\n\n${links.join(' · ')}`);
  return md;
}
