// The Converter Inspector's runtime side, against a real runtime process: `inspect` (the loop's last exchange,
// summarised and linted), `runConverter` (a fresh converter on the last observation; a user module's exception
// comes back as data with its file and line), `converterCompiled` events while a module is edited mid-episode,
// and the --parent-pid lifeline of a runtime started without stdin (as under the debugger).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultConfig, type So100Config } from '../../src/core/config';
import type { ConverterCompiled, RuntimeSetup } from '../../src/core/rpc';
import { MODEL_PROFILES, customizeProfile } from '../../src/core/policy/modelProfiles';
import { BuiltinPolicyServer } from '../../src/io/policy/builtinServer/builtinPolicyServer';
import { RuntimeClient } from '../../src/runtime/rpc/runtimeClient';
import { RuntimeProcess } from '../../src/runtime/rpc/runtimeProcess';
import { runtimeSocketPath } from '../../src/runtime/rpc/socketPath';

const root = path.resolve(__dirname, '../..');
const MAIN = 'observation/images.main';

function lineOf(text: string, marker: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(marker));
  assert.ok(i >= 0, `marker ${marker}`);
  return i + 1;
}

const SWAP_RED_BLUE = `export function toPolicy(obs: any, builtin: any) {
  const r = builtin.toPolicy(obs);
  const d: Uint8Array = r.input['observation/images.main'].data;
  for (let i = 0; i < d.length; i += 3) { const t = d[i]; d[i] = d[i + 2]; d[i + 2] = t; }
  return r;
}
`;
const THROWS = `export function toPolicy(obs: any, builtin: any) {
  const r = builtin.toPolicy(obs);
  if (r) throw new RangeError('no camera called ' + 'top'); // THROWS_HERE
  return r;
}
`;
const PASS_THROUGH = `export function toPolicy(obs: any, builtin: any) {
  return builtin.toPolicy(obs);
}
`;

describe('runtime inspection over its socket', () => {
  let pi0: BuiltinPolicyServer;
  let dir: string;
  let rt: RuntimeProcess;
  const log: string[] = [];

  const setup = (change: Partial<So100Config> = {}): RuntimeSetup => {
    const d = defaultConfig();
    return {
      config: {
        ...d,
        robot: { ...d.robot, seed: 3 },
        maxSteps: 5000,
        record: { ...d.record, enabled: false },
        ...change,
      },
      endpoints: { pi0: { url: pi0.url, protocol: 'openpi' } },
    };
  };

  before(async () => {
    pi0 = await BuiltinPolicyServer.start({
      protocol: 'openpi',
      profile: customizeProfile(MODEL_PROFILES.pi0, { latencyMs: 10 }),
    });
    dir = await mkdtemp(path.join(tmpdir(), 'so100-inspect-'));
    rt = await RuntimeProcess.start({
      command: process.execPath,
      args: ['--import', 'tsx', path.join(root, 'src/runtime/main.ts')],
      workspace: root,
      onLog: (l) => log.push(l),
    });
  });
  after(async () => {
    await rt?.stop();
    await pi0.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('inspect: before an episode it says so; after a reply it shows observation, input, reply, targets and safety', async () => {
    const c = rt.client;
    await c.call('connect', setup());
    const empty = await c.call('inspect', {});
    assert.equal(empty.observation, undefined);
    assert.match(empty.notes.join(' '), /no observation yet/);
    await c.call('runEpisode', { startPaused: true });
    // Listening before the step: the reply may come back before the step's own answer does.
    const chunk = c.next('chunk', (x) => x.accepted, 20_000);
    await c.call('step', {});
    await chunk;
    await c.call('step', {});
    const r = await c.call('inspect', {});
    assert.equal(r.source, 'episode');
    assert.equal(r.layout, 'openpi-so100');
    assert.equal(r.tick, 0, 'the observation of the first request');
    assert.deepEqual(
      r.observation?.cameras.map((x) => x.key),
      ['front', 'wrist'],
    );
    const state = r.input?.find((x) => x.key === 'observation/state');
    assert.equal(state?.dtype, '<f4');
    assert.deepEqual(state?.shape, [6]);
    assert.deepEqual(
      state?.values?.map((v) => Math.round(v)),
      r.observation?.joints.map((j) => Math.round(j.value)),
    );
    const main = r.input?.find((x) => x.key === MAIN);
    assert.deepEqual(main?.shape, [224, 224, 3]);
    assert.equal(main?.image?.thumbnail.width, 96);
    assert.equal(main?.image?.thumbnail.rgb.length, 96 * 96 * 3);
    assert.ok(main?.stats && main.stats.max > main.stats.min, 'a picture, not a blank');
    const actions = r.output?.find((x) => x.key === 'actions');
    assert.equal(actions?.shape?.[0], 50);
    assert.equal(r.targets?.horizon, 50);
    assert.equal(r.targets?.first.length, 6);
    assert.equal(r.safety?.sent?.length, 6);
    assert.deepEqual(r.warnings, [], 'the built-in converter on the embedded default has nothing to warn about');
    await c.call('stop', {});
  });

  test('runConverter: a module that swaps red and blue is flagged BGR; one that throws comes back as data at its line', async () => {
    const c = rt.client;
    const swap = path.join(dir, 'swap.ts');
    const throws = path.join(dir, 'throws.ts');
    await writeFile(swap, SWAP_RED_BLUE);
    await writeFile(throws, THROWS);
    const bgr = await c.call('runConverter', { module: swap });
    assert.equal(bgr.source, 'runConverter');
    assert.equal(bgr.converter, swap);
    assert.equal(bgr.error, undefined);
    assert.deepEqual(
      bgr.warnings.map((w) => `${w.code}:${w.key}`),
      [`bgr:${MAIN}`],
    );
    assert.equal(bgr.targets?.horizon, 50, 'fromPolicy (the built-in) ran on the last reply');
    const failed = await c.call('runConverter', { module: throws });
    assert.equal(failed.error?.stage, 'toPolicy');
    assert.equal(failed.error?.file, throws);
    assert.equal(failed.error?.line, lineOf(THROWS, 'THROWS_HERE'));
    assert.match(failed.error!.message, /RangeError: no camera called top/);
    assert.ok(failed.observation, 'the observation is still shown');
    const missing = await c.call('runConverter', { module: path.join(dir, 'nope.ts') });
    assert.match(missing.error?.message ?? '', /file not found/);
    const builtin = await c.call('runConverter', {});
    assert.equal(builtin.converter, 'openpi-so100');
    assert.deepEqual(builtin.warnings, []);
    assert.equal((await c.call('status', {})).phase, 'connected', 'the runtime is fine');
  });

  test('a module edited mid-episode: a syntax error is reported at its line and the episode runs on; the fix reloads', async () => {
    const c = rt.client;
    const file = path.join(dir, 'live.ts');
    await writeFile(file, PASS_THROUGH);
    await c.call('disconnect', {});
    const events: ConverterCompiled[] = [];
    const off = c.on('converterCompiled', (e) => events.push(e));
    const d = defaultConfig();
    await c.call('connect', setup({ converter: { ...d.converter, module: file } }));
    assert.deepEqual(
      events.map((e) => e.ok),
      [true],
      'compiled at connect',
    );
    assert.ok(events[0].inputs?.includes(file));
    await c.call('runEpisode', {});
    await c.next('tick', (t) => t.index >= 3, 20_000);
    const broken = `export function toPolicy(obs: any, builtin: any) {\n  const x = ;\n  return builtin.toPolicy(obs);\n}\n`;
    const failed = c.next('converterCompiled', (e) => !e.ok, 20_000);
    await writeFile(file, broken);
    const f = await failed;
    assert.equal(f.module, file);
    assert.equal(f.error?.file, file);
    assert.equal(f.error?.line, 2);
    assert.equal((await c.call('status', {})).phase, 'running', 'the previous converter keeps the episode going');
    const tickAfter = await c.next('tick', () => true, 10_000);
    const fixed = c.next('converterCompiled', (e) => e.ok, 20_000);
    await writeFile(file, PASS_THROUGH.replace('return', '// fixed\n  return'));
    await fixed;
    await c.next('tick', (t) => t.index > tickAfter.index, 10_000);
    await c.call('stop', {});
    off();
  });
});

test('a runtime without a stdin lifeline exits (arm safe) when its --parent-pid process dies', async () => {
  const parent = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
  const socket = runtimeSocketPath();
  const rt = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(root, 'src/runtime/main.ts'),
      '--socket',
      socket,
      '--workspace',
      root,
      '--parent-pid',
      String(parent.pid),
      '--no-stdin-lifeline',
    ],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<number | null>((r) => rt.once('exit', (code) => r(code)));
  let stderr = '';
  rt.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the runtime did not start within 20 s')), 20_000);
      rt.stdout!.setEncoding('utf8').on('data', (d: string) => {
        if (d.includes('so100-runtime listening')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const client = await RuntimeClient.connect(socket);
    assert.equal((await client.call('status', {})).phase, 'idle', 'alive with stdin closed');
    parent.kill('SIGKILL');
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(r, 15_000, 'still running'))]);
    assert.equal(code, 0);
    assert.match(stderr, /the host \(pid \d+\) went away; leaving the arm safe/);
    await client.whenClosed;
  } finally {
    parent.kill('SIGKILL');
    rt.kill('SIGKILL');
    await exited;
  }
});
