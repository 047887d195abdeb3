// Shared by the extension-host suites: the extension's test API, settings, and plain socket checks.
import * as vscode from 'vscode';
import { request } from 'node:http';
import { connect } from 'node:net';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { So100Api } from '../../../src/extension/extension';
import type { EpisodeSummary } from '../../../src/core/rpc';

export const EXTENSION_ID = 'so100-policy-lab.so100-policy-lab';

/** The extension's test API, which activate() returns only in ExtensionMode.Test (extensionTestsPath is set). */
export async function activateExtension(): Promise<So100Api> {
  const ext = vscode.extensions.getExtension<So100Api | undefined>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not loaded in this extension host`);
  const api = await ext.activate();
  if (!api) {
    throw new Error(
      `${EXTENSION_ID} returned no test API: it gives one only in ExtensionMode.Test, when the host was started with ` +
        'extensionTestsPath and the extension from extensionDevelopmentPath (as test/vscode/run.mjs does).',
    );
  }
  return api;
}

const SERVER_KEYS = ['kind', 'builtinProfile', 'port', 'host', 'protocol', 'command', 'args', 'cwd', 'env'];

/**
 * Makes the workspace's `so100.server.*` settings exactly `values` (keys without the prefix) by writing
 * .vscode/settings.json once, then waits until VS Code has read them. One file write instead of one
 * `update()` round trip per key keeps the suite fast.
 */
export async function useServerSettings(values: Record<string, unknown>): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the extension-host tests need a workspace folder (the runner opens one)');
  const file = join(folder.uri.fsPath, '.vscode', 'settings.json');
  const body = Object.fromEntries(Object.entries(values).map(([k, v]) => [`so100.server.${k}`, v]));
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(body, null, 2));
  await waitFor(
    `VS Code to read ${file}`,
    () => {
      const config = vscode.workspace.getConfiguration('so100.server');
      const applied = SERVER_KEYS.every(
        (k) => JSON.stringify(config.inspect(k)?.workspaceValue) === JSON.stringify(values[k]),
      );
      return applied ? true : undefined;
    },
    10_000,
  );
}

export function clearServerSettings(): Promise<void> {
  return useServerSettings({});
}

/** Status code of GET http://127.0.0.1:port/path (rejects on connection errors). */
export function httpGetStatus(port: number, path = '/healthz'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', agent: false, timeout: 5000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} on port ${port} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** The error code a TCP connect to 127.0.0.1:port ends with ('connected' if it was accepted). */
export function connectOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      sock.destroy();
      resolve('timeout');
    }, 5000);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.destroy();
      resolve('connected');
    });
    sock.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(err.code ?? err.message);
    });
  });
}

/** Polls `check` every 100 ms until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Text of the "SO-100 Inference Server" log channel, read from the file VS Code writes it to. */
export function serverLogText(api: So100Api): Promise<string> {
  return logChannelText(api, 'SO-100 Inference Server');
}

/** Text of one of the extension's log channels (e.g. "SO-100 Runtime"), read from the file VS Code writes it to. */
export async function logChannelText(api: So100Api, channel: string): Promise<string> {
  const hostLogs = dirname(api.logDirectory());
  const found: string[] = [];
  async function walk(dir: string, depth: number): Promise<void> {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(dir, n);
      if (n.endsWith(`${channel}.log`)) found.push(p);
      else if (depth > 0 && (await stat(p).catch(() => undefined))?.isDirectory()) await walk(p, depth - 1);
    }
  }
  await walk(hostLogs, 2);
  const texts = await Promise.all(found.map((f) => readFile(f, 'utf8')));
  return texts.join('\n');
}

/**
 * Writes `config` as the workspace's so100.json, has the extension read it, runs an episode through Run Episode and
 * resolves with its summary once it ended (the one after any episode that ended before).
 */
export async function runRecordedEpisode(
  api: So100Api,
  configFile: string,
  config: Record<string, unknown>,
): Promise<EpisodeSummary> {
  await writeFile(configFile, JSON.stringify(config));
  await api.reloadConfig();
  const before = api.lastEpisode();
  await vscode.commands.executeCommand('so100.runEpisode');
  return waitFor(
    'the recorded episode',
    () => {
      const e = api.lastEpisode();
      return e && e !== before ? e : undefined;
    },
    60_000,
  );
}
