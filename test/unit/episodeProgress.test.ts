// The one source of episode progress behind the status bar, the side bar and the Dashboard.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { EpisodeSummary, RuntimeEventName, RuntimeEvents, RuntimeStatus } from '../../src/core/rpc';
import { ProgressSource, progressText, type EpisodeProgress } from '../../src/extension/runtime/episodeProgress';

function harness() {
  const listeners = new Map<string, ((d: unknown) => void)[]>();
  let status: RuntimeStatus | undefined = { phase: 'connected', models: ['pi0'], droppedTelemetry: 0, maxSteps: 900 };
  let now = 0;
  const timers: { at: number; fn: () => void; live: boolean }[] = [];
  const events = {
    onEvent<E extends RuntimeEventName>(event: E, l: (d: RuntimeEvents[E]) => void) {
      const list = listeners.get(event) ?? [];
      list.push(l as (d: unknown) => void);
      listeners.set(event, list);
      return { dispose: () => list.splice(list.indexOf(l as (d: unknown) => void), 1) };
    },
    status: () => status,
  };
  const emit = <E extends RuntimeEventName>(event: E, data: RuntimeEvents[E]) => {
    if (event === 'state') status = data as RuntimeStatus;
    for (const l of listeners.get(event) ?? []) l(data);
  };
  const source = new ProgressSource(events as never, {
    now: () => now,
    schedule: (fn, ms) => {
      const t = { at: now + ms, fn, live: true };
      timers.push(t);
      return { dispose: () => (t.live = false) };
    },
  });
  const published: EpisodeProgress[] = [];
  source.onChange((p) => published.push(p));
  const advance = (ms: number) => {
    now += ms;
    for (const t of timers.splice(0)) {
      if (!t.live) continue;
      if (t.at <= now) t.fn();
      else timers.push(t);
    }
  };
  const tick = (index: number, episode = 1) =>
    emit('tick', {
      episode,
      index,
      measured: [],
      starved: false,
      chunkBoundary: false,
      clamped: [],
      stageMs: {},
    });
  return { source, published, emit, tick, advance, listeners };
}

const running = (episode: number, step = 0): RuntimeStatus => ({
  phase: 'running',
  models: ['pi0'],
  droppedTelemetry: 0,
  episode,
  step,
  maxSteps: 900,
});

test('ticks are published at most every 500 ms, and the last one is never lost', () => {
  const h = harness();
  h.emit('state', running(1));
  assert.equal(progressText(h.published.at(-1)!), '0/900', 'a state change is published at once');
  const before = h.published.length;
  h.advance(10);
  for (let i = 0; i < 30; i++) {
    h.tick(i);
    h.advance(33);
  }
  // 30 ticks over ~1 s: at most 3 publications (≤ 2 Hz), not 30.
  const during = h.published.length - before;
  assert.ok(during >= 1 && during <= 3, `${during} publications for 30 ticks`);
  h.advance(600);
  assert.equal(progressText(h.source.current), '30/900');
  assert.equal(progressText(h.published.at(-1)!), '30/900', 'the trailing tick is published');
});

test('a state event with an older step does not move progress back; a new episode starts from its own step', () => {
  const h = harness();
  h.emit('state', running(1));
  for (let i = 0; i < 69; i++) h.tick(i);
  h.advance(1000);
  h.emit('state', { ...running(1, 60), phase: 'paused' });
  assert.equal(progressText(h.source.current), '69/900', 'the newest tick wins over a stale status step');
  h.emit('state', running(2, 0));
  assert.equal(progressText(h.source.current), '0/900');
  h.tick(5, 1);
  assert.equal(progressText(h.source.current), '0/900', 'late ticks of an earlier episode are ignored');
});

test('an episode end publishes the final step at once; idle shows no progress', () => {
  const h = harness();
  h.emit('state', running(1));
  h.tick(0);
  h.tick(1);
  const summary: EpisodeSummary = {
    episode: 1,
    success: true,
    reason: 'the cube was lifted',
    steps: 171,
    starvedTicks: 0,
    warmupTicks: 0,
    chunks: 9,
    clampedTicks: 0,
    lateTicks: 0,
    timing: [],
  };
  h.emit('state', { ...running(1), phase: 'connected', episode: undefined, step: undefined });
  h.emit('episodeEnded', summary);
  const last = h.published.at(-1)!;
  assert.equal(last.step, 171);
  assert.equal(last.ended, summary);
  assert.equal(progressText(last), '', 'not running: no step count');
  h.source.dispose();
  assert.equal([...h.listeners.values()].flat().length, 0, 'dispose unsubscribes');
});
