// Opening a session's connection: once a real arm's serial driver is known to load, the converter, the cameras, the
// arm and the active model's client, in that order, each closed again when a later one fails, an emergency stop
// arrives or the user cancels (disconnect).
import path from 'node:path';
import { toBodyJointMode, type So100Config } from '../core/config';
import type { Converter } from '../core/convert';
import type { CubeTask } from '../core/scene';
import type { RuntimeModelEndpoint, RuntimeSetup } from '../core/rpc';
import { SO100_MOTORS, normModeFor, normalizedBounds, type PerMotor, type ServoErrorReport } from '../core/so100';
import type { PolicyClient } from '../io/policy/policyClient';
import { CameraRig } from './cameraRig';
import { LastExchange } from './lastExchange';
import type { Clock } from '../core/timing/clock';
import {
  checkArmDriver,
  connectArm,
  endpointOf,
  inProcessClient,
  policyClient,
  sceneTask,
  type ConnectedArm,
} from './sessionParts';

/** An emergency stop cut a connect or a model swap short; the arm is limp. */
export class EmergencyStopError extends Error {
  override readonly name = 'EmergencyStopError';
}

/** A connect ended by `disconnect` before it finished; everything it had opened is closed again. */
export class ConnectCancelledError extends Error {
  override readonly name = 'ConnectCancelledError';
  constructor() {
    super('connect cancelled; the arm, cameras and policy connection it had opened were closed again');
  }
}

export interface Connection {
  config: So100Config;
  readonly endpoints: Map<string, RuntimeModelEndpoint>;
  readonly recordDir?: string;
  readonly arm: ConnectedArm;
  readonly clients: Map<string, PolicyClient>;
  converter: Converter & Partial<Disposable>;
  readonly cameras: CameraRig;
  /** The simulated scene, when a camera looks at it; it also judges success. */
  scene?: CubeTask;
  /** Where the arm was at connect: reset glides back here. */
  readonly startPose: PerMotor<number>;
  readonly ffmpegPath?: string;
  /** The calibrated range of every joint in its normalised units (the dashboard shades it). */
  readonly jointRanges: readonly { readonly min: number; readonly max: number }[];
  /** The loop's last exchange with the policy, for `inspect` and `runConverter`. */
  readonly exchange: LastExchange;
}

/** A connect in progress: what an e-stop or a cancel (disconnect) needs to reach it. */
export interface ConnectAttempt {
  estopped: boolean;
  readonly abort: AbortController;
  /** Resolves when connect() has returned or thrown, its resources closed. */
  readonly settled: Promise<void>;
  /** Settles `settled`; called once connect() is over. */
  readonly done: () => void;
  armConnect?: Promise<ConnectedArm>;
  arm?: ConnectedArm;
}

export function newConnectAttempt(): ConnectAttempt {
  let done!: () => void;
  const settled = new Promise<void>((r) => {
    done = r;
  });
  return { estopped: false, abort: new AbortController(), settled, done };
}

/** What opening a connection needs from its session. */
export interface ConnectionHooks {
  readonly workspace: string;
  /** Aborted by an emergency stop. */
  readonly estop: AbortSignal;
  readonly warn: (message: string) => void;
  /** The policy connection dropped and came back (default: warn). */
  readonly reconnected?: (message: string) => void;
  readonly onServoWarning: (report: ServoErrorReport) => void;
  /** The converter of the config (built in, or the user's module watched for edits). */
  readonly makeConverter: (config: So100Config) => Promise<Converter & Partial<Disposable>>;
  /** The session's clock: a virtual one puts the simulated arm and the built-in policies on it. */
  readonly clock: Clock;
}

/**
 * Opens everything a session holds. Between stages an e-stop (the arm goes limp) or a cancel ends the attempt; what was
 * opened is closed again and the error says which it was.
 */
export async function openConnection(
  setup: RuntimeSetup,
  attempt: ConnectAttempt,
  hooks: ConnectionHooks,
): Promise<Connection> {
  const { config } = setup;
  const cancel = attempt.abort.signal;
  const check = () => {
    if (attempt.estopped)
      throw new EmergencyStopError('emergency stop during connect: the arm is limp; connect again when ready');
    if (cancel.aborted) throw new ConnectCancelledError();
  };
  let arm: ConnectedArm | undefined;
  let cameras: CameraRig | undefined;
  let converter: (Converter & Partial<Disposable>) | undefined;
  const clients = new Map<string, PolicyClient>();
  try {
    await checkArmDriver(config.robot);
    const endpoints = new Map(Object.entries(setup.endpoints));
    const active =
      inProcessClient(config, config.activeModel, hooks.clock) ??
      policyClient(
        config.activeModel,
        endpointOf(config, config.activeModel, setup.endpoints),
        config.requestTimeoutMs,
        hooks.reconnected ?? hooks.warn,
      );
    clients.set(config.activeModel, active);
    converter = await hooks.makeConverter(config);
    check();
    const scene = sceneTask(config.robot);
    cameras = await CameraRig.open(config.cameras, scene, hooks.warn, undefined, setup.ffmpegPath);
    check();
    attempt.armConnect = connectArm(
      config.robot,
      hooks.workspace,
      { onServoWarning: hooks.onServoWarning },
      hooks.clock,
    );
    arm = attempt.arm = await attempt.armConnect;
    check();
    // The policy server may not answer for a long time (retries with backoff): an e-stop or a cancel ends the wait.
    await active.connect(AbortSignal.any([cancel, hooks.estop])).catch((err: unknown) => {
      check();
      throw err;
    });
    check();
    const startPose = (await arm.robot.observe()).positions;
    const recordDir =
      setup.recordDir ?? (config.record.enabled ? path.resolve(hooks.workspace, config.record.dir) : undefined);
    return {
      config,
      endpoints,
      recordDir,
      arm,
      clients,
      converter,
      cameras,
      scene: cameras.hasSyntheticCameras ? scene : undefined,
      startPose,
      exchange: new LastExchange(),
      jointRanges: jointRanges(arm, config),
      ffmpegPath: setup.ffmpegPath,
    };
  } catch (err) {
    await Promise.allSettled([...clients.values()].map((c) => c.close()));
    converter?.[Symbol.dispose]?.();
    await cameras?.close();
    // Limp after an e-stop even when the config says to hold on disconnect.
    if (attempt.estopped) await arm?.robot.torqueOff().catch(() => undefined);
    await arm?.robot.disconnect().catch(() => {});
    if (attempt.estopped && !(err instanceof EmergencyStopError)) {
      throw new EmergencyStopError(
        `emergency stop during connect: the arm is limp (${err instanceof Error ? err.message : String(err)})`,
        { cause: err },
      );
    }
    throw !attempt.estopped && cancel.aborted ? new ConnectCancelledError() : err;
  }
}

function jointRanges(arm: ConnectedArm, config: So100Config): { min: number; max: number }[] {
  const bodyMode = toBodyJointMode(config.robot.normMode);
  return SO100_MOTORS.map((m) => {
    const { low, high } = normalizedBounds(arm.robot.calibration[m], normModeFor(m, bodyMode));
    return { min: low, max: high };
  });
}
