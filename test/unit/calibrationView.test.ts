// What the calibration panel is told of each step: the answers that fit it and the live per-joint ranges.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  advanceCalibration,
  calibrationAnswers,
  calibrationSampleView,
  calibrationStepView,
  initialCalibrationState,
  perMotor,
  type CalibrationStep,
  type PerMotor,
} from '../../src/core/so100';

const at = (raw: number, pan = raw): PerMotor<number> => perMotor((m) => (m === 'shoulder_pan' ? pan : raw));

/** Walks the flow to range recording (homed at 2048), answering the bus commands as a perfect bus would. */
function toRecording(): CalibrationStep {
  let s = advanceCalibration(initialCalibrationState(), { type: 'start' });
  s = advanceCalibration(s.state, { type: 'commandsDone' });
  s = advanceCalibration(s.state, { type: 'continue' });
  s = advanceCalibration(s.state, { type: 'positions', raw: at(2048) });
  return advanceCalibration(s.state, { type: 'commandsDone' });
}

test('answers per step: only cancel while bus commands run; continue at the middle pose; finish / restart while recording', () => {
  const torqueOff = advanceCalibration(initialCalibrationState(), { type: 'start' });
  assert.deepEqual(calibrationAnswers(torqueOff), ['cancel']);
  const middle = advanceCalibration(torqueOff.state, { type: 'commandsDone' });
  assert.deepEqual(calibrationAnswers(middle), ['continue', 'cancel']);
  assert.deepEqual(calibrationAnswers(toRecording()), ['finish', 'restart', 'cancel']);
  const cancelled = advanceCalibration(middle.state, { type: 'cancel' });
  assert.deepEqual(calibrationAnswers(cancelled), []);
});

test('recenter is offered only when a joint crossed the wrap and re-centring can fix it', () => {
  let s = toRecording();
  s = advanceCalibration(s.state, { type: 'positions', raw: at(2047) });
  // shoulder_pan goes down past 0 and comes back on the 4095 side: a wrap crossing of a few hundred steps.
  for (const pan of [1500, 800, 200, 4000, 3700])
    s = advanceCalibration(s.state, { type: 'positions', raw: at(2047, pan) });
  assert.ok(
    s.problems.some((p) => p.kind === 'wrapCrossed' && p.motor === 'shoulder_pan'),
    JSON.stringify(s.problems),
  );
  assert.deepEqual(calibrationAnswers(s), ['finish', 'recenter', 'restart', 'cancel']);
  const view = calibrationStepView(s);
  assert.equal(view.phase, 'recordRanges');
  assert.deepEqual(
    view.problems.map((p) => [p.kind, p.motor]),
    [['wrapCrossed', 'shoulder_pan']],
  );
  assert.match(view.prompt, /entire range of motion/);
});

test('the live rows: min / max / current per joint, the wrap-aware span in degrees, wrist_roll marked full-turn', () => {
  let s = toRecording();
  assert.equal(calibrationSampleView(s.state), undefined, 'nothing before the first sample');
  for (const pan of [2047, 1000, 3000, 2500])
    s = advanceCalibration(s.state, { type: 'positions', raw: at(2047, pan) });
  const view = calibrationSampleView(s.state)!;
  assert.equal(view.samples, 4);
  const pan = view.joints.find((j) => j.motor === 'shoulder_pan')!;
  assert.deepEqual(
    { min: pan.min, max: pan.max, current: pan.current, spanDegrees: pan.spanDegrees, fullTurn: pan.fullTurn },
    { min: 1000, max: 3000, current: 2500, spanDegrees: Math.round((2000 * 360) / 4096), fullTurn: false },
  );
  const roll = view.joints.find((j) => j.motor === 'wrist_roll')!;
  assert.equal(roll.fullTurn, true);
  assert.equal(roll.spanDegrees, 0);
  assert.deepEqual(
    view.joints.map((j) => j.motor),
    ['shoulder_pan', 'shoulder_lift', 'elbow_flex', 'wrist_flex', 'wrist_roll', 'gripper'],
  );
});
