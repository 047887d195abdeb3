import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CubePickingInputError, CubePickingPolicy } from '../../src/core/policy/cubePickingPolicy';
import { CubeTask } from '../../src/core/scene/cubeTask';
import { SceneRenderer } from '../../src/core/scene/sceneRenderer';

const HORIZON = 20;
const ACTION_DIM = 32;
/** Actions executed from each chunk before asking again (the rest are dropped, as with a chunk scheduler). */
const EXECUTE = 10;
const POLICY_SIZE = 224;

type Feed = 'front' | 'wrist-as-front' | 'black';

/** Nearest-neighbour resize-with-pad (openpi's placement: truncated size, centred, zero padding). */
function resizeWithPad(src: Uint8Array, sw: number, sh: number, out: Uint8Array, ow: number, oh: number): void {
  const ratio = Math.max(sw / ow, sh / oh);
  const rw = Math.trunc(sw / ratio);
  const rh = Math.trunc(sh / ratio);
  const left = Math.floor((ow - rw) / 2);
  const top = Math.floor((oh - rh) / 2);
  out.fill(0);
  for (let y = 0; y < rh; y++) {
    const sy = Math.min(sh - 1, Math.floor(((y + 0.5) * sh) / rh));
    for (let x = 0; x < rw; x++) {
      const sx = Math.min(sw - 1, Math.floor(((x + 0.5) * sw) / rw));
      const o = ((top + y) * ow + left + x) * 3;
      const i = (sy * sw + sx) * 3;
      out[o] = src[i];
      out[o + 1] = src[i + 1];
      out[o + 2] = src[i + 2];
    }
  }
}

interface Episode {
  readonly succeeded: boolean;
  readonly everGrasped: boolean;
  readonly ticks: number;
  readonly decisions: readonly string[];
  readonly policy: CubePickingPolicy;
}

/**
 * A closed loop in pure simulation: render → policy → joints move toward the targets with a first-order model
 * (35 % of the remaining error per tick) → task step.
 */
function runEpisode(
  seed: number,
  feed: Feed,
  options: { start?: number[]; camera?: [number, number]; maxTicks?: number } = {},
): Episode {
  const task = new CubeTask({ seed });
  const renderer = new SceneRenderer();
  const policy = new CubePickingPolicy(HORIZON, ACTION_DIM);
  const q = [...(options.start ?? [0, 0, 0, 0, 0, 50])];
  const [cw, ch] = options.camera ?? [POLICY_SIZE, POLICY_SIZE];
  const frame = new Uint8Array(cw * ch * 3);
  const image = new Uint8Array(POLICY_SIZE * POLICY_SIZE * 3);
  const decisions: string[] = [];
  let chunk: Float64Array = new Float64Array(0);
  let next = EXECUTE;
  let everGrasped = false;
  let tick = 0;
  for (; tick < (options.maxTicks ?? 400) && !task.succeeded; tick++) {
    if (next >= EXECUTE) {
      if (feed === 'black') frame.fill(0);
      else
        renderer.render(
          feed === 'front' ? 'front' : 'wrist',
          { joints: q, cubeCenter: task.cubeCenter },
          frame,
          cw,
          ch,
        );
      if (cw === POLICY_SIZE && ch === POLICY_SIZE) image.set(frame);
      else resizeWithPad(frame, cw, ch, image, POLICY_SIZE, POLICY_SIZE);
      chunk = policy.plan(q, {
        data: image,
        width: POLICY_SIZE,
        height: POLICY_SIZE,
        sourceWidth: cw,
        sourceHeight: ch,
      });
      decisions.push(policy.lastDecision);
      next = 0;
    }
    for (let j = 0; j < 6; j++) q[j] += (chunk[next * ACTION_DIM + j] - q[j]) * 0.35;
    next++;
    task.step(q, 33);
    everGrasped ||= task.grasped;
  }
  return { succeeded: task.succeeded, everGrasped, ticks: tick, decisions, policy };
}

test('closed loop: the policy sees the cube and picks it up from several seeded positions', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) {
    const ep = runEpisode(seed, 'front');
    assert.equal(
      ep.succeeded,
      true,
      `seed ${seed}: no success after ${ep.ticks} ticks; last decision: ${ep.decisions.at(-1)}`,
    );
    for (const phase of ['approach', 'descend', 'close', 'lift']) {
      assert.ok(
        ep.decisions.some((d) => d.startsWith(phase)),
        `seed ${seed}: never in phase ${phase}`,
      );
    }
  }
});

test('closed loop from another start pose and with a 4:3 camera frame resized-with-pad to 224²', () => {
  for (const seed of [11, 12, 13]) {
    const ep = runEpisode(seed, 'front', { start: [-30, -20, 40, 20, 0, 0], camera: [320, 240] });
    assert.equal(ep.succeeded, true, `seed ${seed}: ${ep.decisions.at(-1)}`);
  }
});

test('a black frame never leads to success: the policy holds and says it sees no cube', () => {
  for (const seed of [1, 2, 3]) {
    const ep = runEpisode(seed, 'black', { start: [0, 20, 10, 50, 0, 60] });
    assert.equal(ep.succeeded, false);
    assert.equal(ep.everGrasped, false);
    assert.equal(ep.policy.currentPhase, 'search');
    assert.match(ep.decisions.at(-1)!, /holding: no red cube in the front image/);
  }
  // Holding means the whole chunk repeats the measured state.
  const policy = new CubePickingPolicy(5, 6);
  const state = [3, -4, 5, 6, 7, 40];
  const chunk = policy.plan(state, { data: new Uint8Array(224 * 224 * 3), width: 224, height: 224 });
  for (let t = 0; t < 5; t++) assert.deepEqual([...chunk.subarray(t * 6, t * 6 + 6)], state);
});

test('the wrist image mapped as the front camera never leads to success', () => {
  for (const start of [
    [0, 0, 0, 0, 0, 50],
    [0, 20, 10, 50, 0, 50],
    [-20, 30, 5, 55, 0, 100],
  ]) {
    for (const seed of [1, 2, 4]) {
      const ep = runEpisode(seed, 'wrist-as-front', { start });
      assert.equal(ep.succeeded, false, `seed ${seed} from ${start}: ${ep.decisions.at(-1)}`);
      assert.equal(ep.everGrasped, false);
    }
  }
  const ep = runEpisode(1, 'wrist-as-front');
  assert.ok(
    ep.decisions.every((d) => d.startsWith('holding')),
    'from rest the wrist camera shows no cube',
  );
});

test('chunks are deterministic, capped per step, start from the state and are zero-padded', () => {
  const renderer = new SceneRenderer();
  const task = new CubeTask({ seed: 3 });
  const image = new Uint8Array(224 * 224 * 3);
  const state = [0, 0, 0, 0, 0, 50];
  renderer.render('front', { joints: state, cubeCenter: task.cubeCenter }, image);
  const a = new CubePickingPolicy(HORIZON, ACTION_DIM).plan(state, { data: image, width: 224, height: 224 });
  const b = new CubePickingPolicy(HORIZON, ACTION_DIM).plan(state, { data: image, width: 224, height: 224 });
  assert.deepEqual(a, b);
  assert.equal(a.length, HORIZON * ACTION_DIM);
  let moved = false;
  for (let t = 0; t < HORIZON; t++) {
    for (let d = 6; d < ACTION_DIM; d++) assert.equal(a[t * ACTION_DIM + d], 0);
    for (let j = 0; j < 6; j++) {
      const prev = t === 0 ? state[j] : a[(t - 1) * ACTION_DIM + j];
      const step = Math.abs(a[t * ACTION_DIM + j] - prev);
      assert.ok(step <= (j === 5 ? 8 : 2.5) + 1e-9, `joint ${j} moves ${step} at step ${t}`);
      moved ||= step > 0;
    }
  }
  assert.ok(moved, 'a visible cube makes the arm move');
});

test('bad inputs are refused with messages that say what to pass', () => {
  const policy = new CubePickingPolicy(4, 6);
  const image = { data: new Uint8Array(224 * 224 * 3), width: 224, height: 224 };
  assert.throws(
    () => policy.plan([0, 0, 0, 0, 0], image),
    (e: unknown) => e instanceof CubePickingInputError && /needs 6/.test(e.message),
  );
  assert.throws(() => policy.plan([0, 0, NaN, 0, 0, 0], image), CubePickingInputError);
  assert.throws(
    () => policy.plan([0, 0, 0, 0, 0, 0], { data: new Uint8Array(10), width: 224, height: 224 }),
    /uint8 HWC/,
  );
  assert.throws(() => new CubePickingPolicy(10, 4), CubePickingInputError);
});
