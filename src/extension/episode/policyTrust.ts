// What a workspace may run: an untrusted workspace refuses a model that would run its code and a config that reads or
// writes outside the folder (with a warning naming what is refused); remote policy hosts are allowed but shown.
import * as vscode from 'vscode';
import {
  modelNamed,
  remotePolicyNotice,
  untrustedFolderMessage,
  untrustedFolderRefusals,
  untrustedMessage,
  untrustedRefusals,
  type So100Config,
} from '../../core/config';
import { outsideOf } from '../workspace/workspaceFolderRule';

export class PolicyTrust {
  /** Remote hosts already announced this session (once each is enough). */
  private readonly announcedHosts = new Set<string>();

  /**
   * @param folder the workspace folder (undefined: none open)
   * @param log where refusals and remote notices are logged
   */
  constructor(
    private readonly folder: () => string | undefined,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /**
   * False (with a warning naming what is refused) when the workspace is untrusted and `model` would run its code, or
   * the config would read or write files outside the workspace.
   */
  allows(config: So100Config, model: string): boolean {
    const trusted = vscode.workspace.isTrusted;
    const refusals = untrustedRefusals(config, trusted, model);
    const folders = untrustedFolderRefusals(config, trusted, outsideOf(this.folder()));
    if (refusals.length === 0 && folders.length === 0) return true;
    const msg = `SO-100: ${[refusals.length ? untrustedMessage(refusals) : '', folders.length ? untrustedFolderMessage(folders) : ''].filter(Boolean).join(' ')}`;
    this.log.warn(msg);
    void vscode.window.showWarningMessage(msg, 'Manage Workspace Trust').then((pick) => {
      if (pick) void vscode.commands.executeCommand('workbench.trust.manage');
    });
    return false;
  }

  /** Remote policy hosts are allowed but shown: logged every time, told once per host and session. */
  announceRemote(config: So100Config, model: string): void {
    const m = modelNamed(config.models, model);
    const notice = m && remotePolicyNotice(model, m);
    if (!notice) return;
    this.log.info(`SO-100: ${notice}`);
    const key = m.kind === 'remote' ? m.url : `${model}@${m.kind === 'command' ? m.host : ''}`;
    if (this.announcedHosts.has(key)) return;
    this.announcedHosts.add(key);
    void vscode.window.showInformationMessage(`SO-100: ${notice}`);
  }
}
