import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ConverterError, assignCameraRoles, roleFromName } from '../../src/core/convert';

const BOTH = ['primary', 'secondary'] as const;

test('camera names suggest roles: scene names primary, wrist/low names secondary, others none', () => {
  for (const n of ['front', 'main', 'base', 'cam_high', 'Front_RGB', 'base_camera'])
    assert.equal(roleFromName(n), 'primary', n);
  for (const n of ['wrist', 'secondary_0', 'cam_low', 'cam_left_wrist', 'WristCam'])
    assert.equal(roleFromName(n), 'secondary', n);
  for (const n of ['phone', 'top', 'on_robot', 'laptop']) assert.equal(roleFromName(n), undefined, n);
});

test('explicit converter.cameras wins over names; only the leftover camera is reported', () => {
  const a = assignCameraRoles(['front', 'wrist', 'phone'], BOTH, { primary: 'phone', secondary: 'front' });
  assert.deepEqual(a.byRole, { primary: 'phone', secondary: 'front' });
  assert.deepEqual(a.unused, ['wrist']);
  assert.deepEqual(a.warnings, [
    "camera 'wrist' is not sent: the layout has no image slot left for it; set converter.cameras to choose",
  ]);
});

test('explicit settings naming a missing camera or an unknown role are errors that name the key', () => {
  assert.throws(
    () => assignCameraRoles(['front'], BOTH, { primary: 'top' }),
    (e: unknown) =>
      e instanceof ConverterError &&
      e.key === 'converter.cameras.primary' &&
      e.actual === "'top'" &&
      /front/.test(e.expected),
  );
  assert.throws(
    () => assignCameraRoles(['front'], BOTH, { tertiary: 'front' }),
    (e: unknown) =>
      e instanceof ConverterError && e.key === 'converter.cameras.tertiary' && /primary, secondary/.test(e.expected),
  );
});

test('an explicit role the layout lacks is reported and ignored', () => {
  const a = assignCameraRoles(['front', 'wrist'], ['primary'], { secondary: 'wrist' });
  assert.deepEqual(a.byRole, { primary: 'front' });
  assert.ok(a.warnings.includes('converter.cameras.secondary is ignored: this layout has no secondary image'));
});

test('names fill roles without warnings; an unnamed camera is guessed with a warning naming it', () => {
  const named = assignCameraRoles(['wrist', 'front'], BOTH);
  assert.deepEqual(named, { byRole: { primary: 'front', secondary: 'wrist' }, missing: [], unused: [], warnings: [] });
  const guessed = assignCameraRoles(['wrist', 'phone'], BOTH);
  assert.deepEqual(guessed.byRole, { primary: 'phone', secondary: 'wrist' });
  assert.deepEqual(guessed.warnings, ["camera 'phone' guessed as the primary view; set converter.cameras to be sure"]);
});

test('without hints, cameras fill roles in sorted order; missing roles are listed', () => {
  const a = assignCameraRoles(['zeta', 'alpha'], BOTH);
  assert.deepEqual(a.byRole, { primary: 'alpha', secondary: 'zeta' });
  assert.equal(a.warnings.length, 2);
  const one = assignCameraRoles(['wrist'], BOTH);
  assert.deepEqual(one.byRole, { secondary: 'wrist' });
  assert.deepEqual(one.missing, ['primary']);
  assert.deepEqual(assignCameraRoles([], BOTH).missing, ['primary', 'secondary']);
});

test('assignment is one camera per role, from the given cameras, independent of their order', () => {
  const names = fc.uniqueArray(
    fc.constantFrom('front', 'wrist', 'phone', 'top', 'cam_high', 'cam_low', 'main', 'side', 'z'),
    { maxLength: 6 },
  );
  fc.assert(
    fc.property(names, (cams) => {
      const a = assignCameraRoles(cams, BOTH);
      const chosen = Object.values(a.byRole);
      assert.equal(new Set(chosen).size, chosen.length);
      for (const c of chosen) assert.ok((cams as string[]).includes(c as string));
      assert.equal(chosen.length + a.unused.length, cams.length);
      assert.equal(chosen.length, Math.min(2, cams.length));
      assert.deepEqual(assignCameraRoles([...cams].reverse(), BOTH), a);
    }),
  );
});
