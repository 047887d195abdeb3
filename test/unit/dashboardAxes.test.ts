// The numbers on the Dashboard's axes and header: minimum spans, bar scales with the budget marked, labels with
// units, the progress line and which camera frames the tiles show.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { axisLabel, barTop, MIN_SPAN, plotTitle, valueRange } from '../../webview-ui/dashboard/axisScale';
import { progressLine } from '../../webview-ui/dashboard/progressLine';
import { pickFrames, type ReceivedFrame } from '../../webview-ui/dashboard/telemetryStore';
import type { DashboardStatus } from '../../src/contracts/dashboardMessages';

test('valueRange: sub-degree noise gets at least the minimum span, centred on the data; no data is no range', () => {
  const [lo, hi] = valueRange([12.02, 12.1, 11.95, 12.07])!;
  assert.ok(hi - lo >= MIN_SPAN, `span ${hi - lo}`);
  assert.ok(Math.abs((lo + hi) / 2 - 12.025) < 1e-9, 'centred on the data');
  const [wlo, whi] = valueRange([-40, 60])!;
  assert.ok(wlo < -40 && whi > 60 && whi - wlo < 120, 'a real move keeps its own span plus a margin');
  const [clo, chi] = valueRange([5], { min: -90, max: 90 })!;
  assert.ok(clo < -90 && chi > 90, 'the calibrated range is included');
  assert.equal(valueRange([]), undefined);
  assert.equal(valueRange([NaN, Infinity]), undefined);
});

test('barTop: bars of 50–80 ms under an 833 ms budget scale to the bars and leave the budget off the scale', () => {
  const far = barTop([52, 80, 61], 833.3);
  assert.ok(far.top >= 80 && far.top < 120, `top ${far.top}`);
  assert.equal(far.budgetShown, false);
  const near = barTop([5, 9, 20], 33.3);
  assert.equal(near.budgetShown, true, 'a budget within twice the data is drawn as a line');
  assert.ok(near.top > 33.3);
  const over = barTop([40, 120], 33.3);
  assert.ok(over.top >= 120 && over.budgetShown);
  assert.equal(barTop([], 33.3).budgetShown, true);
});

test('axisLabel and plotTitle carry the unit', () => {
  assert.equal(axisLabel(12.34, 5, '°'), '12.3°');
  assert.equal(axisLabel(45.6, 80, '%'), '46 %');
  assert.equal(axisLabel(-0.04, 5, '°'), '0.0°', 'no "-0.0"');
  assert.equal(axisLabel(96, 96, 'ms'), '96 ms');
  assert.equal(axisLabel(3, 5, ''), '3.0');
  assert.equal(plotTitle('gripper', '%'), 'gripper (%)');
  assert.equal(plotTitle('shoulder_pan', '°'), 'shoulder_pan (°)');
});

const status = (over: Partial<DashboardStatus>): DashboardStatus => ({
  phase: 'running',
  models: ['pi0'],
  droppedTelemetry: 0,
  fps: 30,
  maxSteps: 900,
  ...over,
});

test('progressLine: the step is the host progress, not the status snapshot; drops are the running episode’s only', () => {
  const s = status({ episode: 2, step: 0, droppedTelemetry: 55, episodeDroppedTelemetry: 0 });
  assert.equal(progressLine(s, { episode: 2, step: 69, maxSteps: 900 }), 'episode 2 · step 69 / 900 · 30 fps');
  assert.match(
    progressLine(status({ episodeDroppedTelemetry: 7, episode: 2 }), { step: 3 }),
    /7 telemetry events dropped this episode/,
  );
  const idle = status({ phase: 'connected', droppedTelemetry: 55, episodeDroppedTelemetry: 55 });
  assert.doesNotMatch(progressLine(idle, { episode: 1, step: 171 }), /dropped|step/, 'an idle panel shows neither');
  assert.equal(progressLine(undefined, undefined), '');
});

const received = (camera: string, tick: number): ReceivedFrame => ({
  frame: { episode: 1, tick, camera, width: 1, height: 1, rgb: new Uint8Array(3) },
  newestTickAtArrival: tick,
});

test('pickFrames: the tiles show the newest tick every camera has; a stalled camera is shown as behind', () => {
  const frames = new Map([
    ['front', [received('front', 64), received('front', 65), received('front', 66)]],
    ['wrist', [received('wrist', 65), received('wrist', 66), received('wrist', 67)]],
  ]);
  const shown = pickFrames(frames);
  assert.deepEqual(
    [...shown].map(([c, s]) => [c, s.received.frame.tick, s.behind]),
    [
      ['front', 66, 0],
      ['wrist', 66, 0],
    ],
  );
  const stalled = pickFrames(
    new Map([
      ['front', [received('front', 0)]],
      ['wrist', [received('wrist', 66), received('wrist', 67)]],
    ]),
  );
  assert.deepEqual(
    [...stalled].map(([c, s]) => [c, s.received.frame.tick, s.behind]),
    [
      ['front', 0, 67],
      ['wrist', 67, 0],
    ],
  );
  assert.equal(pickFrames(new Map()).size, 0);
});
