// The robot-side observation the converters read: LeRobot's `<motor>.pos` values, camera frames and the task.
import type { MotorRecord } from '../robots';
import { SO100_MOTORS, positionKey, type MotorName } from '../so100/motors';
import { ConverterError } from './converterError';

/**
 * One RGB camera frame, rows top to bottom, pixels as R,G,B bytes (HWC, what ffmpeg's rgb24 gives).
 * A plain record rather than an NdArray: frames arrive at 30 Hz from the camera adapters, which may hand
 * out views of their own buffers; named width/height avoid H/W mix-ups, and no copy or dtype check is paid
 * until the converter writes the policy's (fresh) arrays.
 */
export interface RgbFrame {
  readonly width: number;
  readonly height: number;
  /** width × height × 3 bytes. */
  readonly data: Uint8Array;
}

/** What the robot reports each tick, in LeRobot's terms; `M` are its motor names (the SO-100's by default). */
export interface LeRobotObservation<M extends string = MotorName> {
  /** Joint positions in the robot's normalised units (degrees or ±100 for body joints; gripper 0–100, 0 = closed). */
  readonly positions: MotorRecord<M, number>;
  /** Frames by camera name (`front`, `wrist`, …, as the robot config names them). */
  readonly images: Readonly<Record<string, RgbFrame>>;
  /** Natural-language task; empty when none is set. */
  readonly task: string;
}

/** Checks that a frame's byte count matches its size; `camera` names it in the error. */
export function checkRgbFrame(frame: RgbFrame, camera: string): void {
  const { width, height, data } = frame;
  const dimsOk = Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0;
  if (!dimsOk || !(data instanceof Uint8Array) || data.length !== width * height * 3) {
    const actual = data instanceof Uint8Array ? `${data.length} bytes for ${width}×${height}` : `a ${typeof data}`;
    throw new ConverterError(
      `camera '${camera}'`,
      `an RGB frame of width × height × 3 bytes (width, height ≥ 1)`,
      actual,
      "Check the camera's pixel format (rgb24) and resolution settings",
    );
  }
}

/** Checks every position is a finite number and every frame is well formed (names the key at fault). */
export function checkObservation(obs: LeRobotObservation): void {
  for (const m of SO100_MOTORS) {
    const v: unknown = obs.positions?.[m];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ConverterError(
        positionKey(m),
        'a finite number',
        String(v),
        'Check the joint reading and the calibration file',
      );
    }
  }
  for (const [name, frame] of Object.entries(obs.images ?? {})) checkRgbFrame(frame, name);
  if (typeof obs.task !== 'string') throw new ConverterError('task', 'a string', typeof obs.task);
}
