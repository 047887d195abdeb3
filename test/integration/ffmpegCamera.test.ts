// FfmpegCamera against real ffmpeg child processes, with ffmpeg's lavfi test sources standing in for cameras.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { FfmpegCamera, type CameraStatus, type FfmpegCameraConfig } from '../../src/io/camera/ffmpegCamera';
import { CameraConfigError, FfmpegNotFoundError } from '../../src/io/camera/cameraErrors';
import { FrameAssembler } from '../../src/io/camera/frameAssembler';
import { adviseFfmpegCamera } from '../../src/io/camera/ffmpegCameraAdvice';

const hasFfmpeg = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;
const skip = hasFfmpeg ? false : 'ffmpeg is not installed (run scripts/install-system-deps.sh)';

type After = { after: (fn: () => Promise<void>) => void };

function lavfi(source: string, extra: Partial<FfmpegCameraConfig> = {}): FfmpegCameraConfig {
  return { name: 'front', input: { kind: 'lavfi', device: source }, width: 320, height: 240, fps: 30, ...extra };
}

/** Starts a camera that is stopped after the test whatever happens, recording its state changes. */
async function open(t: After, config: FfmpegCameraConfig): Promise<{ cam: FfmpegCamera; states: CameraStatus[] }> {
  const cam = await FfmpegCamera.start(config);
  const states: CameraStatus[] = [];
  cam.onStateChange((s) => states.push(s));
  t.after(() => cam.stop());
  return { cam, states };
}

/** Polls `check` until it returns a value; fails the test after `timeoutMs`. */
async function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

test('testsrc frames arrive with the configured size, varied content and increasing seq', { skip }, async (t) => {
  const { cam, states } = await open(t, lavfi('testsrc=size=320x240:rate=30'));
  const first = await waitFor('a first frame', () => cam.latest());
  assert.equal(first.width, 320);
  assert.equal(first.height, 240);
  assert.equal(first.data.length, 320 * 240 * 3);
  const distinct = new Set<number>();
  for (let i = 0; i < first.data.length; i += 3)
    distinct.add((first.data[i] << 16) | (first.data[i + 1] << 8) | first.data[i + 2]);
  assert.ok(distinct.size > 8, `testsrc shows colour bars and a counter, got only ${distinct.size} colours`);
  const firstSeq = first.seq;
  assert.ok(firstSeq >= 1);
  const later = await waitFor('a newer frame', () => {
    const f = cam.latest();
    return f !== undefined && f.seq > firstSeq + 2 ? f : undefined;
  });
  assert.ok(later.capturedAt >= first.capturedAt);
  assert.equal(cam.state, 'streaming');
  assert.equal(states[0]?.state, 'streaming');
  assert.ok(!states.some((s) => s.state === 'failed'));
  const age = cam.frameAgeMs();
  assert.ok(age !== undefined && age >= 0);
});

test(
  'latest() returns the newest frame, and a frame handed out is not overwritten until latest() is called again',
  { skip },
  async (t) => {
    // The testsrc counter changes the picture every frame; the last handed-out buffer must keep its bytes.
    const { cam } = await open(t, lavfi('testsrc=size=320x240:rate=30'));
    const held = await waitFor('a first frame', () => cam.latest());
    const heldSeq = held.seq;
    const snapshot = Uint8Array.from(held.data);
    // Let several newer frames arrive without calling latest().
    await waitFor('three newer frames', () => cam.framesReceived > heldSeq + 3);
    assert.equal(held.seq, heldSeq, 'the frame record handed out kept its seq');
    assert.deepEqual(held.data, snapshot, 'the buffer handed out kept its bytes');
    const next = await waitFor('a frame newer than the held one', () => {
      const f = cam.latest();
      return f !== undefined && f.seq > heldSeq ? f : undefined;
    });
    assert.ok(next.seq > heldSeq);
  },
);

test('stop() reaps ffmpeg and reports stopped', { skip }, async (t) => {
  const { cam, states } = await open(t, lavfi('testsrc=size=160x120:rate=30', { width: 160, height: 120 }));
  const pid = cam.pid!;
  await waitFor('a first frame', () => cam.latest());
  await cam.stop();
  assert.equal(cam.state, 'stopped');
  assert.ok(processGone(pid), `ffmpeg ${pid} still exists after stop()`);
  assert.equal(states.at(-1)?.state, 'stopped');
  assert.ok(!states.some((s) => s.state === 'failed'), 'a requested stop is not a failure');
  await cam.stop(); // idempotent
});

test('stop() also ends a SIGSTOPped ffmpeg (SIGKILL after the grace)', { skip }, async (t) => {
  const { cam } = await open(t, lavfi('testsrc=size=160x120:rate=30', { width: 160, height: 120, stopGraceMs: 200 }));
  const pid = cam.pid!;
  await waitFor('a first frame', () => cam.latest());
  process.kill(pid, 'SIGSTOP');
  await cam.stop();
  assert.ok(processGone(pid));
  assert.equal(cam.state, 'stopped');
});

test('an ffmpeg killed from outside is reported failed with a message', { skip }, async (t) => {
  const { cam, states } = await open(t, lavfi('testsrc=size=320x240:rate=30'));
  await waitFor('a first frame', () => cam.latest());
  process.kill(cam.pid!, 'SIGKILL');
  const failed = await waitFor('the failed state', () => states.find((s) => s.state === 'failed'));
  assert.equal(cam.state, 'failed');
  assert.match(failed.message ?? '', /Camera 'front'/);
  assert.match(failed.message ?? '', /SIGKILL/);
  // The last frame stays readable; its age keeps growing so the loop can see it is old.
  assert.ok(cam.latest() !== undefined);
});

test('a stalled camera is reported, naming the device and likely causes, and recovers', { skip }, async (t) => {
  const { cam, states } = await open(
    t,
    lavfi('testsrc=size=160x120:rate=30', { width: 160, height: 120, stallAfterMs: 200 }),
  );
  await waitFor('streaming', () => cam.state === 'streaming');
  process.kill(cam.pid!, 'SIGSTOP');
  let resumed = false;
  t.after(async () => {
    if (!resumed) process.kill(cam.pid!, 'SIGCONT');
  });
  const stalled = await waitFor('the stalled state', () => states.find((s) => s.state === 'stalled'));
  assert.match(stalled.message ?? '', /Camera 'front' \(lavfi testsrc/);
  assert.match(stalled.message ?? '', /unplugged/);
  assert.match(stalled.message ?? '', /another program/);
  assert.match(stalled.message ?? '', /USB/);
  const age = cam.frameAgeMs();
  assert.ok(age !== undefined && age >= 200, `frame age ${age} should exceed the stall threshold`);
  process.kill(cam.pid!, 'SIGCONT');
  resumed = true;
  await waitFor('streaming again', () => cam.state === 'streaming');
  assert.ok(
    states.findLastIndex((s) => s.state === 'streaming') > states.indexOf(stalled),
    'streaming follows the stall',
  );
});

test(
  'a slow camera (-re at 1 frame/s) is reported stalled between frames, then streaming again',
  { skip },
  async (t) => {
    const { cam, states } = await open(
      t,
      lavfi('testsrc=size=160x120:rate=1', { width: 160, height: 120, fps: 1, stallAfterMs: 300 }),
    );
    const stalled = await waitFor('the stalled state', () => states.find((s) => s.state === 'stalled'));
    assert.match(stalled.message ?? '', /Camera 'front'/);
    assert.match(stalled.message ?? '', /expected one every 1000 ms/);
    await waitFor(
      'streaming after the stall',
      () => states.findIndex((s) => s.state === 'stalled') < states.findLastIndex((s) => s.state === 'streaming'),
    );
    assert.ok(cam.latest() !== undefined);
  },
);

test('a missing v4l2 device fails with advice naming the device', { skip }, async (t) => {
  const { cam, states } = await open(t, {
    name: 'wrist',
    input: { kind: 'v4l2', device: '/dev/video99' },
    width: 320,
    height: 240,
    fps: 30,
  });
  const failed = await waitFor('the failed state', () => states.find((s) => s.state === 'failed'));
  assert.equal(cam.state, 'failed');
  assert.match(failed.message ?? '', /Camera 'wrist' \(v4l2 \/dev\/video99\)/);
  assert.ok(
    (failed.advice ?? []).some((a) => /\/dev\/video99/.test(a) && /plugged in/.test(a)),
    `advice: ${JSON.stringify(failed.advice)}`,
  );
  assert.ok((failed.stderr ?? []).some((l) => /video99/.test(l)));
});

test('a missing ffmpeg binary is a typed error that says how to install it', async () => {
  await assert.rejects(FfmpegCamera.start(lavfi('testsrc', { ffmpegPath: '/nonexistent/ffmpeg' })), (err: unknown) => {
    assert.ok(err instanceof FfmpegNotFoundError);
    assert.match(err.message, /\/nonexistent\/ffmpeg/);
    assert.match(err.message, /[Ii]nstall/);
    return true;
  });
});

test('FrameAssembler cuts frames across chunk borders and never overwrites the frame last handed out', () => {
  const a = new FrameAssembler(2, 1); // 6 bytes per frame
  const frameBytes = (n: number) => Uint8Array.from({ length: 6 }, (_, i) => n * 10 + i);
  const stream = new Uint8Array([
    ...frameBytes(1),
    ...frameBytes(2),
    ...frameBytes(3),
    ...frameBytes(4),
    ...frameBytes(5),
  ]);
  assert.equal(a.push(stream.subarray(0, 4)), 0);
  assert.equal(a.latest(), undefined);
  assert.equal(a.push(stream.subarray(4, 9)), 1); // frame 1 done, 3 bytes of frame 2
  const held = a.latest()!;
  assert.equal(held.seq, 1);
  assert.deepEqual(held.data, frameBytes(1));
  // Four more frames (in odd-sized chunks) without another latest(): the held buffer keeps frame 1.
  for (let pos = 9; pos < stream.length; pos += 5) a.push(stream.subarray(pos, Math.min(pos + 5, stream.length)));
  assert.deepEqual(held.data, frameBytes(1));
  assert.equal(held.seq, 1);
  const newest = a.latest()!;
  assert.equal(newest.seq, 5);
  assert.deepEqual(newest.data, frameBytes(5));
  assert.equal(a.pendingBytes, 0);
});

test('ffmpeg error lines become advice; unknown lines give none', () => {
  const v4l2 = { kind: 'v4l2', device: '/dev/video2' } as const;
  const busy = adviseFfmpegCamera(['[video4linux2,v4l2 @ 0x1] ioctl(VIDIOC_STREAMON): Device or resource busy'], v4l2);
  assert.equal(busy.length, 1);
  assert.match(busy[0], /Another program holds \/dev\/video2/);
  assert.match(adviseFfmpegCamera(['/dev/video2: Permission denied'], v4l2)[0], /video' group|Camera/);
  assert.match(
    adviseFfmpegCamera(['[video4linux2,v4l2 @ 0x1] ioctl(VIDIOC_STREAMON): No space left on device'], v4l2)[0],
    /USB/,
  );
  assert.match(
    adviseFfmpegCamera(['[video4linux2,v4l2 @ 0x1] ioctl(VIDIOC_S_FMT): Invalid argument'], v4l2)[0],
    /list_formats all -i \/dev\/video2/,
  );
  assert.deepEqual(adviseFfmpegCamera(['frame=  10 fps=0.0 q=-0.0 size=N/A'], v4l2), []);
});

test('a bad size or fps is a typed config error naming the camera', async () => {
  await assert.rejects(
    FfmpegCamera.start(lavfi('testsrc', { width: 0 })),
    (err: unknown) => err instanceof CameraConfigError && /'front'/.test(err.message),
  );
  await assert.rejects(FfmpegCamera.start(lavfi('testsrc', { fps: Number.NaN })), CameraConfigError);
});
