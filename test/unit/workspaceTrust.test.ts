// Workspace Trust: an untrusted workspace runs no configured command (nor its cwd, args, env) and no converter
// module; a trusted one runs what it asks; the built-in server and remote models are always allowed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseConfig,
  untrustedFolderMessage,
  untrustedFolderRefusals,
  untrustedMessage,
  untrustedRefusals,
  untrustedServerSettingRefusal,
  type So100Config,
} from '../../src/core/config';
import { outsideOf } from '../../src/extension/workspace/workspaceFolderRule';

function config(extra: Record<string, unknown>): So100Config {
  const { config: c, problems } = parseConfig(
    JSON.stringify({
      models: {
        pi0: { kind: 'builtin', profile: 'pi0' },
        mine: { kind: 'command', command: 'uv', args: ['run', 'scripts/serve_policy.py'], cwd: '/elsewhere/openpi' },
        far: { kind: 'remote', url: 'ws://10.0.0.7:8000' },
      },
      ...extra,
    }),
  );
  assert.ok(c, JSON.stringify(problems));
  return c;
}

test('untrusted: a command model is refused, naming its command and its cwd', () => {
  const r = untrustedRefusals(config({ activeModel: 'mine' }), false);
  assert.deepEqual(
    r.map((x) => x.key),
    ['models.mine.command'],
  );
  assert.match(r[0].what, /model "mine" runs uv in \/elsewhere\/openpi/);
  assert.match(
    untrustedMessage(r),
    /^this workspace is not trusted, so model "mine" runs uv in \/elsewhere\/openpi is not run\. Trust the workspace/,
  );
});

test('untrusted: a converter module is refused whatever the model; both are named together', () => {
  const withModule = { converter: { layout: 'openpi-so100', module: 'converters/mine.ts' } };
  assert.deepEqual(
    untrustedRefusals(config({ ...withModule, activeModel: 'pi0' }), false).map((x) => x.key),
    ['converter.module'],
  );
  const both = untrustedRefusals(config({ ...withModule, activeModel: 'mine' }), false);
  assert.deepEqual(
    both.map((x) => x.key),
    ['models.mine.command', 'converter.module'],
  );
  assert.match(untrustedMessage(both), / and the converter module converters\/mine\.ts are not run/);
});

test('untrusted: the built-in server and a remote model run; a swap target is checked, not only the active model', () => {
  const c = config({ activeModel: 'pi0' });
  assert.deepEqual(untrustedRefusals(c, false), []);
  assert.deepEqual(untrustedRefusals(c, false, 'far'), []);
  assert.equal(untrustedRefusals(c, false, 'mine').length, 1);
});

test('trusted: nothing is refused', () => {
  assert.deepEqual(untrustedRefusals(config({ activeModel: 'mine', converter: { module: 'c.ts' } }), true), []);
});

test('the so100.server.* settings: a command kind is refused only when untrusted', () => {
  assert.equal(untrustedServerSettingRefusal('command', false)?.key, 'so100.server.command');
  assert.equal(untrustedServerSettingRefusal('command', true), undefined);
  assert.equal(untrustedServerSettingRefusal('builtin', false), undefined);
});

test('untrusted: record.dir and robot.calibrationDir may not leave the workspace; inside, or trusted, they may', () => {
  const outside = outsideOf('/home/me/robot-ws');
  const escaping = config({
    record: { dir: '../../.ssh' },
    robot: { id: 'settings', calibrationDir: '/home/me/.config/Code/User' },
  });
  const r = untrustedFolderRefusals(escaping, false, outside);
  assert.deepEqual(
    r.map((x) => x.key),
    ['record.dir', 'robot.calibrationDir'],
  );
  assert.match(
    untrustedFolderMessage(r),
    /^this workspace is not trusted, so its record\.dir and robot\.calibrationDir may not point outside it \(episode records in \.\.\/\.\.\/\.ssh; calibration files in \/home\/me\/\.config\/Code\/User\)\. Trust the workspace/,
  );
  // Calibrate Arm checks only the calibration folder.
  assert.deepEqual(
    untrustedFolderRefusals(escaping, false, outside, 'calibration').map((x) => x.key),
    ['robot.calibrationDir'],
  );
  assert.deepEqual(untrustedFolderRefusals(escaping, true, outside), []);
  // The defaults (records under the workspace, LeRobot's own calibration folder) and folders inside are fine.
  assert.deepEqual(untrustedFolderRefusals(config({}), false, outside), []);
  assert.deepEqual(
    untrustedFolderRefusals(
      config({ record: { dir: 'runs/../episodes' }, robot: { calibrationDir: 'calib' } }),
      false,
      outside,
    ),
    [],
  );
  // A record folder that is never written is not refused.
  assert.deepEqual(untrustedFolderRefusals(config({ record: { enabled: false, dir: '/tmp/x' } }), false, outside), []);
});

test('outsideOf: .. and absolute paths elsewhere are outside; ~ always is; a folder named "..x" inside is not', () => {
  const outside = outsideOf('/ws');
  assert.equal(outside('..'), true);
  assert.equal(outside('../ws2'), true);
  assert.equal(outside('/etc'), true);
  assert.equal(outside('~/.cache/calibration'), true);
  assert.equal(outside('/ws/.so100/episodes'), false);
  assert.equal(outside('..x/y'), false);
  assert.equal(outside('a/../b'), false);
  assert.equal(outsideOf(undefined)('.so100'), true);
});
