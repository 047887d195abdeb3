// `so100 calibrate`: LeRobot's calibration procedure for the SO-100 follower, on a real port or the simulator,
// saved where LeRobot looks for it.
import { parseArgs } from 'node:util';
import { homedir } from 'node:os';
import { FeetechBusSim } from '../core/sim';
import { writeCalibrationFile } from '../io/calibration';
import { FeetechBus } from '../io/serial/feetechBus';
import { SerialPortTransport } from '../io/serial/serialPortTransport';
import { SimTransport } from '../io/serial/simTransport';
import { runCalibration, type CalibrationUser } from '../io/robot/calibrationSession';
import { SimulatedCalibrationUser } from '../io/robot/simulatedCalibrationUser';
import { CliUsageError } from './cliUsageError';
import { TerminalCalibrationUser } from './terminalCalibrationUser';

const usage = `so100 calibrate — calibrate an SO-100 follower arm (LeRobot's procedure and file format)

Usage:
  so100 calibrate --port PATH [--robot-id ID] [--calibration-dir DIR]
  so100 calibrate --sim [--robot-id ID] [--calibration-dir DIR]

Torque goes off; you put the arm at the middle of its range (ENTER); the homing offsets are set; you move every
joint through its whole travel (ENTER); the ranges are written to the servos and saved where LeRobot looks:
$HF_LEROBOT_CALIBRATION/robots/so_follower/<ID>.json (by default under ~/.cache/huggingface/lerobot/calibration).
With --sim a simulated arm and a simulated helper do it all.

Options:
  --port PATH             the arm's serial port (e.g. /dev/ttyACM0, or a so100 sim --pty path)
  --sim                   calibrate the in-process simulated arm instead
  --robot-id ID           the name of this arm's calibration (default: so100_follower, or so100_sim with --sim)
  --calibration-dir DIR   save as DIR/<ID>.json instead (LeRobot's calibration_dir)`;

async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      sim: { type: 'boolean', default: false },
      'robot-id': { type: 'string' },
      'calibration-dir': { type: 'string' },
    },
    strict: true,
  });
  if (!values.sim && values.port === undefined)
    throw new CliUsageError("give the arm's serial port with --port PATH, or --sim for the simulated arm");
  if (values.sim && values.port !== undefined) throw new CliUsageError('--port and --sim exclude each other');
  const robotId = values['robot-id'] ?? (values.sim ? 'so100_sim' : 'so100_follower');

  let bus: FeetechBus;
  let user: CalibrationUser & Partial<Disposable>;
  if (values.sim) {
    const sim = new FeetechBusSim();
    bus = new FeetechBus(new SimTransport(sim));
    user = new SimulatedCalibrationUser(sim, (line) => console.log(line));
  } else {
    bus = new FeetechBus(await SerialPortTransport.open(values.port as string));
    user = new TerminalCalibrationUser();
  }
  const abort = new AbortController();
  const onSignal = () => abort.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  try {
    console.log(`Calibrating the SO-100 on ${bus.port} as "${robotId}".`);
    const calibration = await runCalibration(bus, user, { signal: abort.signal });
    if (!calibration) {
      console.log(
        '\nCalibration cancelled; nothing was saved. The servos may hold a partial calibration: run it again before use.',
      );
      return 1;
    }
    const path = await writeCalibrationFile(
      { robotId, calibrationDir: values['calibration-dir'], env: process.env, homeDir: homedir() },
      calibration,
    );
    console.log(`\nSaved ${path}`);
    return 0;
  } finally {
    process.off('SIGINT', onSignal);
    user[Symbol.dispose]?.();
    await bus.close();
  }
}

export const runCalibrate = { run, usage };
