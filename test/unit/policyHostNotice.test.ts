// Remote policy hosts are accepted by the config but always announced; this machine's addresses are not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLoopbackHost, parseConfig, remotePolicyNotice } from '../../src/core/config';

test('loopback: localhost, 127.0.0.0/8 and ::1 are this machine; anything else is not', () => {
  for (const h of ['localhost', 'LOCALHOST', '127.0.0.1', '127.1.2.3', '::1', '[::1]', 'a.localhost'])
    assert.ok(isLoopbackHost(h), h);
  for (const h of ['10.0.0.7', 'gpu-box', '0.0.0.0', '::', '128.0.0.1', '127.0.0.1.evil.com', 'localhost.evil.com'])
    assert.ok(!isLoopbackHost(h), h);
});

test('a config with a remote model host is accepted, and the model gets a notice naming the host', () => {
  const { config, problems } = parseConfig(
    JSON.stringify({ models: { far: { kind: 'remote', url: 'ws://gpu-box:8000' } }, activeModel: 'far' }),
  );
  assert.ok(config, JSON.stringify(problems));
  assert.equal(problems.filter((p) => p.severity === 'error').length, 0);
  const notice = remotePolicyNotice('far', config.models.far);
  assert.match(
    notice ?? '',
    /model "far" runs on another machine, gpu-box \(ws:\/\/gpu-box:8000\): observations .* are sent there unencrypted \(ws:\/\/\)\./,
  );
  assert.doesNotMatch(
    remotePolicyNotice('far', { kind: 'remote', url: 'wss://gpu-box', protocol: 'openpi' }) ?? '',
    /unencrypted/,
  );
});

test('no notice for this machine: loopback remote URLs and the built-in server', () => {
  assert.equal(remotePolicyNotice('m', { kind: 'remote', url: 'ws://127.0.0.1:8000', protocol: 'openpi' }), undefined);
  assert.equal(remotePolicyNotice('m', { kind: 'remote', url: 'ws://localhost:8000', protocol: 'openpi' }), undefined);
  assert.equal(remotePolicyNotice('m', { kind: 'builtin', profile: 'pi0', protocol: 'openpi', port: 0 }), undefined);
});

test('a command model reached on a non-loopback host is announced too', () => {
  const m = {
    kind: 'command',
    command: 'uv',
    args: [],
    env: {},
    host: '0.0.0.0',
    port: 8000,
    protocol: 'openpi',
    startTimeoutMs: 1000,
  } as const;
  assert.match(remotePolicyNotice('mine', m) ?? '', /reached at 0\.0\.0\.0, not 127\.0\.0\.1/);
  assert.equal(remotePolicyNotice('mine', { ...m, host: '127.0.0.1' }), undefined);
});
