// Connect-time calibration: saved file first, else calibrate with the user and save; without a user, the fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FeetechBusSim } from '../../src/core/sim';
import { CalibrationNotFoundError } from '../../src/io/calibration';
import { FeetechBus } from '../../src/io/serial/feetechBus';
import { SimTransport } from '../../src/io/serial/simTransport';
import { loadOrCalibrate } from '../../src/io/robot/armCalibration';
import { SimulatedCalibrationUser } from '../../src/io/robot/simulatedCalibrationUser';
import { So100Robot } from '../../src/io/robot/so100Robot';

test('no saved file: calibrates with the user and saves; next time the file is used and nothing is asked', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'so100-armcal-'));
  const location = { robotId: 'left_arm', calibrationDir: dir, env: {}, homeDir: dir };
  const sim = new FeetechBusSim();
  const bus = new FeetechBus(new SimTransport(sim));
  try {
    const first = await loadOrCalibrate(bus, location, new SimulatedCalibrationUser(sim, () => {}, 300));
    assert.equal(first.recorded, true);
    assert.equal(first.path, join(dir, 'left_arm.json'));
    let asked = false;
    const user = {
      onStep: () => {},
      awaitMiddle: async () => {
        asked = true;
        return 'cancel' as const;
      },
      awaitRecordingDone: async () => 'cancel' as const,
    };
    const second = await loadOrCalibrate(bus, location, user);
    assert.equal(second.recorded, false);
    assert.equal(asked, false);
    assert.deepEqual(second.calibration, first.calibration);
    assert.match(second.note, /left_arm\.json/);
    const robot = await So100Robot.connect(bus, { calibration: second.calibration, bodyMode: 'DEGREES' });
    await robot.disconnect();
  } finally {
    await bus.close();
  }
});

test('no saved file and nobody to calibrate: the error lists where it looked and how to fix it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'so100-armcal-'));
  const bus = new FeetechBus(new SimTransport(new FeetechBusSim()));
  try {
    await assert.rejects(
      loadOrCalibrate(bus, { robotId: 'ghost', env: { HF_LEROBOT_CALIBRATION: dir }, homeDir: dir }),
      (e: unknown) => {
        assert.ok(e instanceof CalibrationNotFoundError, 'typed error');
        assert.match(e.message, /so_follower\/ghost\.json/);
        assert.match(e.message, /so100 calibrate/);
        return true;
      },
    );
  } finally {
    await bus.close();
  }
});
