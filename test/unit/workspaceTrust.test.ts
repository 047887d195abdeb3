// Workspace Trust: an untrusted workspace runs no configured command (nor its cwd, args, env) and no converter
// module; a trusted one runs what it asks; the built-in server and remote models are always allowed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, untrustedMessage, untrustedRefusals, untrustedServerSettingRefusal, type So100Config } from '../../src/core/config';

function config(extra: Record<string, unknown>): So100Config {
  const { config: c, problems } = parseConfig(JSON.stringify({
    models: {
      pi0: { kind: 'builtin', profile: 'pi0' },
      mine: { kind: 'command', command: 'uv', args: ['run', 'scripts/serve_policy.py'], cwd: '/elsewhere/openpi' },
      far: { kind: 'remote', url: 'ws://10.0.0.7:8000' },
    },
    ...extra,
  }));
  assert.ok(c, JSON.stringify(problems));
  return c;
}

test('untrusted: a command model is refused, naming its command and its cwd', () => {
  const r = untrustedRefusals(config({ activeModel: 'mine' }), false);
  assert.deepEqual(r.map((x) => x.key), ['models.mine.command']);
  assert.match(r[0].what, /model "mine" runs uv in \/elsewhere\/openpi/);
  assert.match(untrustedMessage(r), /^this workspace is not trusted, so model "mine" runs uv in \/elsewhere\/openpi is not run\. Trust the workspace/);
});

test('untrusted: a converter module is refused whatever the model; both are named together', () => {
  const withModule = { converter: { layout: 'openpi-so100', module: 'converters/mine.ts' } };
  assert.deepEqual(untrustedRefusals(config({ ...withModule, activeModel: 'pi0' }), false).map((x) => x.key), ['converter.module']);
  const both = untrustedRefusals(config({ ...withModule, activeModel: 'mine' }), false);
  assert.deepEqual(both.map((x) => x.key), ['models.mine.command', 'converter.module']);
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
