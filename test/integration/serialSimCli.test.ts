// `so100 sim --pty` as a child process: the independent Feetech conformance probe, faults, clean shutdown.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { interrupt, projectRoot } from '../helpers/cliProcess';
import { conformanceProbe } from '../helpers/conformanceProbe';
import { FeetechBus } from '../../src/io/serial/feetechBus';
import { ServoHardwareError, ServoNoReplyError } from '../../src/io/serial/feetechBusErrors';
import { SerialPortTransport } from '../../src/io/serial/serialPortTransport';
import { runSim } from '../../src/cli/simCommand';
import { CliUsageError } from '../../src/cli/cliUsageError';
import { runSimConsoleLine } from '../../src/cli/simConsole';
import { FeetechBusSim } from '../../src/core/sim';

const socatMissing = spawnSync('socat', ['-V']).error !== undefined;
const python = '/usr/bin/python3';
const probe = conformanceProbe('feetech_probe.py');
// Until main.ts registers `sim`, the command module runs through a test-only entry with the same contract.
const simEntry = resolve(projectRoot, 'src/cli/main.ts');
// Deadlines bound a hang only (nothing here is about speed): generous, for a busy machine.
const T = { timeout: 300_000 };

interface SimProcess {
  readonly child: ChildProcess;
  output(): string;
}

/** Starts `so100 sim --pty PATH …`; resolves once it prints its ready line. */
function startSim(args: readonly string[], timeoutMs = 90_000): Promise<SimProcess> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', simEntry, 'sim', ...args], {
      cwd: projectRoot,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`so100 sim did not start: ${out}`));
    }, timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      if (/simulated SO-100 on /.test(out)) {
        clearTimeout(timer);
        resolvePromise({ child, output: () => out });
      }
    });
    child.stderr!.on('data', (d: Buffer) => {
      out += d;
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`so100 sim exited with ${code}: ${out}`));
    });
  });
}

/** Writes one console line to the simulator and waits for the output to match `reply` (after what was there). */
async function command(sim: SimProcess, line: string, reply: RegExp, timeoutMs = 60_000): Promise<string> {
  const from = sim.output().length;
  sim.child.stdin!.write(`${line}\n`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const fresh = sim.output().slice(from);
    if (reply.test(fresh)) return fresh;
    if (Date.now() > deadline) throw new Error(`no reply matching ${reply} to "${line}"; got: ${fresh}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Runs a program to completion (killed after timeoutMs). */
function runProgram(
  cmd: string,
  args: readonly string[],
  timeoutMs: number,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, args, { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, out });
    });
  });
}

describe('so100 sim --pty', { skip: socatMissing ? 'socat is not installed (sudo apt install socat)' : false }, () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'so100-sim-cli-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test(
    'passes the independent Feetech conformance probe, then SIGINT removes the port',
    { ...T, skip: probe.skip },
    async () => {
      const path = join(dir, 'arm');
      const sim = await startSim(['--pty', path]);
      try {
        assert.match(
          sim.output(),
          new RegExp(`simulated SO-100 on ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(ids 1–6, 1 Mbaud\\)`),
        );
        const r = await runProgram(python, [probe.path, path], 120_000);
        assert.equal(r.code, 0, `probe output:\n${r.out}`);
        assert.match(r.out, /feetech probe: all checks hold/);
      } finally {
        assert.equal(await interrupt(sim.child), 0, 'SIGINT ends the simulator cleanly');
      }
      assert.equal(existsSync(path), false, 'the pty link is gone');
    },
  );

  test('--fault options reach the simulated bus (seen through our driver on the same pty)', T, async () => {
    const path = join(dir, 'faulty');
    const sim = await startSim(['--pty', path, '--fault', 'drop=3', '--fault', 'error=5:overload', '--ids', '1-6']);
    try {
      const bus = new FeetechBus(await SerialPortTransport.open(path), { latencyMs: 1000 });
      await using _ = bus;
      assert.equal(await bus.readModel(1), 777);
      await assert.rejects(bus.ping(3), ServoNoReplyError);
      await assert.rejects(
        bus.ping(5),
        (err: unknown) => err instanceof ServoHardwareError && err.bits.includes('overload'),
      );
    } finally {
      assert.equal(await interrupt(sim.child), 0);
    }
  });

  test(
    'faults switched at run time on stdin: drop=3 silences servo 3 until clear; bad commands are refused',
    T,
    async () => {
      const path = join(dir, 'console');
      const sim = await startSim(['--pty', path]);
      try {
        const bus = new FeetechBus(await SerialPortTransport.open(path), { latencyMs: 1000 });
        await using _ = bus;
        await bus.ping(3);
        await command(sim, 'fault drop=3', /fault drop=3 on; active faults: drop=3/);
        await assert.rejects(bus.ping(3), (err: unknown) => err instanceof ServoNoReplyError && err.id === 3);
        await bus.ping(2);

        await command(sim, 'fault errorBits=2:overheat', /active faults: drop=3 error=2:overheat/);
        await assert.rejects(
          bus.ping(2),
          (err: unknown) => err instanceof ServoHardwareError && err.id === 2 && err.bits.includes('overheat'),
        );
        const bad = await command(sim, 'fault melt', /error: fault melt: unknown fault/);
        assert.doesNotMatch(bad, /active faults/, 'a bad command changes nothing');
        await command(sim, 'reboot', /error: unknown command "reboot"/);
        await command(sim, 'faults', /active faults: drop=3 error=2:overheat/);

        await command(sim, 'clear', /faults cleared; active faults: none/);
        await bus.ping(3);
        await bus.ping(2);
        assert.equal(await bus.readModel(3), 777, 'servo 3 answers again');
      } finally {
        assert.equal(await interrupt(sim.child), 0, 'SIGINT still ends it with stdin open');
      }
      assert.equal(existsSync(path), false);
    },
  );

  test('console lines in-process: every fault kind, its acknowledgement, and clear errors', () => {
    const sim = new FeetechBusSim();
    assert.match(runSimConsoleLine(sim, 'fault corrupt=0.01'), /active faults: corrupt=0.01$/);
    assert.match(runSimConsoleLine(sim, '  fault   delay-us=60000 '), /corrupt=0.01 delay-us=60000$/);
    assert.match(runSimConsoleLine(sim, 'fault disconnect'), /unplugged$/);
    assert.equal(sim.faults.disconnected, true);
    assert.match(runSimConsoleLine(sim, 'clear'), /none$/);
    assert.deepEqual(
      [sim.faults.corruptChecksumFraction, sim.faults.extraDelayUs, sim.faults.disconnected],
      [0, 0, false],
    );
    assert.match(runSimConsoleLine(sim, 'help'), /fault SPEC/);
    const cases: [string, RegExp][] = [
      ['fault', /takes one SPEC/],
      ['fault corrupt=2', /^fault corrupt=2: give a fraction from 0 to 1/],
      ['fault errorBits=2:hot', /unknown error bit "hot"/],
      ['fault disconnect=1', /disconnect takes no value/],
      ['clear now', /takes no arguments/],
      ['stop', /unknown command "stop"/],
    ];
    for (const [line, message] of cases) {
      assert.throws(
        () => runSimConsoleLine(sim, line),
        (err: unknown) => err instanceof CliUsageError && message.test(err.message),
        line,
      );
    }
    assert.equal(runSimConsoleLine(sim, 'faults'), 'active faults: none', 'refused lines changed nothing');
  });

  test('bad usage exits 2 naming the option; an existing file is refused with exit 1 and left alone', T, async () => {
    const missing = await runProgram(process.execPath, ['--import', 'tsx', simEntry, 'sim'], 120_000);
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
      await assert.rejects(
        runSim.run(['--pty', join(dir, 'never'), ...args]),
        (err: unknown) => err instanceof CliUsageError && message.test(err.message),
      );
    }
    await assert.rejects(runSim.run(['--pty', join(dir, 'never'), '--frobnicate']), {
      code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION',
    });
    assert.equal(existsSync(join(dir, 'never')), false, 'nothing was started');
    const file = join(dir, 'precious');
    await writeFile(file, 'data');
    const r = await runProgram(process.execPath, ['--import', 'tsx', simEntry, 'sim', '--pty', file], 120_000);
    assert.equal(r.code, 1);
    assert.match(r.out, /already exists and socat would replace it/);
    assert.equal(existsSync(file), true);
  });
});
