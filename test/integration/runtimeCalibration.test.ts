// Calibrating through the runtime process, as the VS Code panel does: `calibrate` on the simulated arm, the steps
// and live ranges as events, answers over the socket (a stale one refused), the simulator's sweep, the file saved
// under the robot's calibration_dir; cancel saves nothing; an episode cannot connect meanwhile.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultConfig, type So100Config } from '../../src/core/config';
import type { CalibrationSampleView } from '../../src/core/rpc';
import { SO100_MOTORS, parseCalibration } from '../../src/core/so100';
import { RuntimeProcess } from '../../src/runtime/rpc/runtimeProcess';

const root = path.resolve(__dirname, '../..');

describe('calibration through the runtime process', () => {
  let dir: string;
  let rt: RuntimeProcess;
  const log: string[] = [];

  const config = (id: string): So100Config => {
    const d = defaultConfig();
    return { ...d, robot: { ...d.robot, id, calibrationDir: path.join(dir, 'calibration') } };
  };

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'so100-rt-calibrate-'));
    rt = await RuntimeProcess.start({
      command: process.execPath,
      args: ['--import', 'tsx', path.join(root, 'src/runtime/main.ts')],
      workspace: root,
      onLog: (l) => log.push(l),
    });
  });
  after(async () => {
    await rt?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('the whole flow on the simulator: middle, sweep, finish → the file under calibration_dir, session idle again', async () => {
    const c = rt.client;
    const middle = c.next('calibrationStep', (s) => s.phase === 'awaitMiddle', 20_000);
    const started = await c.call('calibrate', { config: config('panel_arm') });
    assert.deepEqual(started, {
      robotId: 'panel_arm',
      file: path.join(dir, 'calibration', 'panel_arm.json'),
      simulated: true,
      arm: 'simulated SO-100',
    });
    assert.equal((await c.call('status', {})).phase, 'calibrating');
    const step = await middle;
    assert.deepEqual(step.answers, ['continue', 'cancel']);
    assert.match(step.prompt, /middle of its range/);
    await assert.rejects(
      c.call('calibrationAnswer', { answer: 'finish' }),
      /cannot take "finish" now; it offers continue, cancel/,
    );
    await assert.rejects(
      c.call('calibrationAnswer', { answer: 'later' as never }),
      /must be one of continue, finish, recenter, restart, cancel/,
    );
    await assert.rejects(c.call('calibrationSweep', {}), /while ranges are recorded/);
    await assert.rejects(
      c.call('connect', { config: config('panel_arm'), endpoints: {} }),
      /calibration holds the arm/,
    );

    const recording = c.next('calibrationStep', (s) => s.phase === 'recordRanges', 20_000);
    await c.call('calibrationAnswer', { answer: 'continue' });
    assert.deepEqual((await recording).answers, ['finish', 'restart', 'cancel']);
    // Finishing before anything moved names the joints and keeps recording.
    const named = c.next('calibrationStep', (s) => s.problems.some((p) => p.kind === 'notMoved'), 20_000);
    await c.call('calibrationAnswer', { answer: 'finish' });
    assert.deepEqual(
      (await named).problems.map((p) => p.motor).sort(),
      SO100_MOTORS.filter((m) => m !== 'wrist_roll').sort(),
    );

    let last: CalibrationSampleView | undefined;
    const off = c.on('calibrationSample', (s) => {
      last = s;
    });
    await c.call('calibrationSweep', {});
    const ended = c.next('calibrationEnded', () => true, 20_000);
    await c.call('calibrationAnswer', { answer: 'finish' });
    const result = await ended;
    off();
    assert.equal(result.outcome, 'saved', result.message);
    assert.equal(result.file, started.file);
    const pan = last?.joints.find((j) => j.motor === 'shoulder_pan');
    assert.ok(pan && pan.max - pan.min > 2000 && pan.spanDegrees > 200, `live ranges: ${JSON.stringify(pan)}`);
    assert.equal(last?.joints.find((j) => j.motor === 'wrist_roll')?.fullTurn, true);
    const cal = parseCalibration(await readFile(started.file, 'utf8'), started.file);
    assert.deepEqual([cal.shoulder_pan.range_min, cal.shoulder_pan.range_max], [2048 - 1251 - 1, 2048 + 1251 - 1]);
    assert.deepEqual([cal.wrist_roll.range_min, cal.wrist_roll.range_max], [0, 4095]);
    await waitPhase('idle');
  });

  test('cancel at the middle pose ends it with nothing saved; a second calibrate while one runs is refused', async () => {
    const c = rt.client;
    const middle = c.next('calibrationStep', (s) => s.phase === 'awaitMiddle', 20_000);
    const started = await c.call('calibrate', { config: config('cancelled_arm') });
    await assert.rejects(c.call('calibrate', { config: config('cancelled_arm') }), /already in progress/);
    await middle;
    const ended = c.next('calibrationEnded', () => true, 20_000);
    await c.call('calibrationAnswer', { answer: 'cancel' });
    const result = await ended;
    assert.equal(result.outcome, 'cancelled');
    assert.match(result.message, /nothing was saved/);
    assert.equal(existsSync(started.file), false);
    await waitPhase('idle');
    await assert.rejects(c.call('calibrationAnswer', { answer: 'continue' }), /no calibration is in progress/);
  });

  test('a robot id that cannot name a file is refused before torque goes off', async () => {
    await assert.rejects(
      rt.client.call('calibrate', { config: config('../escape') }),
      /robot\.id may use only letters, digits/,
    );
    assert.equal((await rt.client.call('status', {})).phase, 'idle');
  });

  async function waitPhase(phase: string): Promise<void> {
    for (let i = 0; i < 100; i++) {
      if ((await rt.client.call('status', {})).phase === phase) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail(`the session never became ${phase}; log: ${log.slice(-5).join(' | ')}`);
  }
});
