// The workspace's so100.json: read, validated into the Problems panel at the offending key, watched for edits. A
// file with errors never replaces the running config; without a file the embedded default applies.
import * as vscode from 'vscode';
import { defaultConfig, parseConfig, starterConfigText, type ConfigProblem, type So100Config } from '../../core/config';

export const CONFIG_FILE_NAME = 'so100.json';

export interface ConfigChange {
  readonly previous: So100Config;
  readonly next: So100Config;
}

export class WorkspaceConfig implements vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('so100');
  private readonly changed = new vscode.EventEmitter<ConfigChange>();
  private readonly disposables: vscode.Disposable[] = [this.diagnostics, this.changed];
  private config: So100Config | undefined;
  private problemCount = 0;
  /** Fires when the file changed and is valid (the old value is kept while it has errors). */
  readonly onDidChange = this.changed.event;

  constructor(private readonly log: (line: string) => void) {
    const watcher = vscode.workspace.createFileSystemWatcher(`**/${CONFIG_FILE_NAME}`);
    const reload = (uri: vscode.Uri) => {
      if (this.file && uri.toString() === this.file.toString()) void this.load();
    };
    this.disposables.push(
      watcher,
      watcher.onDidChange(reload),
      watcher.onDidCreate(reload),
      watcher.onDidDelete(reload),
    );
    let before = this.current;
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration('so100.robot.port')) return;
        const next = this.current;
        if (JSON.stringify(next) !== JSON.stringify(before)) this.changed.fire({ previous: before, next });
        before = next;
      }),
    );
  }

  /** so100.json in the first workspace folder (where the runtime also resolves relative paths). */
  get file(): vscode.Uri | undefined {
    const folder = vscode.workspace.workspaceFolders?.[0];
    return folder ? vscode.Uri.joinPath(folder.uri, CONFIG_FILE_NAME) : undefined;
  }

  get folder(): string | undefined {
    return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  }

  /**
   * The config in force: the file's last valid content (or the embedded default), with this machine's
   * `so100.robot.port` setting over `robot.port` — a serial port belongs to a machine, not to a shared file.
   */
  get current(): So100Config {
    const config = this.config ?? defaultConfig();
    const port = vscode.workspace.getConfiguration('so100.robot').get<string>('port', '').trim();
    return port ? { ...config, robot: { ...config.robot, port } } : config;
  }

  /** True when the config in force came from the workspace's file (not the embedded default). */
  get fromFile(): boolean {
    return this.config !== undefined;
  }

  /** True when the file on disk has errors (the config in force is then an older one, or the default). */
  get hasErrors(): boolean {
    return this.problemCount > 0;
  }

  /** Reads the file again; publishes its problems; fires onDidChange for a valid edit. */
  async load(): Promise<void> {
    const file = this.file;
    if (!file) return;
    let text: string;
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
    } catch {
      // No file: the embedded default; nothing to report.
      this.diagnostics.delete(file);
      this.problemCount = 0;
      this.replace(undefined);
      return;
    }
    const { config, problems } = parseConfig(text);
    this.diagnostics.set(file, problems.map(toDiagnostic));
    this.problemCount = problems.filter((p) => p.severity === 'error').length;
    if (!config) {
      this.log(`${CONFIG_FILE_NAME}: ${this.problemCount} problem(s); the running config stays as it was`);
      return;
    }
    this.replace(config);
  }

  /** Writes a commented starter that runs the embedded default (never over an existing file). */
  async createStarter(): Promise<vscode.Uri | undefined> {
    const file = this.file;
    if (!file) return undefined;
    try {
      await vscode.workspace.fs.stat(file);
      return file; // already there: open it instead
    } catch {
      await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(starterConfigText(null)));
      await this.load();
      return file;
    }
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  private replace(next: So100Config | undefined): void {
    const previous = this.current;
    this.config = next;
    if (JSON.stringify(previous) !== JSON.stringify(this.current)) this.changed.fire({ previous, next: this.current });
  }
}

function toDiagnostic(p: ConfigProblem): vscode.Diagnostic {
  // Problems carry 1-based line/column; VS Code ranges are 0-based.
  const start = new vscode.Position(Math.max(0, p.line - 1), Math.max(0, p.column - 1));
  const end = start.translate(0, Math.max(1, p.length));
  const d = new vscode.Diagnostic(
    new vscode.Range(start, end),
    p.message,
    p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
  );
  d.source = 'so100';
  if (p.path) d.code = p.path;
  return d;
}
