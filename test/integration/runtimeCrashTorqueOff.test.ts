// A runtime killed mid-episode leaves a real (here: pty) arm with torque on; the host's last resort opens the port
// afresh and turns the torque off on every servo.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { defaultConfig } from '../../src/core/config';
import { MODEL_PROFILES } from '../../src/core/policy/modelProfiles';
import { SO100_MOTORS, motorId, simulatedArmCalibration } from '../../src/core/so100';
import { writeCalibrationFile } from '../../src/io/calibration';
import { BuiltinPolicyServer } from '../../src/io/policy/builtinServer/builtinPolicyServer';
import { torqueOffByPort } from '../../src/io/robot/torqueOffByPort';
import { FeetechBus } from '../../src/io/serial/feetechBus';
import { SerialPortTransport } from '../../src/io/serial/serialPortTransport';
import { interrupt, startPtySim } from '../helpers/cliProcess';
import { RuntimeProcess } from '../../src/runtime/rpc/runtimeProcess';

const socatMissing = spawnSync('socat', ['-V']).error !== undefined;
const root = path.resolve(__dirname, '../..');

/**
 * Torque_Enable of the six servos, read through a fresh connection. The reply window is wide: the simulator is
 * another process behind a pty, and on a busy machine its reply can come long after a real servo's would.
 */
async function torque(port: string): Promise<number[]> {
  const bus = new FeetechBus(await SerialPortTransport.open(port), { retries: 2, latencyMs: 1000 });
  try {
    const out: number[] = [];
    for (const m of SO100_MOTORS) out.push((await bus.read(motorId(m), 'Torque_Enable')) as number);
    return out;
  } finally {
    await bus.close();
  }
}

describe(
  'torque off after a runtime crash',
  { skip: socatMissing ? 'socat is not installed (sudo apt install socat)' : false },
  () => {
    let dir: string;
    let sim: ChildProcess;
    const port = () => path.join(dir, 'arm');
    let server: BuiltinPolicyServer;
    before(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'so100-crash-'));
      sim = await startPtySim(port());
      server = await BuiltinPolicyServer.start({ protocol: 'openpi', profile: MODEL_PROFILES.pi0 });
      await writeCalibrationFile(
        { robotId: 'crash_arm', calibrationDir: dir, env: {}, homeDir: homedir() },
        simulatedArmCalibration(),
      );
    });
    after(async () => {
      await server.close();
      await interrupt(sim);
      await rm(dir, { recursive: true, force: true });
    });

    test(
      'SIGKILL mid-episode leaves torque on; torqueOffByPort turns it off on all six servos',
      { timeout: 300_000 },
      async () => {
        // The workspace is a temp folder, so tsx is named by path (a bare --import tsx resolves from the cwd).
        const tsx = pathToFileURL(path.join(root, 'node_modules/tsx/dist/loader.mjs')).href;
        const rt = await RuntimeProcess.start({
          command: process.execPath,
          args: ['--import', tsx, path.join(root, 'src/runtime/main.ts')],
          workspace: dir,
        });
        const d = defaultConfig();
        await rt.client.call('connect', {
          config: {
            ...d,
            robot: { ...d.robot, port: port(), id: 'crash_arm', calibrationDir: dir },
            record: { ...d.record, enabled: false },
          },
          endpoints: { pi0: { url: server.url, protocol: 'openpi' } },
        });
        await rt.client.call('runEpisode', {});
        await rt.client.next('tick', (t) => t.index >= 10, 120_000);
        rt.child.kill('SIGKILL');
        await rt.exited;
        await rt.client.close();
        assert.deepEqual(
          await torque(port()),
          [1, 1, 1, 1, 1, 1],
          'a killed runtime could not make the arm safe itself',
        );
        const { failed } = await torqueOffByPort(port());
        assert.deepEqual(failed, []);
        assert.deepEqual(await torque(port()), [0, 0, 0, 0, 0, 0]);
      },
    );

    test('a port that is gone is a typed error that names it', async () => {
      await assert.rejects(torqueOffByPort(path.join(dir, 'unplugged')), (e: Error) =>
        e.message.includes(path.join(dir, 'unplugged')),
      );
    });
  },
);
