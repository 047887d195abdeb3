// CameraRig renders synthetic views when they are read, not when captured: the picture must still be the one of
// the captured joints, and a frame object of an older capture must not render into the shared buffers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CubeTask, SceneRenderer } from '../../src/core/scene';
import { CameraRig, SYNTHETIC_SIZE } from '../../src/runtime/cameraRig';

const POSE_A = [0, 10, -20, 30, 0, 20];
const POSE_B = [25, -15, 10, -30, 40, 60];

function rendered(view: 'front' | 'wrist', joints: number[], scene: CubeTask): Uint8Array {
  const out = new Uint8Array(SYNTHETIC_SIZE * SYNTHETIC_SIZE * 3);
  new SceneRenderer().render(view, { joints, cubeCenter: scene.cubeCenter }, out, SYNTHETIC_SIZE, SYNTHETIC_SIZE);
  return out;
}

test("a synthetic view read after capture is the picture of the captured joints, even if the caller's array changed", async () => {
  const scene = new CubeTask({ seed: 3 });
  await using rig = await CameraRig.open(
    { front: { kind: 'synthetic', view: 'front' }, wrist: { kind: 'synthetic', view: 'wrist' } },
    scene,
  );
  const joints = Float64Array.from(POSE_A);
  const frames = rig.capture(joints);
  joints.set(POSE_B);
  assert.deepEqual(Object.keys(frames), ['front', 'wrist']);
  assert.deepEqual(frames.front.data, rendered('front', POSE_A, scene));
  assert.deepEqual(frames.wrist.data, rendered('wrist', POSE_A, scene));
  assert.equal(frames.front, frames.front, 'one frame object per capture');
});

test('reading a frame of an older capture does not overwrite the newer picture', async () => {
  const scene = new CubeTask({ seed: 3 });
  await using rig = await CameraRig.open({ wrist: { kind: 'synthetic', view: 'wrist' } }, scene);
  const older = rig.capture(POSE_A);
  const newer = rig.capture(POSE_B);
  const picture = Uint8Array.from(newer.wrist.data);
  void older.wrist;
  assert.deepEqual(newer.wrist.data, picture);
  assert.deepEqual(picture, rendered('wrist', POSE_B, scene));
});

test('warm-up frames render every view at the neutral pose and leave the next capture unchanged', async () => {
  const scene = new CubeTask({ seed: 3 });
  await using rig = await CameraRig.open(
    { front: { kind: 'synthetic', view: 'front' }, wrist: { kind: 'synthetic', view: 'wrist' } },
    scene,
  );
  const warm = rig.warmUpFrames();
  assert.deepEqual(Object.keys(warm), ['front', 'wrist']);
  assert.deepEqual(warm.front.data, rendered('front', [0, 0, 0, 0, 0, 0], scene));
  assert.deepEqual(warm.wrist.data, rendered('wrist', [0, 0, 0, 0, 0, 0], scene));
  // The next capture is the picture of its own joints, and no camera is reported stale.
  const frames = rig.capture(POSE_B);
  assert.deepEqual(frames.wrist.data, rendered('wrist', POSE_B, scene));
  assert.equal(rig.staleCamera, undefined);
});
