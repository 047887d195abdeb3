// `so100 sim --pty` as a child process: the independent Feetech conformance probe, faults, clean shutdown.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { interrupt, projectRoot } from '../helpers/cliProcess';
import { FeetechBus } from '../../src/io/serial/feetechBus';
import { ServoHardwareError, ServoNoReplyError } from '../../src/io/serial/feetechBusErrors';
import { SerialPortTransport } from '../../src/io/serial/serialPortTransport';
import { runSim } from '../../src/cli/simCommand';
import { CliUsageError } from '../../src/cli/cliUsageError';

const socatMissing = spawnSync('socat', ['-V']).error !== undefined;
const python = '/usr/bin/python3';
const probe = resolve(projectRoot, '../shared/conformance/feetech_probe.py');
// Until main.ts registers `sim`, the command module runs through a test-only entry with the same contract.
const simEntry = resolve(projectRoot, 'src/cli/main.ts');
const T = { timeout: 40_000 };

interface SimProcess {
  readonly child: ChildProcess;
  output(): string;
}

/** Starts `so100 sim --pty PATH …`; resolves once it prints its ready line. */
function startSim(args: readonly string[], timeoutMs = 15_000): Promise<SimProcess> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', simEntry, 'sim', ...args], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`so100 sim did not start: ${out}`)); }, timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      if (/simulated SO-100 on /.test(out)) { clearTimeout(timer); resolvePromise({ child, output: () => out }); }
    });
    child.stderr!.on('data', (d: Buffer) => { out += d; });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`so100 sim exited with ${code}: ${out}`)); });
  });
}

/** Runs a program to completion (killed after timeoutMs). */
function runProgram(cmd: string, args: readonly string[], timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, args, { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => { clearTimeout(timer); resolvePromise({ code, out }); });
  });
}

describe('so100 sim --pty', { skip: socatMissing ? 'socat is not installed (sudo apt install socat)' : false }, () => {
  let dir: string;
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'so100-sim-cli-')); });
  after(async () => { await rm(dir, { recursive: true, force: true }); });

  test('passes the independent Feetech conformance probe, then SIGINT removes the port', T, async () => {
    const path = join(dir, 'arm');
    const sim = await startSim(['--pty', path]);
    try {
      assert.match(sim.output(), new RegExp(`simulated SO-100 on ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(ids 1–6, 1 Mbaud\\)`));
      const r = await runProgram(python, [probe, path], 30_000);
      assert.equal(r.code, 0, `probe output:\n${r.out}`);
      assert.match(r.out, /feetech probe: all checks hold/);
    } finally {
      assert.equal(await interrupt(sim.child), 0, 'SIGINT ends the simulator cleanly');
    }
    assert.equal(existsSync(path), false, 'the pty link is gone');
  });

  test('--fault options reach the simulated bus (seen through our driver on the same pty)', T, async () => {
    const path = join(dir, 'faulty');
    const sim = await startSim(['--pty', path, '--fault', 'drop=3', '--fault', 'error=5:overload', '--ids', '1-6']);
    try {
      const bus = new FeetechBus(await SerialPortTransport.open(path), { latencyMs: 250 });
      await using _ = bus;
      assert.equal(await bus.readModel(1), 777);
      await assert.rejects(bus.ping(3), ServoNoReplyError);
      await assert.rejects(bus.ping(5), (err: unknown) => err instanceof ServoHardwareError && err.bits.includes('overload'));
    } finally {
      assert.equal(await interrupt(sim.child), 0);
    }
  });

  test('bad usage exits 2 naming the option; an existing file is refused with exit 1 and left alone', T, async () => {
    const missing = await runProgram(process.execPath, ['--import', 'tsx', simEntry, 'sim'], 20_000);
    assert.equal(missing.code, 2, missing.out);
    assert.match(missing.out, /--pty PATH is required/);
    // The other option errors are the same CliUsageError path; check them in-process (no child start-up cost).
    const cases: [string[], RegExp][] = [
      [['--fault', 'melt'], /--fault melt: unknown fault/],
      [['--fault', 'corrupt=2'], /fraction from 0 to 1/],
      [['--fault', 'error=2:hot'], /unknown error bit "hot"/],
      [['--fault', 'drop='], /give the ids/],
      [['--ids', '6-1'], /--ids must hold ids/],
      [['--seed', 'x'], /--seed must be a whole number/],
    ];
    for (const [args, message] of cases) {
      await assert.rejects(runSim.run(['--pty', join(dir, 'never'), ...args]), (err: unknown) => err instanceof CliUsageError && message.test(err.message));
    }
    await assert.rejects(runSim.run(['--pty', join(dir, 'never'), '--frobnicate']), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' });
    assert.equal(existsSync(join(dir, 'never')), false, 'nothing was started');
    const file = join(dir, 'precious');
    await writeFile(file, 'data');
    const r = await runProgram(process.execPath, ['--import', 'tsx', simEntry, 'sim', '--pty', file], 20_000);
    assert.equal(r.code, 1);
    assert.match(r.out, /already exists and socat would replace it/);
    assert.equal(existsSync(file), true);
  });
});
