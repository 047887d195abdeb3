// Moves the arm to a pose slowly: each tick the goal steps at most a little toward the pose, so a reset never
// swings the arm at the policy's speed. Every goal still goes through the robot's safety gate.
import { perMotorOf, type MotorRecord } from '../core/robots';
import type { Clock } from '../core/timing/clock';
import type { Robot } from '../io/robot/robot';
import { wallClock } from '../io/clock/wallClock';

export interface GlideOptions {
  readonly fps: number;
  /** Largest step per tick for the body joints, in their units (default 1.5: 45°/s at 30 fps in degrees mode). */
  readonly bodyStep?: number;
  /** Largest step per tick for the gripper, 0–100 (default 2). */
  readonly gripperStep?: number;
  /** Close enough, in joint units (default 1). */
  readonly tolerance?: number;
  /** Give up after this many ticks (default 20 s worth). */
  readonly maxTicks?: number;
  readonly signal?: AbortSignal;
  /** The clock ticks are paced on (default: wall time; a virtual clock jumps from tick to tick). */
  readonly clock?: Clock;
}

export interface GlideResult {
  readonly reached: boolean;
  readonly ticks: number;
  /** Largest remaining distance to the pose over all joints. */
  readonly remaining: number;
}

export async function glideTo<M extends string>(
  robot: Robot<M>,
  pose: MotorRecord<M, number>,
  options: GlideOptions,
): Promise<GlideResult> {
  const { description } = robot;
  const periodMs = 1000 / options.fps;
  const bodyStep = options.bodyStep ?? 1.5;
  const gripperStep = options.gripperStep ?? 2;
  const tolerance = options.tolerance ?? 1;
  const maxTicks = options.maxTicks ?? Math.ceil(20 * options.fps);
  const clock = options.clock ?? wallClock;
  let remaining = Infinity;
  for (let tick = 0; tick < maxTicks; tick++) {
    if (options.signal?.aborted) return { reached: false, ticks: tick, remaining };
    const t0 = clock.now();
    const { positions } = await robot.observe();
    // An e-stop may land during the read: its torque-off must be the last word on the bus.
    if (options.signal?.aborted) return { reached: false, ticks: tick, remaining };
    remaining = Math.max(...description.motors.map((m) => Math.abs(pose[m] - positions[m])));
    if (remaining <= tolerance) return { reached: true, ticks: tick, remaining };
    const goal = perMotorOf(description, (m) => {
      const step = description.motor[m].gripper ? gripperStep : bodyStep;
      return positions[m] + Math.max(-step, Math.min(step, pose[m] - positions[m]));
    });
    await robot.act(goal, positions);
    if (clock.kind === 'virtual') await clock.advanceTo(t0 + periodMs);
    else {
      const wait = periodMs - (performance.now() - t0);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }
  return { reached: false, ticks: maxTicks, remaining };
}
