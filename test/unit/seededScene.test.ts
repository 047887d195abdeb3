import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CubeTask, SceneRenderer, isCubeRed, seededScene } from '../../src/core/scene';

const JOINTS = [5, -10, 20, 60, 0, 40];

function renderBoth(seed: number): { front: Uint8Array; wrist: Uint8Array } {
  const task = new CubeTask({ scene: seededScene(seed) });
  const r = new SceneRenderer();
  const state = { joints: JOINTS, cubeCenter: task.cubeCenter, scene: task.scene };
  const front = new Uint8Array(224 * 224 * 3);
  const wrist = new Uint8Array(224 * 224 * 3);
  r.render('front', state, front);
  r.render('wrist', state, wrist);
  return { front, wrist };
}

test('the same seed gives the same scene, byte for byte, in both camera views', () => {
  for (const seed of [1, 2, 77, 4_000_000_000]) {
    assert.deepEqual(seededScene(seed), seededScene(seed));
    const a = renderBoth(seed);
    const b = renderBoth(seed);
    assert.ok(Buffer.from(a.front).equals(Buffer.from(b.front)), `seed ${seed}: front frames differ`);
    assert.ok(Buffer.from(a.wrist).equals(Buffer.from(b.wrist)), `seed ${seed}: wrist frames differ`);
  }
  assert.ok(!Buffer.from(renderBoth(1).front).equals(Buffer.from(renderBoth(2).front)), 'seeds 1 and 2 look alike');
});

test('seeds vary the scene: edge of reach, distractors of a similar colour, light, camera, start pose', () => {
  const scenes = Array.from({ length: 200 }, (_, i) => seededScene(i + 1));
  const reach = scenes.map((s) => Math.hypot(s.cube.x, s.cube.y));
  assert.ok(reach.some((r) => r > 0.25) && reach.some((r) => r < 0.18), 'cubes both near and at the edge of reach');
  const similar = scenes.filter((s) => s.distractors.some((d) => isCubeRed(...d.color)));
  assert.ok(similar.length >= 10, `${similar.length} of 200 scenes have a distractor the cube's colour test accepts`);
  assert.ok(scenes.some((s) => s.distractors.length === 0) && scenes.some((s) => s.distractors.length >= 2));
  assert.ok(new Set(scenes.map((s) => s.light.ambient.toFixed(3))).size > 100, 'lighting varies');
  assert.ok(new Set(scenes.map((s) => s.frontCamera.position.x.toFixed(6))).size > 100, 'the camera is jittered');
  assert.ok(new Set(scenes.map((s) => s.armStart[0].toFixed(3))).size > 100, 'the start pose varies');
  for (const s of scenes) {
    assert.ok(isCubeRed(...s.cube.color), `seed ${s.seed}: the cube stays red enough to be seen`);
    assert.ok(s.light.ambient + s.light.diffuse <= 1 + 1e-12, `seed ${s.seed}: light would overflow bytes`);
  }
});

test('a varied scene sets the task: cube size and place from the seed', () => {
  const spec = seededScene(9);
  const task = new CubeTask({ scene: spec });
  assert.equal(task.cubeSize, spec.cube.size);
  assert.equal(task.cubeCenter.x, spec.cube.x);
  assert.equal(task.cubeCenter.z, spec.cube.size / 2);
  assert.equal(task.cubeHeight, 0);
});
