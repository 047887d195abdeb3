// Benchmark 4: one control-tick bus cycle (SYNC_READ of Present_Position + SYNC_WRITE of Goal_Position, 6 servos),
// in-process and over a socat pty against the simulated arm, the simulator in this process and then in its own (as
// a real arm is another device). Limit: the bytes' time on a 1 Mbaud wire.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FeetechBusSim } from '../../src/core/sim';
import { FeetechBus } from '../../src/io/serial/feetechBus';
import { SerialPortTransport } from '../../src/io/serial/serialPortTransport';
import { SimPty } from '../../src/io/serial/simPty';
import { SimTransport } from '../../src/io/serial/simTransport';
import { interrupt, startPtySim } from '../helpers/cliProcess';
import { figure, type BenchFigure } from './benchStats';

const IDS = [1, 2, 3, 4, 5, 6];

/** The tick's cycle as So100Robot runs it: the prepared SYNC_READ of Present_Position, then SYNC_WRITE of goals. */
async function cycles(bus: FeetechBus, runs: number, warmUp = 50): Promise<{ ms: number[]; bytesPerCycle: number }> {
  const positions = bus.syncReader('Present_Position', IDS);
  const goals = bus.syncWriter('Goal_Position', IDS);
  const values = new Float64Array(IDS.length).fill(2048);
  for (let i = 0; i < warmUp; i++) await goals.write(values).then(() => positions.read());
  bus.resetStats();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await positions.read();
    await goals.write(values);
    ms.push(performance.now() - t0);
  }
  const s = bus.stats;
  return { ms, bytesPerCycle: (s.bytesWritten + s.bytesRead) / runs };
}

function wireFigure(name: string, ms: number[], bytesPerCycle: number, returnDelayUs: number): BenchFigure {
  // 10 bits per byte at 1 Mbaud, plus each servo's return delay (0 after LeRobot's configure).
  const wireMs = (bytesPerCycle * 10) / 1000 + (returnDelayUs * IDS.length) / 1000;
  return figure(
    name,
    'ms',
    ms,
    { name: `1 Mbaud wire time of ${bytesPerCycle.toFixed(0)} B`, samples: [wireMs] },
    'SYNC_WRITE has no reply: the cycle ends once it is handed to the port, so a ratio under 1 is possible',
  );
}

export async function feetechCycleBenchmarks(runs: number): Promise<BenchFigure[]> {
  const out: BenchFigure[] = [];
  const sim = new FeetechBusSim();
  for (const s of sim.servos) s.writeRegister('Return_Delay_Time', 0);
  const bus = new FeetechBus(new SimTransport(sim));
  try {
    const r = await cycles(bus, runs);
    out.push(wireFigure('Feetech cycle, in-process simulator (bus timing modelled)', r.ms, r.bytesPerCycle, 0));
  } finally {
    await bus.close();
  }
  if (spawnSync('socat', ['-V'], { stdio: 'ignore' }).status !== 0) {
    console.log('  (Feetech cycle over a pty skipped: socat is not installed)');
    return out;
  }
  const dir = await mkdtemp(join(tmpdir(), 'so100-bench-'));
  const ptySim = new FeetechBusSim();
  for (const s of ptySim.servos) s.writeRegister('Return_Delay_Time', 0);
  const pty = await SimPty.start({ path: join(dir, 'arm'), sim: ptySim });
  const ptyBus = new FeetechBus(await SerialPortTransport.open(pty.path));
  try {
    const r = await cycles(ptyBus, runs);
    out.push(wireFigure('Feetech cycle, serialport over a socat pty', r.ms, r.bytesPerCycle, 0));
  } finally {
    await ptyBus.close();
    await pty.close();
  }
  // `so100 sim --pty` as a child process, the setup in which LeRobot's driver was compared (docs/PERFORMANCE.md).
  const childPath = join(dir, 'arm-child');
  const child = await startPtySim(childPath);
  const childBus = new FeetechBus(await SerialPortTransport.open(childPath));
  try {
    for (const id of IDS) {
      await childBus.write(id, 'Lock', 0);
      await childBus.write(id, 'Return_Delay_Time', 0); // as So100Robot.configure() and LeRobot set it
      await childBus.write(id, 'Lock', 1);
    }
    // 2000 cycles (~2 s) first: the simulator is a fresh process still compiling its hot code, which a servo never
    // does; measured cold, its stalls set the p99 (4.1–4.6 ms against 2.0–2.5 ms warm, same driver).
    const r = await cycles(childBus, runs, 2000);
    out.push(wireFigure('Feetech cycle, over a socat pty, simulator in its own process', r.ms, r.bytesPerCycle, 0));
  } finally {
    await childBus.close();
    await interrupt(child);
    await rm(dir, { recursive: true, force: true });
  }
  return out;
}
