// Builds the parts of a session from its setup: the arm (in-process simulator or a serial port), the scene and
// its cameras, one policy client per model, and the converter. Shared by the runtime process and the CLI.
import { homedir } from 'node:os';
import path from 'node:path';
import { builtinConverter, type Converter, type ConverterOptions } from '../core/convert';
import type { RuntimeModelEndpoint, RuntimeSetup } from '../core/rpc';
import { CubeTask } from '../core/scene';
import { FeetechBusSim } from '../core/sim';
import { simulatedArmCalibration } from '../core/so100';
import { readCalibrationFile } from '../io/calibration';
import { SyntheticCameras } from '../io/camera/syntheticCameras';
import { UserConverter } from '../io/convert';
import { LeRobotWsClient } from '../io/policy/leRobotWsClient';
import { OpenPiClient } from '../io/policy/openPiClient';
import type { PolicyClient } from '../io/policy/policyClient';
import { So100Robot } from '../io/robot/so100Robot';
import { FeetechBus } from '../io/serial/feetechBus';
import { SerialPortTransport } from '../io/serial/serialPortTransport';
import { SimTransport } from '../io/serial/simTransport';
import type { CameraSource, EpisodeWorld } from './episodeLoop';

export interface ConnectedArm {
  readonly robot: So100Robot;
  /** The in-process simulator, when the arm is simulated. */
  readonly sim?: FeetechBusSim;
  /** "simulated SO-100" or the port path, for messages. */
  readonly label: string;
}

/** Opens the bus, reads the calibration (a real arm needs a saved one: `so100 calibrate`) and connects the arm. */
export async function connectArm(setup: RuntimeSetup): Promise<ConnectedArm> {
  const common = { bodyMode: setup.bodyMode, maxStep: setup.maxStep, disableTorqueOnDisconnect: !setup.holdOnDisconnect };
  const r = setup.robot;
  if (r.kind === 'sim') {
    const sim = new FeetechBusSim();
    const robot = await So100Robot.connect(new FeetechBus(new SimTransport(sim)), { ...common, calibration: simulatedArmCalibration() });
    return { robot, sim, label: 'simulated SO-100' };
  }
  const loaded = await readCalibrationFile({ robotId: r.robotId, calibrationDir: r.calibrationDir, env: process.env, homeDir: homedir() });
  const transport = await SerialPortTransport.open(r.port);
  try {
    const robot = await So100Robot.connect(new FeetechBus(transport), { ...common, calibration: loaded.calibration });
    return { robot, label: r.port };
  } catch (err) {
    await transport.close();
    throw err;
  }
}

/** The synthetic scene the cameras look at: a cube on a table. It also judges success (cube lifted). */
export interface SceneParts {
  readonly world: EpisodeWorld & CubeTask;
  readonly cameras: CameraSource;
}

export function newScene(seed: number): SceneParts {
  const world = new CubeTask({ seed });
  return { world, cameras: new SyntheticCameras(world) };
}

export function policyClient(name: string, endpoint: RuntimeModelEndpoint, requestTimeoutMs?: number): PolicyClient {
  if (!/^wss?:\/\//.test(endpoint.url)) throw new Error(`model "${name}": url must start with ws:// or wss://, got "${endpoint.url}"`);
  const options = { requestTimeoutMs };
  return endpoint.protocol === 'openpi' ? new OpenPiClient(endpoint.url, options) : new LeRobotWsClient(endpoint.url, options);
}

/** The built-in converter of the layout, or the user's module (compiled, reloaded on change) built on it. */
export async function makeConverter(setup: RuntimeSetup, workspace: string): Promise<Converter & Partial<Disposable>> {
  const options: ConverterOptions = setup.converter.cameras ? { cameras: setup.converter.cameras } : {};
  if (!setup.converter.module) return builtinConverter(setup.converter.layout, options);
  return UserConverter.load(path.resolve(workspace, setup.converter.module), { layout: setup.converter.layout, converterOptions: options });
}
