// The `so100` command as a user runs it: real child processes, real sockets, the shared conformance probe.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { NdArray } from '../../src/core/ndarray';
import { OpenPiClient } from '../../src/io/policy/openPiClient';
import { interrupt, runCli, runNode, startServeProcess } from '../helpers/cliProcess';
import { conformanceProbe } from '../helpers/conformanceProbe';

const openPiProbe = conformanceProbe('openpi_probe.mjs');
// Each test starts several CLI processes (and an episode is 30 s of real time at least); on a busy machine that
// takes minutes. The deadline bounds a hang only: nothing here is about speed.
const SLOW = { timeout: 600_000 };

describe('so100 serve', () => {
  test(
    'passes the independent openpi conformance probe (pi0 and pi0_fast)',
    { ...SLOW, skip: openPiProbe.skip },
    async () => {
      for (const profile of ['pi0', 'pi0_fast']) {
        const server = await startServeProcess(['--profile', profile, '--latency-ms', '1']);
        try {
          const probe = await runNode([openPiProbe.path, String(server.port)], 120_000);
          assert.equal(probe.code, 0, `probe output:\n${probe.stdout}${probe.stderr}`);
          assert.match(probe.stdout, /openpi probe: all checks hold/);
        } finally {
          assert.equal(await interrupt(server.child), 0, 'SIGINT ends the server cleanly');
        }
        assert.match(server.output(), /served 2 requests on 1 connections, 1 errors/);
      }
    },
  );

  test(
    '--action-dim and --horizon set the chunk a client gets back; the joints fill the first 6 columns',
    SLOW,
    async () => {
      const state = [10, -20, 30, 15, -5, 60];
      const cases: { args: string[]; shape: [number, number] }[] = [
        { args: ['--action-dim', '8'], shape: [50, 8] },
        { args: ['--profile', 'pi0_fast', '--horizon', '4', '--action-dim', '6'], shape: [4, 6] },
      ];
      for (const { args, shape } of cases) {
        const server = await startServeProcess([...args, '--latency-ms', '0']);
        try {
          await using client = new OpenPiClient(`ws://127.0.0.1:${server.port}`, { requestTimeoutMs: 60_000 });
          await client.connect();
          assert.equal(client.metadata?.action_dim, shape[1], 'the metadata frame announces the width');
          const r = await client.infer({
            'observation/state': NdArray.fromTyped(Float32Array.from(state), [6]),
            prompt: 'pick',
          });
          assert.deepEqual([r.actions.horizon, r.actions.dims], shape, args.join(' '));
          for (let step = 0; step < shape[0]; step++) {
            const row = r.actions.row(step);
            for (let d = 6; d < shape[1]; d++) assert.equal(row[d], 0, `padding column ${d} of step ${step} is zero`);
          }
          const row0 = r.actions.row(0);
          for (let j = 0; j < 6; j++)
            assert.ok(Math.abs(row0[j] - state[j]) <= 1.5, `joint ${j} starts near the state (${row0[j]})`);
        } finally {
          assert.equal(await interrupt(server.child), 0);
        }
        assert.match(server.output(), new RegExp(`chunk ${shape[0]} × ${shape[1]}`));
      }
    },
  );

  test('a taken port is reported with the fix, exit 1', SLOW, async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (blocker.address() as AddressInfo).port;
      const r = await runCli(['serve', '--port', String(port)]);
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use: stop the other server or pass --port 0`),
      );
    } finally {
      blocker.close();
    }
  });

  test('bad options exit 2 with a message naming the option', SLOW, async () => {
    const cases: [string[], RegExp][] = [
      [['serve', '--profile', 'pi5'], /--profile must be pi0 or pi0_fast, got "pi5"/],
      [['serve', '--protocol', 'grpc'], /--protocol must be openpi or lerobot-ws/],
      [['serve', '--port', '70000'], /--port must be a whole number from 0 to 65535/],
      [['serve', '--latency-ms', 'soon'], /--latency-ms must be a number/],
      [
        ['serve', '--action-dim', '3'],
        /--action-dim: action dim 3 is too narrow: the SO-100 has 6 joints \(shoulder_pan, .*gripper\)/,
      ],
      [['serve', '--action-dim', 'wide'], /--action-dim must be a whole number from 6 to 256, got "wide"/],
      [['serve', '--action-dim', '257'], /--action-dim must be a whole number from 6 to 256, got "257"/],
      [['serve', '--horizon', '0'], /--horizon must be a whole number from 1 to 1000, got "0"/],
      [['serve', '--parent-pid', 'me'], /--parent-pid must be a process id \(a whole number above 0\), got "me"/],
      [['serve', '--frobnicate'], /Unknown option '--frobnicate'/],
      [['fly'], /unknown command "fly"/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      assert.equal(r.code, 2, `${args.join(' ')} → ${r.code}`);
      assert.match(r.stderr, message);
    }
  });
});

describe('so100 episode (quick start)', () => {
  test(
    'picks up the cube on the embedded default: simulated arm, synthetic cameras, built-in server as a child',
    SLOW,
    async () => {
      const records = await mkdtemp(join(tmpdir(), 'so100-episodes-'));
      const r = await runCli(['episode', '--steps', '900', '--record', records]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /Policy server ready \(pid \d+\)/);
      assert.match(r.stdout, /Simulated SO-100 connected \(six STS3215/);
      assert.match(r.stdout, /\d+ ticks at 30 fps, \d+ chunks, \d+ starved ticks/);
      for (const stage of [
        'read',
        'camera',
        'convert',
        'encode',
        'network',
        'server infer',
        'decode',
        'safety',
        'write',
        'tick',
      ]) {
        assert.match(r.stdout, new RegExp(`^${stage}\\s+\\d`, 'm'), `timing row ${stage}`);
      }
      assert.match(r.stdout, /Result: success — the cube was lifted/);
      // The record on disk: the result, one steps row per tick, a timing row per tick, every chunk.
      const [folder] = await readdir(records);
      const dir = join(records, folder);
      const episode = JSON.parse(await readFile(join(dir, 'episode.json'), 'utf8'));
      assert.equal(episode.result.success, true);
      assert.equal(episode.model, 'pi0');
      const steps = (await readFile(join(dir, 'steps.csv'), 'utf8')).trim().split('\n');
      assert.equal(steps.length - 1, episode.result.steps, 'one row per tick');
      const timingRows = (await readFile(join(dir, 'timing.csv'), 'utf8')).trim().split('\n');
      assert.equal(timingRows.length, steps.length);
      const chunks = (await readFile(join(dir, 'chunks.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.ok(chunks.length >= episode.result.chunks && chunks[0].horizon === 50, 'every predicted chunk recorded');
      // Camera frames by default: a video per camera where ffmpeg exists, PNG frames where it does not.
      const files = await readdir(dir);
      assert.ok(
        (files.includes('front.mp4') && files.includes('wrist.mp4')) || files.includes('frames'),
        files.join(', '),
      );
    },
  );

  test('works over the awesome-lerobot protocol with π₀-FAST and sync chunking', SLOW, async () => {
    const r = await runCli([
      'episode',
      '--protocol',
      'lerobot-ws',
      '--model',
      'pi0_fast',
      '--chunking',
      'sync',
      '--no-record',
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Result: success/);
  });

  test('too few ticks to finish is a failure with the reason, exit 1', SLOW, async () => {
    const r = await runCli(['episode', '--steps', '20', '--no-record']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /Result: failure — stopped after 20 steps without success/);
  });

  test('--server pointing at nothing fails with connection advice, exit 1', SLOW, async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const r = await runCli(['episode', '--server', `ws://127.0.0.1:${port}`, '--no-record']);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /cannot connect to the policy server at ws:\/\/127\.0\.0\.1:\d+: nothing is listening there/,
    );
  });

  test('--server uses an already-running server (no child started)', SLOW, async () => {
    const server = await startServeProcess(['--latency-ms', '5']);
    try {
      const r = await runCli(['episode', '--server', `ws://127.0.0.1:${server.port}`, '--no-record']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.doesNotMatch(r.stdout, /Starting the built-in/);
      assert.match(r.stdout, /Result: success/);
    } finally {
      await interrupt(server.child);
    }
  });
});
