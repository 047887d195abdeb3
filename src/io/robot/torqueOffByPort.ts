// The last resort when the process driving an arm is gone (a crashed runtime): open the port afresh and turn the
// torque off on every SO-100 servo, without the handshake, calibration or configure() a normal connect does.
import { SO100_MOTORS, motorId, type MotorName } from '../../core/so100';
import { FeetechBus } from '../serial/feetechBus';
import { SerialPortTransport } from '../serial/serialPortTransport';

export interface TorqueOffOutcome {
  /** Servos that never confirmed Torque_Enable = 0. */
  readonly failed: readonly MotorName[];
}

/**
 * Torque off on ids 1–6 through `port`, 5 retries each (like LeRobot's disconnect). Rejects with the port's typed
 * error when it cannot be opened (unplugged, still held by a dying process) — the caller must then tell the user.
 */
export async function torqueOffByPort(port: string): Promise<TorqueOffOutcome> {
  const bus = new FeetechBus(await SerialPortTransport.open(port));
  const failed: MotorName[] = [];
  try {
    for (const m of SO100_MOTORS) {
      try {
        await bus.write(motorId(m), 'Torque_Enable', 0, { retries: 5 });
      } catch {
        failed.push(m);
      }
    }
  } finally {
    await bus.close();
  }
  return { failed };
}
