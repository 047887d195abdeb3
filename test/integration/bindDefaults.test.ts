// Servers we start listen on 127.0.0.1 unless told otherwise; a remote policy host is used but announced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { MODEL_PROFILES } from '../../src/core/policy/modelProfiles';
import { BuiltinPolicyServer } from '../../src/io/policy/builtinServer/builtinPolicyServer';
import { modelServerSpec } from '../../src/io/process/modelServerSpec';
import { interrupt, projectRoot, startServeProcess } from '../helpers/cliProcess';

test('the built-in server binds 127.0.0.1 when no host is given, for both protocols', async () => {
  for (const protocol of ['openpi', 'lerobot-ws'] as const) {
    const server = await BuiltinPolicyServer.start({ protocol, profile: MODEL_PROFILES.pi0 });
    try {
      assert.equal(server.host, '127.0.0.1');
    } finally {
      await server.close();
    }
  }
});

test('so100 serve binds 127.0.0.1 by default (what it prints is the bound address)', async () => {
  const { child, output } = await startServeProcess();
  try {
    assert.match(output(), /listening on ws:\/\/127\.0\.0\.1:\d+/);
  } finally {
    await interrupt(child);
  }
});

test('a built-in model of so100.json is started with --host 127.0.0.1', () => {
  const spec = modelServerSpec(
    'pi0',
    { kind: 'builtin', profile: 'pi0', protocol: 'openpi', port: 0 },
    { so100: { command: 'node', args: ['cli.js'] }, freePort: 4321 },
  );
  assert.equal(spec.args[spec.args.indexOf('--host') + 1], '127.0.0.1');
  assert.equal(spec.host, '127.0.0.1');
});

test('so100 episode with a remote policy host says where the observations go before it connects', async () => {
  // 192.0.2.1 is TEST-NET-1 (never routed): the notice must come before any connection attempt.
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      resolve(projectRoot, 'src/cli/main.ts'),
      'episode',
      '--server',
      'ws://192.0.2.1:8000',
      '--steps',
      '5',
    ],
    { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  const seen = await new Promise<boolean>((done) => {
    const timer = setTimeout(() => done(false), 60_000);
    child.stdout.on('data', () => {
      if (/Note: model/.test(out)) {
        clearTimeout(timer);
        done(true);
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      done(/Note: model/.test(out));
    });
  });
  await interrupt(child);
  assert.ok(seen, out);
  assert.match(
    out,
    /Note: model "\S+" runs on another machine, 192\.0\.2\.1 \(ws:\/\/192\.0\.2\.1:8000\): observations/,
  );
});
