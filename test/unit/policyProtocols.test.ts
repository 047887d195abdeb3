// The protocol registry is the one source of protocol names: the schema, package.json's setting, the adapters and
// the layout defaults all follow it, and every check names the registry's choices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_SCHEMA, defaultLayoutFor } from '../../src/core/config';
import { LAYOUT_NAMES } from '../../src/core/convert/layouts';
import {
  DEFAULT_POLICY_PROTOCOL,
  isPolicyProtocol,
  POLICY_PROTOCOL_NAMES,
  POLICY_PROTOCOLS,
  protocolChoices,
} from '../../src/core/protocols';
import { PROTOCOL_ADAPTERS } from '../../src/io/policy/protocolAdapters';
import { manifestFromTables } from '../../scripts/manifestFromTables';
import { episodeConfig } from '../../src/cli/episodeConfig';

const root = join(__dirname, '../..');

test('descriptors and adapters cover the same protocols, each under its own name', () => {
  assert.deepEqual(POLICY_PROTOCOL_NAMES, ['openpi', 'lerobot-ws']);
  assert.deepEqual(Object.keys(PROTOCOL_ADAPTERS).sort(), [...POLICY_PROTOCOL_NAMES].sort());
  for (const name of POLICY_PROTOCOL_NAMES) assert.equal(POLICY_PROTOCOLS[name].name, name);
  assert.equal(isPolicyProtocol('openpi'), true);
  assert.equal(isPolicyProtocol('constructor'), false);
  assert.equal(protocolChoices(), 'openpi or lerobot-ws');
});

test('the schema enum and package.json setting are the registry (run `npm run manifest` / `npm run schema`)', () => {
  const defs = JSON.stringify(CONFIG_SCHEMA);
  assert.ok(defs.includes(JSON.stringify({ type: 'string', enum: [...POLICY_PROTOCOL_NAMES] }).slice(1, -1)));
  const text = readFileSync(join(root, 'package.json'), 'utf8');
  assert.equal(text, manifestFromTables(text));
  const setting = JSON.parse(text).contributes.configuration.properties['so100.server.protocol'];
  assert.deepEqual(setting.enum, POLICY_PROTOCOL_NAMES);
  assert.equal(setting.default, DEFAULT_POLICY_PROTOCOL);
});

test('every built-in layout belongs to exactly one protocol; the default layout is its own', () => {
  for (const layout of LAYOUT_NAMES) {
    const owners = POLICY_PROTOCOL_NAMES.filter((p) =>
      (POLICY_PROTOCOLS[p].layouts as readonly string[]).includes(layout),
    );
    assert.equal(owners.length, 1, `${layout} belongs to ${owners.join(', ') || 'no protocol'}`);
  }
  for (const p of POLICY_PROTOCOL_NAMES) {
    const model = { kind: 'remote', url: 'ws://x:1', protocol: p } as const;
    assert.equal(defaultLayoutFor(model), POLICY_PROTOCOLS[p].defaultLayout);
    assert.ok((POLICY_PROTOCOLS[p].layouts as readonly string[]).includes(POLICY_PROTOCOLS[p].defaultLayout));
  }
  assert.equal(defaultLayoutFor(undefined), POLICY_PROTOCOLS[DEFAULT_POLICY_PROTOCOL].defaultLayout);
});

test('a name outside the registry is refused by the CLI with the registry choices', async () => {
  await assert.rejects(
    episodeConfig({ protocol: 'grpc' } as never, root),
    /--protocol must be openpi or lerobot-ws, got "grpc"/,
  );
});
