// A real ffmpeg camera that has not sent its first frame yet (lavfi reading a named pipe nobody writes: ffmpeg lives
// and sends nothing):
// the rig says so once at open, then leaves the camera out of every capture and marks it, so the loop holds the arm
// instead of handing the converter an observation without that view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CubeTask } from '../../src/core/scene';
import { CameraRig } from '../../src/runtime/cameraRig';

const ffmpegMissing =
  spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).error !== undefined
    ? 'ffmpeg is not installed (apt install ffmpeg)'
    : false;

test(
  'a camera with no first frame is left out and marked, like a stale one; synthetic views still render',
  { skip: ffmpegMissing, timeout: 30_000 },
  async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'so100-first-frame-'));
    const fifo = path.join(dir, 'silent');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    try {
      await silentCamera(fifo);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);

async function silentCamera(fifo: string): Promise<void> {
  const warnings: string[] = [];
  await using rig = await CameraRig.open(
    {
      front: { kind: 'synthetic', view: 'front' },
      usb: { kind: 'ffmpeg', format: 'lavfi', device: `movie=${fifo}`, width: 64, height: 48, fps: 5 },
    },
    new CubeTask({ seed: 1 }),
    (m) => warnings.push(m),
    400,
  );
  assert.deepEqual(warnings, ["camera 'usb' has sent no frame after 400 ms; it joins when it does"]);
  for (let i = 0; i < 3; i++) {
    const frames = rig.capture([0, 0, 0, 0, 0, 0]);
    assert.deepEqual(Object.keys(frames), ['front']);
    assert.equal(rig.staleCamera, 'usb');
    assert.equal(frames.front.data.length, 224 * 224 * 3);
  }
  assert.equal(warnings.length, 1, 'told once, not on every tick');
}
