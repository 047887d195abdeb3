// The episode folder a command argument names: a folder or its episode.json (a path or a Uri, from the explorer's
// context menu) or a side bar episode item ({ dir }).
import * as vscode from 'vscode';

/** The path an argument names, if it names one. */
export function argumentPath(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg instanceof vscode.Uri) return arg.fsPath;
  if (typeof arg === 'object' && arg !== null && typeof (arg as { dir?: unknown }).dir === 'string')
    return (arg as { dir: string }).dir;
  return undefined;
}
