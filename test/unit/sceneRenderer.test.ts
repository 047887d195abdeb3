import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forwardKinematics } from '../../src/core/scene/armKinematics';
import { FRONT_CAMERA, projectPoint, wristCamera } from '../../src/core/scene/cameraModel';
import { findCubeBlob, isCubeRed } from '../../src/core/scene/colorBlob';
import { CUBE_SIZE, seededCubeStart } from '../../src/core/scene/cubeTask';
import { SceneBufferError, SceneRenderer } from '../../src/core/scene/sceneRenderer';
import { vec3 } from '../../src/core/scene/vec3';

const REST = [0, 0, 0, 0, 0, 50];

function pixelAt(img: Uint8Array, width: number, u: number, v: number): [number, number, number] {
  const o = (Math.floor(v) * width + Math.floor(u)) * 3;
  return [img[o], img[o + 1], img[o + 2]];
}

test('the cube appears in the front view where the camera projection puts it, at any image size', () => {
  const renderer = new SceneRenderer();
  for (const [w, h] of [
    [224, 224],
    [320, 240],
    [160, 200],
  ]) {
    for (const seed of [1, 2, 3]) {
      const cube = seededCubeStart(seed);
      const img = new Uint8Array(w * h * 3);
      renderer.render('front', { joints: REST, cubeCenter: cube }, img, w, h);
      const top = projectPoint(FRONT_CAMERA, vec3(cube.x, cube.y, CUBE_SIZE), w, h);
      assert.ok(top, 'the cube is in front of the camera');
      assert.ok(
        isCubeRed(...pixelAt(img, w, top.u, top.v)),
        `no cube colour at its projection (${top.u}, ${top.v}) in ${w}×${h}`,
      );
      const blob = findCubeBlob(img, w, h);
      assert.ok(blob);
      const centre = projectPoint(FRONT_CAMERA, cube, w, h)!;
      assert.ok(
        Math.hypot(blob.u - centre.u, blob.v - centre.v) < 3,
        `blob at (${blob.u}, ${blob.v}), projection (${centre.u}, ${centre.v})`,
      );
    }
  }
});

test('moving the cube moves its pixels the way the projection says', () => {
  const renderer = new SceneRenderer();
  const img = new Uint8Array(224 * 224 * 3);
  const a = vec3(0.18, -0.08, CUBE_SIZE / 2);
  const b = vec3(0.18, 0.08, CUBE_SIZE / 2);
  renderer.render('front', { joints: REST, cubeCenter: a }, img);
  const blobA = findCubeBlob(img, 224, 224)!;
  renderer.render('front', { joints: REST, cubeCenter: b }, img);
  const blobB = findCubeBlob(img, 224, 224)!;
  const pa = projectPoint(FRONT_CAMERA, a, 224, 224)!;
  const pb = projectPoint(FRONT_CAMERA, b, 224, 224)!;
  assert.ok(Math.sign(blobB.u - blobA.u) === Math.sign(pb.u - pa.u) && Math.abs(blobB.u - blobA.u - (pb.u - pa.u)) < 3);
});

test('the wrist view follows the wrist: flexing it changes the image and the cube shows up when the gripper looks at it', () => {
  const renderer = new SceneRenderer();
  const cube = vec3(0.2, 0, CUBE_SIZE / 2);
  const straight = new Uint8Array(224 * 224 * 3);
  const flexed = new Uint8Array(224 * 224 * 3);
  renderer.render('wrist', { joints: [0, 30, 4, 0, 0, 80], cubeCenter: cube }, straight);
  renderer.render('wrist', { joints: [0, 30, 4, 55, 0, 80], cubeCenter: cube }, flexed);
  let changed = 0;
  for (let i = 0; i < straight.length; i += 3) {
    if (straight[i] !== flexed[i] || straight[i + 1] !== flexed[i + 1] || straight[i + 2] !== flexed[i + 2]) changed++;
  }
  assert.ok(changed > 224 * 224 * 0.2, `only ${changed} pixels changed`);
  // Pointing down over the cube, the wrist camera sees it; the wrist camera's own projection says where.
  const blob = findCubeBlob(flexed, 224, 224);
  assert.ok(blob, 'cube visible from the wrist when above it');
  const p = projectPoint(
    wristCamera(forwardKinematics([0, 30, 4, 55, 0, 80])),
    vec3(cube.x, cube.y, CUBE_SIZE),
    224,
    224,
  )!;
  assert.ok(isCubeRed(...pixelAt(flexed, 224, p.u, p.v)));
});

test('the image has structure: several colours, table, arm and background', () => {
  const renderer = new SceneRenderer();
  const img = new Uint8Array(224 * 224 * 3);
  renderer.render('front', { joints: [-20, 30, 5, 55, 0, 80], cubeCenter: seededCubeStart(2) }, img);
  const colours = new Set<number>();
  for (let i = 0; i < img.length; i += 3) colours.add((img[i] << 16) | (img[i + 1] << 8) | img[i + 2]);
  assert.ok(colours.size >= 8, `only ${colours.size} distinct colours`);
  // The arm's base stands at the origin: its projection is not table or background colour.
  const base = projectPoint(FRONT_CAMERA, vec3(0, 0, 0.05), 224, 224)!;
  const [r, g, b] = pixelAt(img, 224, base.u, base.v);
  assert.ok(r > 100 && g > 0.6 * r && b < 0.3 * r, `base pixel is (${r}, ${g}, ${b}), expected the arm's yellow`);
});

test('rendering writes exactly the given buffer and nothing around it; sizes are checked', () => {
  const renderer = new SceneRenderer();
  const w = 64;
  const h = 48;
  const backing = new Uint8Array(w * h * 3 + 200).fill(77);
  const view = backing.subarray(100, 100 + w * h * 3);
  renderer.render('front', { joints: REST, cubeCenter: seededCubeStart(1) }, view, w, h);
  for (let i = 0; i < 100; i++) assert.equal(backing[i], 77);
  for (let i = backing.length - 100; i < backing.length; i++) assert.equal(backing[i], 77);
  assert.ok(view.some((x) => x !== 77));
  assert.throws(
    () => renderer.render('front', { joints: REST, cubeCenter: seededCubeStart(1) }, new Uint8Array(10), w, h),
    SceneBufferError,
  );
  assert.throws(
    () => renderer.render('wrist', { joints: REST, cubeCenter: seededCubeStart(1) }, new Uint8Array(0), 0, 0),
    SceneBufferError,
  );
});

test('frames depend only on the scene: a reused renderer gives the same bytes after other sizes and views', () => {
  const renderer = new SceneRenderer();
  const state = { joints: [10, 20, 10, 40, 30, 60], cubeCenter: seededCubeStart(5) };
  const first = new Uint8Array(224 * 224 * 3);
  renderer.render('front', state, first);
  renderer.render('wrist', state, new Uint8Array(300 * 200 * 3), 300, 200);
  const again = new Uint8Array(224 * 224 * 3).fill(9);
  new SceneRenderer().render('wrist', state, again);
  renderer.render('front', state, again);
  assert.deepEqual(again, first);
});

test("a renderer reused across views, sizes and poses draws what a fresh renderer draws (the fixed camera's cached background is invisible)", () => {
  const reused = new SceneRenderer();
  const poses = [REST, [20, -30, 40, 10, -15, 80], [-45, 10, -20, 60, 30, 5], REST];
  for (const [w, h] of [
    [224, 224],
    [160, 120],
    [224, 224],
  ]) {
    for (const [i, joints] of poses.entries()) {
      const cube = seededCubeStart(i + 1);
      for (const view of ['front', 'wrist', 'front'] as const) {
        const got = new Uint8Array(w * h * 3);
        reused.render(view, { joints, cubeCenter: cube }, got, w, h);
        const want = new Uint8Array(w * h * 3);
        new SceneRenderer().render(view, { joints, cubeCenter: cube }, want, w, h);
        assert.deepEqual(got, want, `${view} ${w}×${h}, pose ${i}`);
      }
    }
  }
  // The arm still occludes the cached table: a pose that puts the arm in front of the table changes those pixels.
  const moved = new Uint8Array(224 * 224 * 3);
  reused.render('front', { joints: [0, -60, 60, 0, 0, 50], cubeCenter: seededCubeStart(1) }, moved);
  const rest = new Uint8Array(224 * 224 * 3);
  reused.render('front', { joints: REST, cubeCenter: seededCubeStart(1) }, rest);
  assert.notDeepEqual(moved, rest);
});
