// Offline replay planning: which ticks are asked, how predicted rows line up with what the arm was sent (executed
// steps, not ticks), and which records cannot feed a layout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layoutByName } from '../../src/core/convert';
import {
  chunkDeviation,
  chunkDifference,
  replayCameraProblem,
  replayTicks,
  ReplayPlanError,
  worstMeanDeviation,
  ExecutedTicks,
} from '../../src/core/replay';
import { SO100_MOTORS, type PerMotor } from '../../src/core/so100';

const pose = (v: number): PerMotor<number> => Object.fromEntries(SO100_MOTORS.map((m) => [m, v])) as PerMotor<number>;
/** horizon rows, every joint of row r at value rows[r]. */
const targets = (rows: number[]) => Float64Array.from(rows.flatMap((v) => SO100_MOTORS.map(() => v)));

test("replayTicks: the episode's own request ticks once each, ascending; or every K recorded ticks", () => {
  const recorded = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  assert.deepEqual(replayTicks(recorded, [5, 0, 5, 12]), [0, 5]); // 12 is not in the record
  assert.deepEqual(replayTicks(recorded, [5], 4), [0, 4, 8]);
  assert.deepEqual(replayTicks([3, 4, 5, 6, 7], [], 2), [3, 5, 7]);
  assert.throws(() => replayTicks(recorded, [], 0), ReplayPlanError);
  assert.throws(() => replayTicks(recorded, [], 1.5), /whole number/);
});

test('chunkDeviation lines row i up with the i-th executed (non-starved) step from the asked tick', () => {
  // Ticks 10 and 11 starved (the chunk had not arrived), then rows run from tick 12.
  const steps = [
    { tick: 9, starved: false, sent: pose(100) },
    { tick: 10, starved: true },
    { tick: 11, starved: true },
    { tick: 12, starved: false, sent: pose(1) },
    { tick: 13, starved: false, sent: pose(2) },
    { tick: 14, starved: false, sent: pose(5) },
  ];
  const rows = new ExecutedTicks(steps).rowTicks(10, 3);
  assert.deepEqual(rows, [12, 13, 14]);
  const sentAt = (t: number) => steps.find((s) => s.tick === t)?.sent;
  const d = chunkDeviation(rows, targets([1, 2, 3]), sentAt);
  assert.equal(d.rows, 3);
  for (const m of SO100_MOTORS) {
    assert.ok(Math.abs(d.perJoint[m]!.mean - 2 / 3) < 1e-12);
    assert.equal(d.perJoint[m]!.max, 2);
  }
  assert.ok(Math.abs(worstMeanDeviation(d)! - 2 / 3) < 1e-12);
});

test('chunkDeviation: a refused tick uses up its row but is not compared; past the record nothing is', () => {
  const steps = [
    { tick: 0, starved: false, sent: pose(0) },
    { tick: 1, starved: false }, // safety refused: a row was used, nothing written
    { tick: 2, starved: false, sent: pose(0) },
  ];
  const executed = new ExecutedTicks(steps);
  const sentAt = (t: number) => steps.find((s) => s.tick === t)?.sent;
  const d = chunkDeviation(executed.rowTicks(0, 5), targets([1, 50, 3, 4, 5]), sentAt);
  assert.equal(d.rows, 2); // rows 0 and 2; row 1 refused; rows 3–4 past the end
  assert.equal(d.perJoint.gripper!.max, 3);
  assert.equal(d.perJoint.gripper!.mean, 2);
  const none = chunkDeviation(executed.rowTicks(7, 2), targets([1, 2]), sentAt);
  assert.equal(none.rows, 0);
  assert.equal(none.perJoint.shoulder_pan, null);
  assert.equal(worstMeanDeviation(none), null);
  assert.throws(() => chunkDeviation([0, 2], new Float64Array(5), sentAt), /12 joint targets in rows of 6, got 5/);
});

test('chunkDifference compares with the recorded chunk over the rows both have; null cells are skipped', () => {
  const recorded = [
    [1, 1, 1, 1, 1, 1],
    [2, 2, 2, 2, 2, null],
  ];
  const d = chunkDifference(3, targets([1, 4, 9]), recorded);
  assert.equal(d.rows, 2);
  assert.equal(d.perJoint.shoulder_pan!.mean, 1);
  assert.equal(d.perJoint.shoulder_pan!.max, 2);
  assert.equal(d.perJoint.gripper!.mean, 0); // only row 0 compared
});

test('replayCameraProblem: a required image the record cannot fill is named, with the cameras it has', () => {
  const openpi = layoutByName('openpi-so100');
  assert.equal(replayCameraProblem(openpi, ['front', 'wrist']), undefined);
  assert.match(replayCameraProblem(openpi, [])!, /'observation\/images\.main' \(the primary view\).*no camera frames/);
  // An explicit mapping to a camera the record lacks is the converter's own error, passed on.
  assert.match(replayCameraProblem(openpi, ['wrist'], { cameras: { primary: 'top' } })!, /converter\.cameras\.primary/);
  // The awesome-lerobot layout sends whatever cameras there are.
  assert.equal(replayCameraProblem(layoutByName('lerobot-ws'), ['front']), undefined);
  assert.match(replayCameraProblem(layoutByName('lerobot-ws'), [])!, /no camera frames/);
});
