// A user's converter module in the runtime process, as the extension host drives it: its console output reaches the
// host's log, and a module named by an edit of so100.json that does not load keeps the next episode from starting
// on the previous converter until it is fixed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { defaultConfig, type So100Config } from '../../src/core/config';
import type { RuntimeEvents } from '../../src/core/rpc';
import { MODEL_PROFILES, customizeProfile } from '../../src/core/policy/modelProfiles';
import { BuiltinPolicyServer } from '../../src/io/policy/builtinServer/builtinPolicyServer';
import { RuntimeCallError } from '../../src/runtime/rpc/runtimeClient';
import { RuntimeProcess } from '../../src/runtime/rpc/runtimeProcess';

const root = path.resolve(__dirname, '../..');
let server: BuiltinPolicyServer;
let workspace: string;
let rt: RuntimeProcess;
const log: string[] = [];

before(async () => {
  server = await BuiltinPolicyServer.start({
    protocol: 'openpi',
    profile: customizeProfile(MODEL_PROFILES.pi0, { latencyMs: 10 }),
  });
  workspace = await mkdtemp(path.join(tmpdir(), 'so100-rt-conv-'));
  rt = await RuntimeProcess.start({
    command: process.execPath,
    // tsx by path: the runtime's cwd is the workspace, where no node_modules are.
    args: [
      '--import',
      pathToFileURL(path.join(root, 'node_modules/tsx/dist/loader.mjs')).href,
      path.join(root, 'src/runtime/main.ts'),
    ],
    workspace,
    onLog: (l) => log.push(l),
  });
});
after(async () => {
  await rt?.stop();
  await server.close();
  await rm(workspace, { recursive: true, force: true });
});

const config = (module?: string): So100Config => {
  const d = defaultConfig();
  return { ...d, maxSteps: 5, record: { ...d.record, enabled: false }, converter: { ...d.converter, module } };
};

/** Resolves with the first `event` that `ok` accepts; fails after 20 s. */
function nextEvent<E extends keyof RuntimeEvents>(
  event: E,
  ok: (d: RuntimeEvents[E]) => boolean = () => true,
): Promise<RuntimeEvents[E]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} event`)), 20_000);
    const off = rt.client.on(event, (d) => {
      if (!ok(d)) return;
      clearTimeout(timer);
      off();
      resolve(d);
    });
  });
}

async function waitForLog(re: RegExp): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!log.some((l) => re.test(l))) {
    if (Date.now() > deadline) throw new Error(`no log line matching ${re}; got:\n${log.join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a module that does not load after an edit of so100.json stops the next episode from starting until it is fixed; its console output reaches the log', async () => {
  const endpoints = { pi0: { url: server.url, protocol: 'openpi' as const } };
  await rt.client.call('connect', { config: config(), endpoints });
  const file = path.join(workspace, 'convert.ts');
  await writeFile(file, 'export function toPolicy(obs: unknown, b: any) {\n  return b.toPolicy(obs) +;\n}\n');
  const warned = nextEvent('warning', (w) => w.message.includes('convert.ts'));
  const failed = nextEvent('converterCompiled', (e) => !e.ok);
  const applied = await rt.client.call('applyConfig', { config: config('convert.ts') });
  assert.ok(applied, 'applyConfig resolves: the rest of the config still applies');
  assert.equal((await failed).error?.line, 2);
  assert.match((await warned).message, /no episode starts until the module loads/);
  await assert.rejects(rt.client.call('runEpisode', {}), (e: unknown) => {
    assert.ok(e instanceof RuntimeCallError);
    assert.equal(e.remoteName, 'UserConverterError');
    assert.match(e.message, /convert\.ts:2/);
    return true;
  });
  await writeFile(
    file,
    "enum Tag { A = 'tag-a' }\nconsole.log('module loaded', Tag.A);\nconsole.error('to stderr too');\n" +
      'export function toPolicy(obs: unknown, b: any): unknown {\n  return b.toPolicy(obs);\n}\n',
  );
  const ended = nextEvent('episodeEnded');
  await rt.client.call('runEpisode', {});
  await ended;
  await waitForLog(/module loaded tag-a/);
  await waitForLog(/to stderr too/);
  await rt.client.call('disconnect', {});
});
