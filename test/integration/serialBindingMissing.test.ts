// A machine serialport has no prebuilt binding for: the real lookup is made to fail the way it does there (node-gyp-
// build reads the target architecture from npm_config_arch), in child processes. Opening a real port gives one error
// naming the platform, the supported ones and what to do; nothing starts; the simulated arm still works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PREBUILT_SERIAL_PLATFORMS } from '../../src/io/serial/serialPortLoader';
import { runCli, runNode } from '../helpers/cliProcess';

/** An architecture serialport ships no binding for. */
const UNSUPPORTED = { npm_config_arch: 'riscv64' };
const PLATFORM = `${process.platform}-riscv64`;
const PORT = '/dev/ttyUSB-so100-no-binding';

function assertClearError(message: string): void {
  assert.match(message, new RegExp(`^cannot open ${PORT}: .*\\(${PLATFORM}\\)`), message);
  assert.ok(message.includes(`carries it for ${PREBUILT_SERIAL_PLATFORMS.join(', ')}`), message);
  assert.ok(message.includes('set "robot.port": "sim" in so100.json'), message);
}

test('opening a real port without a binding for this platform: one clear error; the simulated arm still connects', async () => {
  const fixture = path.join(__dirname, '..', 'fixtures', 'openPortAndSim.ts');
  const r = await runNode(['--import', 'tsx', fixture, PORT], 120_000, UNSUPPORTED);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {
    opened?: boolean;
    error?: { name: string; message: string };
    sim?: { label: string; positions: Record<string, number> };
  };
  assert.equal(out.opened, undefined);
  assert.equal(out.error?.name, 'SerialBindingUnavailableError');
  assertClearError(out.error!.message);
  assert.equal(out.sim?.label, 'simulated SO-100');
  assert.equal(Object.keys(out.sim!.positions).length, 6, 'the simulated arm answered with six joints');
});

test('so100 episode on a real port without a binding: exits 1 with that error before a server starts; sim runs', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'so100-no-binding-'));
  try {
    const config = path.join(dir, 'so100.json');
    await writeFile(config, JSON.stringify({ robot: { port: PORT }, maxSteps: 10, record: { dir: 'episodes' } }));
    const real = await runCli(['episode', '--config', config], 120_000, UNSUPPORTED);
    assert.equal(real.code, 1, real.stdout + real.stderr);
    assertClearError(real.stderr.replace(/^so100: /, '').trim());
    assert.doesNotMatch(real.stdout, /policy server|Connected/, 'no server started, nothing connected');
    assert.equal(existsSync(path.join(dir, 'episodes')), false, 'nothing recorded');

    await writeFile(config, JSON.stringify({ robot: { port: 'sim' }, maxSteps: 10, record: { dir: 'episodes' } }));
    const sim = await runCli(['episode', '--config', config], 180_000, UNSUPPORTED);
    assert.match(sim.stdout, /Simulated SO-100 connected/, sim.stdout + sim.stderr);
    assert.match(sim.stdout, /^10 ticks at 30 fps/m, sim.stdout + sim.stderr);
    assert.equal(existsSync(path.join(dir, 'episodes')), true, 'the simulated episode was recorded');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
