// `so100 episode --port PATH`: the same episode with the arm behind a real pseudo-terminal (`so100 sim --pty`),
// opened by serialport's native binding at 1 Mbaud, with a LeRobot calibration file.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulatedArmCalibration } from '../../src/core/so100';
import { writeCalibrationFile } from '../../src/io/calibration';
import { interrupt, runCli, startPtySim } from '../helpers/cliProcess';

const socatMissing = spawnSync('socat', ['-V']).error !== undefined;

describe(
  'so100 episode --port (a pty arm)',
  { skip: socatMissing ? 'socat is not installed (sudo apt install socat)' : false },
  () => {
    let dir: string;
    let sim: ChildProcess;
    const port = () => join(dir, 'arm');
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'so100-episode-port-'));
      sim = await startPtySim(port());
      await writeCalibrationFile(
        { robotId: 'sim_arm', calibrationDir: dir, env: {}, homeDir: homedir() },
        simulatedArmCalibration(),
      );
    });
    after(async () => {
      await interrupt(sim);
      await rm(dir, { recursive: true, force: true });
    });

    test('picks the cube up through the serial driver, and records the episode', { timeout: 90_000 }, async () => {
      const records = join(dir, 'records');
      const r = await runCli(
        ['episode', '--port', port(), '--robot-id', 'sim_arm', '--calibration-dir', dir, '--record', records],
        80_000,
      );
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(
        r.stdout,
        new RegExp(`SO-100 connected on ${port().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(six STS3215`),
      );
      assert.match(r.stdout, /Result: success/);
      assert.match(r.stdout, /Record: /);
    });

    test('without a saved calibration the episode refuses to start and says how to make one', async () => {
      const r = await runCli([
        'episode',
        '--port',
        port(),
        '--robot-id',
        'never_calibrated',
        '--calibration-dir',
        dir,
        '--no-record',
      ]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /no calibration for robot id "never_calibrated"/);
    });

    test('--robot-id without --port is a usage error', async () => {
      const r = await runCli(['episode', '--robot-id', 'x']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /--robot-id and --calibration-dir describe the arm on --port; add --port PATH/);
    });
  },
);
