// The configured cameras as the loop sees them: synthetic views of the scene and an ffmpeg camera (lavfi test
// source), the age of what was captured, and a camera that cannot start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { CubeTask } from '../../src/core/scene';
import { CameraRig, SYNTHETIC_SIZE } from '../../src/runtime/cameraRig';

const skip = spawnSync('ffmpeg', ['-version']).error !== undefined ? 'ffmpeg is not installed' : false;
const joints = new Float64Array(6);

test('synthetic views render under their configured names; their frames are 0 ms old', async () => {
  const rig = await CameraRig.open(
    { top: { kind: 'synthetic', view: 'front' }, hand: { kind: 'synthetic', view: 'wrist' } },
    new CubeTask({ seed: 2 }),
  );
  try {
    const frames = rig.capture(joints);
    assert.deepEqual(Object.keys(frames).sort(), ['hand', 'top']);
    assert.equal(frames.top.width, SYNTHETIC_SIZE);
    assert.notDeepEqual(frames.top.data.slice(0, 3000), frames.hand.data.slice(0, 3000), 'two different views');
    assert.equal(rig.lastFrameAgeMs, 0);
    assert.deepEqual(rig.descriptors.map((d) => d.name).sort(), ['hand', 'top']);
  } finally {
    await rig.close();
  }
});

test('an ffmpeg camera joins the capture once it streams, with its frame age', { skip, timeout: 30_000 }, async () => {
  const rig = await CameraRig.open(
    {
      front: { kind: 'synthetic', view: 'front' },
      usb: {
        kind: 'ffmpeg',
        format: 'lavfi',
        device: 'testsrc=size=320x240:rate=30',
        width: 320,
        height: 240,
        fps: 30,
      },
    },
    new CubeTask({ seed: 2 }),
  );
  try {
    const deadline = Date.now() + 20_000;
    let frames = rig.capture(joints);
    while (!frames.usb && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      frames = rig.capture(joints);
    }
    assert.ok(frames.usb, 'the ffmpeg camera delivered a frame');
    assert.equal(frames.usb.width, 320);
    assert.equal(frames.usb.data.length, 320 * 240 * 3);
    assert.ok(Number.isFinite(rig.lastFrameAgeMs) && rig.lastFrameAgeMs >= 0);
    assert.deepEqual(
      rig.descriptors.find((d) => d.name === 'usb'),
      { name: 'usb', width: 320, height: 240 },
    );
  } finally {
    await rig.close();
  }
});

test('a camera that cannot start fails open() with a message naming it', { skip, timeout: 30_000 }, async () => {
  await assert.rejects(
    CameraRig.open(
      { broken: { kind: 'ffmpeg', format: 'lavfi', device: 'nosuchsource', width: 64, height: 48, fps: 10 } },
      undefined,
    ),
    (e: Error) => /broken/.test(e.message),
  );
});
