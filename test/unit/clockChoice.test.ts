// Which clock a campaign runs on: virtual whenever every part is simulated in process; anything real forces wall
// time (auto says why) or refuses virtual (with the reason).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig, type So100Config } from '../../src/core/config';
import { ClockChoiceError, chooseClock, parseClockChoice } from '../../src/core/evaluation';

const models = ['pi0', 'pi0_fast'];

test('the embedded default runs on virtual time under auto and virtual, on wall time when asked', () => {
  const d = defaultConfig();
  assert.deepEqual(chooseClock('auto', d, models), { kind: 'virtual' });
  assert.deepEqual(chooseClock('virtual', d, models), { kind: 'virtual' });
  assert.deepEqual(chooseClock('wall', d, models), { kind: 'wall' });
  assert.equal(d.evaluation.clock, 'auto');
});

test('a real arm, camera or server forces wall time and says which', () => {
  const d = defaultConfig();
  const cases: Array<[So100Config, string[], RegExp]> = [
    [{ ...d, robot: { ...d.robot, port: '/dev/ttyACM0' } }, models, /the arm is real \(robot\.port \/dev\/ttyACM0\)/],
    [
      { ...d, cameras: { ...d.cameras, front: { kind: 'ffmpeg', device: '/dev/video0' } as never } },
      models,
      /camera "front" is a real camera/,
    ],
    [
      {
        ...d,
        models: { ...d.models, mine: { kind: 'remote', url: 'ws://10.0.0.2:8000', protocol: 'openpi' } as never },
      },
      ['pi0', 'mine'],
      /model "mine" is served by a real server \(remote\)/,
    ],
    [
      { ...d, models: { ...d.models, pi0: { ...d.models.pi0, protocol: 'lerobot-ws' } as never } },
      models,
      /model "pi0" speaks lerobot-ws/,
    ],
  ];
  for (const [config, names, why] of cases) {
    const auto = chooseClock('auto', config, names);
    assert.equal(auto.kind, 'wall');
    assert.match(auto.wallReason ?? '', why);
    assert.throws(
      () => chooseClock('virtual', config, names),
      (e: unknown) => e instanceof ClockChoiceError && why.test(e.message) && /use --clock wall/.test(e.message),
    );
    assert.deepEqual(chooseClock('wall', config, names), { kind: 'wall' });
  }
});

test('a clock choice is parsed or refused with the choices', () => {
  assert.equal(parseClockChoice('virtual'), 'virtual');
  assert.throws(() => parseClockChoice('Virtual'), /one of auto, virtual, wall, got "Virtual"/);
});
