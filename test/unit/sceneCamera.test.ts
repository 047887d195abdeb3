import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FRONT_CAMERA, cameraLookingAlong, pixelToPlane, projectPoint } from '../../src/core/scene/cameraModel';
import { outputToSourcePixel } from '../../src/core/scene/resizeWithPadGeometry';
import { padGeometry } from '../../src/core/convert/imageOps';
import { vec3 } from '../../src/core/scene/vec3';

test('a camera looking along +x with z up sees +y on the left and +z at the top', () => {
  const cam = cameraLookingAlong(vec3(0, 0, 0), vec3(1, 0, 0), vec3(0, 0, 1), 90);
  const centre = projectPoint(cam, vec3(1, 0, 0), 200, 100)!;
  assert.deepEqual([centre.u, centre.v, centre.depth], [100, 50, 1]);
  // 90° vertical field of view: a point at 45° up lands on the top edge.
  const up = projectPoint(cam, vec3(1, 0, 1), 200, 100)!;
  assert.ok(Math.abs(up.v) < 1e-9);
  assert.ok(projectPoint(cam, vec3(1, 0.5, 0), 200, 100)!.u < 100);
  assert.equal(projectPoint(cam, vec3(-1, 0, 0), 200, 100), null, 'points behind the camera do not project');
});

test('a table point seen by the front camera unprojects back onto itself', () => {
  fc.assert(
    fc.property(
      fc.double({ min: -0.1, max: 0.35, noNaN: true }),
      fc.double({ min: -0.25, max: 0.25, noNaN: true }),
      fc.double({ min: 0, max: 0.05, noNaN: true }),
      fc.constantFrom([224, 224], [640, 480]),
      (x, y, z, [w, h]) => {
        const p = projectPoint(FRONT_CAMERA, vec3(x, y, z), w, h)!;
        const back = pixelToPlane(FRONT_CAMERA, p.u, p.v, w, h, z)!;
        assert.ok(Math.hypot(back.x - x, back.y - y, back.z - z) < 1e-9);
      },
    ),
  );
});

test('resize-with-pad geometry follows openpi: truncated size, centred, and maps back to the source', () => {
  // 640×480 → 224²: ratio 640/224, height 168, 28 rows of padding above.
  assert.deepEqual(padGeometry(640, 480, 224, 224), { resizedWidth: 224, resizedHeight: 168, left: 0, top: 28 });
  assert.deepEqual(padGeometry(100, 300, 224, 224), { resizedWidth: 74, resizedHeight: 224, left: 75, top: 0 });
  assert.deepEqual(outputToSourcePixel(112, 28, 640, 480, 224, 224), { u: 320, v: 0 });
  assert.deepEqual(outputToSourcePixel(224, 196, 640, 480, 224, 224), { u: 640, v: 480 });
  assert.deepEqual(outputToSourcePixel(50, 60, 224, 224, 224, 224), { u: 50, v: 60 });
});
