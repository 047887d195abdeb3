// Builds the parts of a session from its config: the arm (in-process simulator or a serial port), a policy client
// per model, and the converter. Shared by the runtime process and the CLI.
import { homedir } from 'node:os';
import path from 'node:path';
import {
  apiKeyTransportProblem,
  builtinProfileOf,
  missingApiKeyMessage,
  modelNamed,
  toActionSafetyOptions,
  toConverterOptions,
  type ConverterConfig,
  type RobotConfig,
  type So100Config,
} from '../core/config';
import type { Converter } from '../core/convert';
import { apiKeyProtocolProblem } from '../core/protocols';
import type { RuntimeModelEndpoint } from '../core/rpc';
import { FeetechBusSim } from '../core/sim';
import { CubeTask, gripperObstacle, seededScene } from '../core/scene';
import { DEFAULT_ROBOT_TYPE, ROBOTS } from '../core/robots';
import { motorId, simulatedArmCalibration } from '../core/so100';
import { readCalibrationFile } from '../io/calibration';
import { UserConverter } from '../io/convert';
import { PROTOCOL_ADAPTERS } from '../io/policy/protocolAdapters';
import type { PolicyClient } from '../io/policy/policyClient';
import type { Robot } from '../io/robot/robot';
import { So100Robot, type So100RobotOptions } from '../io/robot/so100Robot';
import { FeetechBus } from '../io/serial/feetechBus';
import { SerialPortTransport } from '../io/serial/serialPortTransport';
import { loadSerialPort } from '../io/serial/serialPortLoader';
import { SimTransport } from '../io/serial/simTransport';
import { InProcessPolicyClient } from '../io/policy/inProcessPolicyClient';
import type { Clock } from '../core/timing/clock';
import { wallClock } from '../io/clock/wallClock';
import { OffThreadConverter } from './offThreadConverter';
import type { EpisodeWorld } from './episodeLoop';
import { isSimulatedArm } from '../core/config';

export interface ConnectedArm {
  readonly robot: Robot;
  /** The in-process simulator, when the arm is simulated. */
  readonly sim?: FeetechBusSim;
  /** "simulated SO-100" or the port path, for messages. */
  readonly label: string;
}

/** Opens the bus, reads the calibration (a real arm needs a saved one: `so100 calibrate`) and connects the arm. */
/**
 * Rejects at once when a real port is configured and the serial driver cannot load on this platform, so a connect
 * fails before it opens anything (the simulated arm needs no driver).
 */
export async function checkArmDriver(robotConfig: RobotConfig): Promise<void> {
  if (!isSimulatedArm(robotConfig)) await loadSerialPort(robotConfig.port);
}

export async function connectArm(
  robotConfig: RobotConfig,
  workspace: string,
  hooks: Pick<So100RobotOptions, 'onServoWarning'> = {},
  clock: Clock = wallClock,
): Promise<ConnectedArm> {
  // The config names no robot type yet: every session drives the registry's default robot.
  const description = ROBOTS[DEFAULT_ROBOT_TYPE];
  const safety = toActionSafetyOptions(robotConfig);
  const common = {
    description,
    bodyMode: safety.bodyMode,
    maxStep: safety.maxStep,
    disableTorqueOnDisconnect: robotConfig.disconnect !== 'hold',
    ...hooks,
  };
  if (isSimulatedArm(robotConfig)) {
    const sim = new FeetechBusSim();
    // Under virtual time the servos move on the virtual clock and answer at once (the clock stands still meanwhile).
    const transport =
      clock.kind === 'virtual'
        ? new SimTransport(sim, { clock: () => clock.now() * 1000, instantReplies: true })
        : new SimTransport(sim);
    const robot = await So100Robot.connect(new FeetechBus(transport), {
      ...common,
      calibration: simulatedArmCalibration(),
    });
    return { robot, sim, label: 'simulated SO-100' };
  }
  const loaded = await readCalibrationFile({
    robotId: description.calibrationIds(robotConfig.id)[description.buses[0]],
    calibrationDir:
      robotConfig.calibrationDir === undefined ? undefined : path.resolve(workspace, robotConfig.calibrationDir),
    env: process.env,
    homeDir: homedir(),
  });
  const transport = await SerialPortTransport.open(robotConfig.port);
  try {
    // One retry per transaction: a USB adapter or a busy machine can miss a 50 ms window now and then.
    const robot = await So100Robot.connect(new FeetechBus(transport, { retries: 1 }), {
      ...common,
      calibration: loaded.calibration,
    });
    return { robot, label: robotConfig.port };
  } catch (err) {
    await transport.close();
    throw err;
  }
}

/** Where to reach `model`: given by the host, or the model's own URL when it is `remote`. */
export function endpointOf(
  config: So100Config,
  model: string,
  endpoints: Readonly<Record<string, RuntimeModelEndpoint>>,
): RuntimeModelEndpoint {
  const given = Object.prototype.hasOwnProperty.call(endpoints, model) ? endpoints[model] : undefined;
  if (given) return given;
  const m = modelNamed(config.models, model);
  if (!m) throw new Error(`no model "${model}"; configured: ${Object.keys(config.models).join(', ')}`);
  if (m.kind === 'remote') {
    if (m.apiKeyEnv) throw new Error(missingApiKeyMessage(model, m.apiKeyEnv, 'cli'));
    return { url: m.url, protocol: m.protocol };
  }
  throw new Error(`model "${model}" has no running server; start it first (the host passes its address)`);
}

/**
 * Under a virtual clock, a built-in openpi model runs in this process on that clock (InProcessPolicyClient); otherwise
 * undefined, and the model is reached over its socket.
 */
export function inProcessClient(config: So100Config, model: string, clock: Clock): PolicyClient | undefined {
  const m = modelNamed(config.models, model);
  if (clock.kind !== 'virtual' || m?.kind !== 'builtin' || m.protocol !== 'openpi') return undefined;
  return new InProcessPolicyClient(model, builtinProfileOf(m), clock, m.policy);
}

export function policyClient(
  name: string,
  endpoint: RuntimeModelEndpoint,
  requestTimeoutMs?: number,
  onWarning?: (message: string) => void,
): PolicyClient {
  if (!/^wss?:\/\//.test(endpoint.url))
    throw new Error(`model "${name}": url must start with ws:// or wss://, got "${endpoint.url}"`);
  if (endpoint.apiKey !== undefined) {
    // Checked before any connection: a key is never sent where it could be read on the way.
    const unsafe = apiKeyTransportProblem(name, endpoint.url);
    if (unsafe) throw new Error(unsafe);
    const wrongProtocol = apiKeyProtocolProblem(endpoint.protocol);
    if (wrongProtocol) throw new Error(`model "${name}": ${wrongProtocol}`);
  }
  // A reconnect happens inside a request: one attempt should not outlast the request itself.
  const options = {
    apiKey: endpoint.apiKey,
    requestTimeoutMs,
    connectTimeoutMs: requestTimeoutMs === undefined ? undefined : Math.min(10_000, requestTimeoutMs),
    onReconnected: onWarning,
  };
  return PROTOCOL_ADAPTERS[endpoint.protocol].client(endpoint.url, options);
}

/** The built-in converter of the layout, or the user's module (compiled, reloaded on change) built on it. */
export async function makeConverter(
  converter: ConverterConfig,
  workspace: string,
): Promise<Converter & Partial<Disposable>> {
  const options = toConverterOptions(converter);
  if (!converter.module) return new OffThreadConverter(converter.layout, options);
  return UserConverter.load(path.resolve(workspace, converter.module), {
    layout: converter.layout,
    converterOptions: options,
  });
}

/** A fresh cube task for the configured scene: the classic one, or the seed's varied scene. */
export function sceneTask(robot: Pick<RobotConfig, 'seed' | 'scene'>): CubeTask {
  return robot.scene === 'varied'
    ? new CubeTask({ scene: seededScene(robot.seed) })
    : new CubeTask({ seed: robot.seed });
}

/**
 * On the in-process simulator the gripper servo stalls on the cube between its jaws: the stall follows `scene`. A new
 * scene has no cube there, so it frees the gripper (else a reset after a grasp could never close it to the start pose).
 */
export function placeGripperObstacle(scene: CubeTask, arm: ConnectedArm): void {
  const gripper = arm.sim?.servo(motorId('gripper'));
  if (gripper) gripper.obstacle = gripperObstacle(scene, arm.robot.calibration);
}

/** The scene as the episode's world; on the in-process simulator the gripper servo also stalls on the cube. */
export function sceneWorld(scene: CubeTask, arm: ConnectedArm): EpisodeWorld {
  if (!arm.sim) return scene;
  return {
    step(joints, dtMs) {
      scene.step(joints, dtMs);
      placeGripperObstacle(scene, arm);
    },
    get succeeded() {
      return scene.succeeded;
    },
    get reason() {
      return scene.reason;
    },
  };
}
