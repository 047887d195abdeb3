// The host's back-pressure towards the Dashboard webview: ticks coalesced into batches, frames replaced while a
// post is pending, state never dropped, history replayed to a rebuilt page. Posts and timers are fakes, so the
// order of events is decided by the test, not by the clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DashboardFeed, postableFrame } from '../../src/extension/dashboard/dashboardFeed';
import type {
  DashboardChunk,
  DashboardFrame,
  DashboardStatus,
  DashboardTick,
  HostToDashboard,
} from '../../src/contracts/dashboardMessages';
import { isHostToDashboard } from '../../src/contracts/dashboardMessages';
import { seamText } from '../../webview-ui/dashboard/seamText';

function harness() {
  const posted: HostToDashboard[] = [];
  const pending: (() => void)[] = [];
  const timers: (() => void)[] = [];
  const feed = new DashboardFeed(
    (m) => {
      posted.push(m);
      return new Promise<boolean>((resolve) => pending.push(() => resolve(true)));
    },
    {
      schedule: (fn) => {
        timers.push(fn);
        return {
          dispose: () => {
            const i = timers.indexOf(fn);
            if (i >= 0) timers.splice(i, 1);
          },
        };
      },
      historyTicks: 50,
    },
  );
  const runTimers = () => {
    for (const fn of timers.splice(0)) fn();
  };
  const settle = async () => {
    for (const r of pending.splice(0)) r();
    await new Promise((r) => setImmediate(r));
  };
  return { feed, posted, runTimers, settle, timers };
}

const tick = (index: number, episode = 1): DashboardTick => ({
  episode,
  index,
  measured: [1, 2, 3, 4, 5, 6],
  sent: [1, 2, 3, 4, 5, 6],
  starved: false,
  chunkBoundary: index % 10 === 0,
  clamped: [],
  stageMs: { read: 0.3, tick: 1 },
});
const chunk = (requestId: number, episode = 1): DashboardChunk => ({
  episode,
  requestId,
  observationTick: requestId * 10,
  horizon: 2,
  dims: 6,
  targets: new Array(12).fill(0.5),
  accepted: true,
  latencyMs: 30,
});
const frame = (camera: string, t: number): DashboardFrame => ({
  episode: 1,
  tick: t,
  camera,
  width: 2,
  height: 1,
  rgb: new Uint8Array(6).fill(t),
});

test('nothing is posted before ready; ready gets init with the history, then ticks arrive in one batch per flush', async () => {
  const { feed, posted, runTimers, settle } = harness();
  feed.tick(tick(0));
  feed.chunk(chunk(0));
  feed.state(undefined);
  assert.equal(posted.length, 0);
  feed.attach((h) => ({ type: 'init', motors: ['a'], ticks: h.ticks, chunks: h.chunks, roughSeamRatio: 1.5 }));
  assert.equal(posted[0].type, 'init');
  assert.equal(posted[0].type === 'init' && posted[0].ticks.length, 1);
  assert.equal(posted[0].type === 'init' && posted[0].chunks.length, 1);
  await settle();
  for (let i = 1; i <= 5; i++) feed.tick(tick(i));
  runTimers();
  const batches = posted.filter((m) => m.type === 'ticks');
  assert.equal(batches.length, 1);
  assert.deepEqual(batches[0].type === 'ticks' && batches[0].ticks.map((t) => t.index), [1, 2, 3, 4, 5]);
  assert.ok(posted.every(isHostToDashboard), "every posted message passes the webview's guard");
});

test('while a batch is unacknowledged no second batch is posted; the ticks wait and go in the next one', async () => {
  const { feed, posted, runTimers, settle, timers } = harness();
  feed.attach((h) => ({ type: 'init', motors: [], ticks: h.ticks, chunks: h.chunks, roughSeamRatio: 1.5 }));
  await settle();
  feed.tick(tick(0));
  runTimers();
  for (let i = 1; i <= 80; i++) feed.tick(tick(i));
  assert.equal(timers.length, 0, 'no flush scheduled while the previous batch is in flight');
  assert.equal(posted.filter((m) => m.type === 'ticks').length, 1);
  await settle();
  runTimers();
  const second = posted.filter((m) => m.type === 'ticks')[1];
  assert.ok(second && second.type === 'ticks');
  // The pending batch is capped at the history size (50): the oldest 30 were dropped and counted.
  assert.equal(second.ticks.length, 50);
  assert.equal(second.ticks[0].index, 31);
  assert.equal(second.dropped, 30);
  assert.equal(feed.counters.droppedTicks, 30);
});

test('frames: one round in flight; a newer frame of the same camera replaces the waiting one; a round carries every camera', async () => {
  const { feed, posted, settle } = harness();
  feed.attach((h) => ({ type: 'init', motors: [], ticks: h.ticks, chunks: h.chunks, roughSeamRatio: 1.5 }));
  await settle();
  feed.frame(frame('front', 1));
  feed.frame(frame('front', 2));
  feed.frame(frame('wrist', 2));
  feed.frame(frame('front', 3));
  const frames = () =>
    posted
      .filter((m) => m.type === 'frame')
      .map((m) => (m.type === 'frame' ? `${m.frame.camera}@${m.frame.tick}` : ''));
  assert.deepEqual(frames(), ['front@1']);
  await settle();
  assert.deepEqual(frames(), ['front@1', 'front@3', 'wrist@2']);
  await settle();
  assert.deepEqual(frames(), ['front@1', 'front@3', 'wrist@2'], 'nothing left to post');
  assert.equal(feed.counters.droppedFrames, 1);
  assert.ok(posted.every((m) => m.type !== 'frame' || m.frame.rgb instanceof Uint8Array));
});

test('state, warnings and episode results are posted at once even while telemetry is backed up', async () => {
  const { feed, posted, runTimers } = harness();
  feed.attach((h) => ({ type: 'init', motors: [], ticks: h.ticks, chunks: h.chunks, roughSeamRatio: 1.5 }));
  feed.tick(tick(0));
  runTimers();
  feed.frame(frame('front', 0));
  feed.state({ phase: 'running', models: ['pi0'], droppedTelemetry: 0 });
  feed.warning('slow');
  feed.episodeEnded({
    episode: 1,
    success: true,
    reason: 'lifted',
    steps: 10,
    starvedTicks: 0,
    chunks: 1,
    clampedTicks: 0,
    lateTicks: 0,
    warmupTicks: 0,
    timing: [],
    seams: {
      seamRatio: 1.25,
      raw: { seamRatio: 3 },
      lagTicks: Number.NaN,
      perJoint: [{ joint: 'shoulder_pan', seamRatio: 1.5, raw: {}, lagTicks: 0.5 }],
    } as never,
  });
  assert.deepEqual(
    posted.map((m) => m.type),
    ['init', 'ticks', 'frame', 'state', 'warning', 'episodeEnded'],
  );
  // The seams go as the page shows them: a value not measured (NaN) is null, which survives the message's JSON.
  const ended = posted.at(-1)!;
  assert.ok(ended.type === 'episodeEnded' && isHostToDashboard(JSON.parse(JSON.stringify(ended))));
  assert.deepEqual(ended.type === 'episodeEnded' && ended.summary.seams, {
    seamRatio: 1.25,
    rawSeamRatio: 3,
    lagTicks: null,
    perJoint: [{ joint: 'shoulder_pan', seamRatio: 1.5, lagTicks: 0.5 }],
  });
  assert.equal(
    seamText(ended.type === 'episodeEnded' ? ended.summary.seams! : (undefined as never)),
    '. Chunk seams: 1.25× the in-chunk p99 step sent (3.00× asked by the policy), lag — ticks; per joint (seam × / lag ticks): shoulder_pan 1.50× / 0.5',
  );
});

test("detached (panel hidden) posts nothing but keeps history; a new episode clears the previous one's history", async () => {
  const { feed, posted, settle } = harness();
  feed.tick(tick(0, 1));
  feed.tick(tick(1, 1));
  feed.tick(tick(0, 2));
  feed.chunk(chunk(0, 2));
  feed.frame(frame('front', 0));
  assert.equal(posted.length, 0);
  feed.attach((h) => ({ type: 'init', motors: [], ticks: h.ticks, chunks: h.chunks, roughSeamRatio: 1.5 }));
  const init = posted[0];
  assert.ok(init.type === 'init');
  assert.deepEqual(
    init.ticks.map((t) => `${t.episode}:${t.index}`),
    ['2:0'],
  );
  assert.equal(init.chunks.length, 1);
  await settle();
  feed.detach();
  feed.tick(tick(1, 2));
  feed.state(undefined);
  assert.equal(posted.length, 1);
});

test('frames: with both cameras sending every tick faster than posts complete, neither camera starves', async () => {
  const { feed, posted, settle } = harness();
  feed.attach((h) => ({ type: 'init', motors: [], ticks: h.ticks, chunks: h.chunks, roughSeamRatio: 1.5 }));
  await settle();
  for (let t = 0; t < 20; t++) {
    feed.frame(frame('front', t));
    feed.frame(frame('wrist', t));
    if (t % 3 === 2) await settle();
  }
  await settle();
  const newest = new Map<string, number>();
  for (const m of posted) if (m.type === 'frame') newest.set(m.frame.camera, m.frame.tick);
  assert.deepEqual(Object.fromEntries(newest), { front: 19, wrist: 19 });
  const wristPosts = posted.filter((m) => m.type === 'frame' && m.frame.camera === 'wrist').length;
  assert.ok(wristPosts >= 6, `the wrist camera was posted ${wristPosts} times`);
});

test('postableFrame: a Buffer (or a view into a larger buffer) becomes a plain Uint8Array of exactly the frame', () => {
  const socket = Buffer.alloc(100, 7);
  const f = postableFrame({ episode: 1, tick: 0, camera: 'front', width: 2, height: 2, rgb: socket.subarray(10, 22) });
  assert.equal(Object.getPrototypeOf(f.rgb), Uint8Array.prototype);
  assert.equal(f.rgb.buffer.byteLength, 12);
  assert.deepEqual([...f.rgb], new Array(12).fill(7));
  assert.ok(!JSON.stringify({ rgb: f.rgb }).includes('Buffer'));
  const plain = { episode: 1, tick: 0, camera: 'front', width: 1, height: 1, rgb: new Uint8Array(3) };
  assert.equal(postableFrame(plain), plain, 'an already plain frame is not copied');
});

test('state carries the buttons the phase table enables: e-stopped offers Run, Step and Reset (they reconnect)', () => {
  const { feed, posted } = harness();
  feed.attach((h) => ({ type: 'init', motors: [], ticks: h.ticks, chunks: h.chunks, roughSeamRatio: 1.5 }));
  const enabledIn = (phase: DashboardStatus['phase']) => {
    feed.state({ phase, models: ['pi0'], droppedTelemetry: 0 });
    const m = posted.at(-1)!;
    assert.ok(isHostToDashboard(m) && m.type === 'state');
    return m.enabled;
  };
  assert.deepEqual(enabledIn('estopped'), ['runEpisode', 'step', 'estop', 'reset']);
  assert.deepEqual(enabledIn('running'), ['step', 'pause', 'stop', 'estop', 'reset']);
  assert.deepEqual(enabledIn('paused'), ['step', 'resume', 'stop', 'estop', 'reset']);
  assert.deepEqual(enabledIn('connected'), ['runEpisode', 'step', 'estop', 'reset']);
  assert.deepEqual(enabledIn('calibrating'), ['estop']);
  feed.state(undefined);
  const last = posted.at(-1)!;
  assert.ok(last.type === 'state' && last.enabled === undefined, 'no runtime: every button stays clickable');
});
