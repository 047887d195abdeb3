// The fault suite's common ground: a real episode through the RuntimeSession (simulated arm, real sockets), and the
// three checks every case makes: the user was told the cause; no unsafe goal reached the servos (the simulator's
// own log, not the host's account); the record on disk is whole up to the fault and reads back.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig, type So100Config } from '../../src/core/config';
import type {
  EpisodeSummary,
  RuntimeEventName,
  RuntimeEvents,
  RuntimeModelEndpoint,
  TickTelemetry,
} from '../../src/core/rpc';
import {
  SO100_MOTORS,
  motorId,
  simulatedArmCalibration,
  DEFAULT_BODY_MAX_STEP_DEGREES,
  DEFAULT_GRIPPER_MAX_STEP_PERCENT,
  type So100Calibration,
} from '../../src/core/so100';
import { FeetechBusSim, type GoalWrite } from '../../src/core/sim';
import { writeCalibrationFile } from '../../src/io/calibration';
import { readEpisodeRecord, type EpisodeRecord } from '../../src/io/recording/episodeReader';
import { SimPty } from '../../src/io/serial/simPty';
import { RuntimeSession } from '../../src/runtime/runtimeSession';

/** Every event the session sends, kept for the assertions. */
export class EventLog {
  readonly warnings: string[] = [];
  readonly ticks: TickTelemetry[] = [];
  readonly phases: string[] = [];
  readonly ended: EpisodeSummary[] = [];
  emit<E extends RuntimeEventName>(event: E, data: RuntimeEvents[E]): void {
    if (event === 'warning') this.warnings.push((data as RuntimeEvents['warning']).message);
    else if (event === 'tick') this.ticks.push(data as TickTelemetry);
    else if (event === 'state') this.phases.push((data as RuntimeEvents['state']).phase);
    else if (event === 'episodeEnded') this.ended.push(data as EpisodeSummary);
  }
  frameFps(): number {
    return 0;
  }
  /** Waits until a tick has executed a policy action (the first chunk arrived and was used). */
  async actionExecuted(timeoutMs = 20_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!this.ticks.some((t) => !t.starved)) {
      if (Date.now() > until)
        throw new Error(
          `no policy action executed in ${timeoutMs} ms (${this.ticks.length} ticks); warnings: ${this.warnings.join(' | ')}`,
        );
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Waits until `n` ticks have been reported (or throws after `timeoutMs`, or once an episode ends during the wait). */
  async ticksReached(n: number, timeoutMs = 20_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    const endedBefore = this.ended.length;
    while (this.ticks.length < n) {
      if (this.ended.length > endedBefore) throw new EpisodeEndedEarlyError(this.ended.at(-1)!, n);
      if (Date.now() > until)
        throw new Error(
          `only ${this.ticks.length} of ${n} ticks in ${timeoutMs} ms; warnings: ${this.warnings.join(' | ')}`,
        );
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

/** The episode ended before the tick a case waited for (the fault was not injected yet). */
export class EpisodeEndedEarlyError extends Error {
  override readonly name = 'EpisodeEndedEarlyError';
  constructor(
    readonly summary: EpisodeSummary,
    wanted: number,
  ) {
    super(`the episode ended after ${summary.steps} of the ${wanted} ticks waited for: ${summary.reason}`);
  }
}

/** A servo missed its reply window (the bus's 50 ms): on a loaded shared machine a pty and its simulator can stall. */
export function isMissedWindow(err: unknown): boolean {
  const message =
    err instanceof EpisodeEndedEarlyError ? err.summary.reason : err instanceof Error ? err.message : String(err);
  return /did not answer|no answer from servo/.test(message);
}

/**
 * Runs a pty case again (up to 5 attempts) when a servo missed its reply window before the fault was injected — while
 * connecting or early in the episode. Only for cases whose fault comes later; any other error, or a fifth miss, is thrown.
 */
export async function retryMissedWindows<T>(attemptCase: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await attemptCase();
    } catch (err) {
      if (attempt >= 5 || !isMissedWindow(err)) throw err;
    }
  }
}

export interface FaultRig {
  readonly session: RuntimeSession;
  readonly events: EventLog;
  readonly workspace: string;
  readonly config: So100Config;
  /** Ends the session and removes the workspace. */
  close(): Promise<void>;
}

/** so100.json text → config; the fault cases write their config as plain objects. */
export function faultConfig(json: Record<string, unknown>): So100Config {
  const { config, problems } = parseConfig(
    JSON.stringify({ fps: 30, maxSteps: 300, record: { frames: 'none' }, ...json }),
  );
  assert.ok(config, JSON.stringify(problems));
  return config;
}

/** A connected session in a fresh workspace (record under <workspace>/.so100/episodes unless the config says). */
export async function connectRig(
  config: So100Config,
  endpoints: Record<string, RuntimeModelEndpoint>,
): Promise<FaultRig> {
  const workspace = await mkdtemp(path.join(tmpdir(), 'so100-fault-'));
  const events = new EventLog();
  const session = new RuntimeSession(events, workspace);
  try {
    await session.connect({ config, endpoints });
  } catch (err) {
    await rm(workspace, { recursive: true, force: true });
    throw err;
  }
  return {
    session,
    events,
    workspace,
    config,
    close: async () => {
      await session.disconnect().catch(() => {});
      await rm(workspace, { recursive: true, force: true });
    },
  };
}

/** Check 1: the user was told, in the episode's reason or a warning, something matching `cause`. */
export function assertToldCause(rig: FaultRig, summary: EpisodeSummary | undefined, cause: RegExp): void {
  const said = [summary?.reason ?? '', ...rig.events.warnings];
  assert.ok(
    said.some((s) => cause.test(s)),
    `nothing the user saw matches ${cause}; they saw:\n  ${said.join('\n  ')}`,
  );
}

export interface GoalLimits {
  readonly calibration?: So100Calibration;
  /** Step caps in raw encoder steps, per motor; default: safety's defaults converted independently. */
  readonly capRaw?: Partial<Record<string, number>>;
}

/** The default step caps in raw steps, worked out here rather than by the code under test. */
function defaultCapRaw(calibration: So100Calibration): Record<string, number> {
  const caps: Record<string, number> = {};
  for (const m of SO100_MOTORS) {
    const c = calibration[m];
    caps[m] =
      m === 'gripper'
        ? (DEFAULT_GRIPPER_MAX_STEP_PERCENT / 100) * (c.range_max - c.range_min)
        : (DEFAULT_BODY_MAX_STEP_DEGREES * 4096) / 360;
  }
  return caps;
}

/**
 * Check 2: every goal the simulated servos accepted while torque was on is a whole number, inside the calibrated
 * range, and within the step cap of the position the host last read. One raw step of slack covers rounding.
 */
export function assertSafeGoals(goals: readonly GoalWrite[], limits: GoalLimits = {}): void {
  const calibration = limits.calibration ?? simulatedArmCalibration();
  const caps = { ...defaultCapRaw(calibration), ...limits.capRaw };
  const byId = new Map(SO100_MOTORS.map((m) => [motorId(m), m]));
  for (const g of goals) {
    if (!g.torqueOn) continue;
    const motor = byId.get(g.id);
    assert.ok(motor, `a goal reached unknown servo ${g.id}`);
    const c = calibration[motor];
    assert.ok(Number.isInteger(g.goal), `${motor}: goal ${g.goal} is not a whole step`);
    assert.ok(
      g.goal >= c.range_min - 1 && g.goal <= c.range_max + 1,
      `${motor}: goal ${g.goal} outside the calibrated ${c.range_min}..${c.range_max}`,
    );
    if (g.lastRead !== undefined) {
      const step = Math.abs(g.goal - g.lastRead);
      assert.ok(
        step <= caps[motor]! + 1,
        `${motor}: goal ${g.goal} is ${step} steps from the last read ${g.lastRead}, over the cap ${caps[motor]!.toFixed(1)}`,
      );
    }
  }
}

/** The one episode folder under `root`. */
export async function onlyEpisodeDir(root: string): Promise<string> {
  const entries = await readdir(root);
  assert.equal(entries.length, 1, `one episode folder in ${root}: ${entries.join(', ')}`);
  return path.join(root, entries[0]);
}

/**
 * Check 3: the record reads back whole: a result naming the end, one step row per tick the episode ran (ticks
 * numbered without gaps), timing rows for those ticks.
 */
export async function assertRecordComplete(
  summary: EpisodeSummary,
  expect: { readonly success?: boolean; readonly minSteps?: number } = {},
): Promise<EpisodeRecord> {
  assert.ok(summary.recordDir, 'the episode was recorded');
  const record = await readEpisodeRecord(summary.recordDir);
  assert.ok(record.result, 'episode.json has its result');
  assert.equal(record.result.reason, summary.reason);
  assert.equal(record.result.steps, summary.steps);
  if (expect.success !== undefined) assert.equal(record.result.success, expect.success);
  assert.equal(record.steps.length, summary.steps, 'a row per tick in steps.csv');
  record.steps.forEach((s, i) => assert.equal(s.tick, i, 'ticks numbered without gaps'));
  assert.ok(
    record.timing.length >= summary.steps,
    `timing rows (${record.timing.length}) for every tick (${summary.steps})`,
  );
  if (expect.minSteps !== undefined)
    assert.ok(
      summary.steps >= expect.minSteps,
      `ran ${summary.steps} ticks, at least ${expect.minSteps} expected before the fault`,
    );
  for (const s of record.steps) {
    if (!s.sent) continue;
    for (const m of SO100_MOTORS)
      assert.ok(Number.isFinite(s.sent[m]), `tick ${s.tick}: the record says ${m} was sent ${s.sent[m]}`);
  }
  return record;
}

/** Runs `fn` with a rig and always closes it. */
export async function withRig<T>(
  config: So100Config,
  endpoints: Record<string, RuntimeModelEndpoint>,
  fn: (rig: FaultRig) => Promise<T>,
): Promise<T> {
  const rig = await connectRig(config, endpoints);
  try {
    return await fn(rig);
  } finally {
    await rig.close();
  }
}

/**
 * A starved tick holds: the goal written is the measured position (never a stale action). From tick `from` on,
 * every starved tick that wrote something wrote what it measured; returns how many starved ticks there were.
 */
export function assertHeldWhileStarved(ticks: readonly TickTelemetry[], from = 0): number {
  let starved = 0;
  for (const t of ticks) {
    if (t.index < from || !t.starved) continue;
    starved++;
    if (!t.sent) continue;
    t.sent.forEach((v, i) =>
      assert.ok(
        Math.abs(v - t.measured[i]) < 1e-6,
        `tick ${t.index} was starved but sent ${t.sent} while measuring ${t.measured}`,
      ),
    );
  }
  return starved;
}

/** Starts an episode, runs `during` alongside it (fault switches), and returns its summary. */
export async function runEpisodeWith(
  rig: FaultRig,
  during?: (rig: FaultRig) => Promise<void>,
): Promise<EpisodeSummary> {
  await rig.session.runEpisode();
  const ended = rig.session.episodeEnded()!;
  if (during) {
    try {
      await during(rig);
    } catch (err) {
      await rig.session.stop();
      throw err;
    }
  }
  return ended;
}

/** Why a pty case cannot run here, or false. */
export const socatMissing: string | false =
  spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0
    ? false
    : 'socat is not installed (sudo apt install socat)';

/** A simulated arm behind a real pseudo-terminal (socat), with a saved calibration: a "real" serial arm. */
export interface PtyArm {
  readonly pty: SimPty;
  /** The simulator behind the pty: faults are injected and goals read here. */
  readonly sim: FeetechBusSim;
  /** The device path the host opens. */
  readonly port: string;
  /** `robot` of so100.json for this arm. */
  readonly robot: { readonly port: string; readonly id: string; readonly calibrationDir: string };
  /** Stops socat and removes the folder (safe after the pty was killed). */
  close(): Promise<void>;
}

export async function startPtyArm(sim = new FeetechBusSim()): Promise<PtyArm> {
  const dir = await mkdtemp(path.join(tmpdir(), 'so100-fault-pty-'));
  const id = 'fault_arm';
  await writeCalibrationFile(
    { robotId: id, calibrationDir: dir, env: {}, homeDir: homedir() },
    simulatedArmCalibration(),
  );
  const port = path.join(dir, 'arm');
  let pty: SimPty;
  try {
    pty = await SimPty.start({ path: port, sim });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    pty,
    sim,
    port,
    robot: { port, id, calibrationDir: dir },
    close: async () => {
      await pty.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until `predicate` holds (polling), or throws naming `what` after `timeoutMs`. */
export async function until(what: string, predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Torque_Enable of the six simulated servos, read from the simulator itself. */
export function torqueRegisters(sim: FeetechBusSim): number[] {
  return SO100_MOTORS.map((m) => sim.servo(motorId(m))!.readRegister('Torque_Enable') as number);
}
