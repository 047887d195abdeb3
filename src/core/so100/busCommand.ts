// Bus operations requested by the pure SO-100 flows (calibration) and performed by the caller's driver.
import type { RegisterName } from '../feetech';
import type { So100Calibration } from './calibration';
import { motorId, SO100_MOTORS, type MotorName } from './motors';

/** Write one register of one servo (the value is the decoded integer; the driver applies sign-magnitude). */
export interface WriteRegisterCommand {
  readonly kind: 'writeRegister';
  readonly motor: MotorName;
  readonly id: number;
  readonly register: RegisterName;
  readonly value: number;
}

/** Sync-read raw Present_Position of all six servos and answer with a `positions` event. */
export interface ReadPositionsCommand {
  readonly kind: 'readPositions';
}

export type BusCommand = WriteRegisterCommand | ReadPositionsCommand;

/** A register write command for a motor. */
export function writeRegister(motor: MotorName, register: RegisterName, value: number): WriteRegisterCommand {
  return { kind: 'writeRegister', motor, id: motorId(motor), register, value };
}

/** LeRobot's disable_torque: Torque_Enable = 0 then Lock = 0 on each motor, so EEPROM writes persist. */
export function torqueOffCommands(): WriteRegisterCommand[] {
  return SO100_MOTORS.flatMap((m) => [writeRegister(m, 'Torque_Enable', 0), writeRegister(m, 'Lock', 0)]);
}

/** LeRobot's write_calibration: per motor Homing_Offset, then Min_Position_Limit, then Max_Position_Limit. */
export function calibrationWriteCommands(cal: So100Calibration): WriteRegisterCommand[] {
  return SO100_MOTORS.flatMap((m) => [
    writeRegister(m, 'Homing_Offset', cal[m].homing_offset),
    writeRegister(m, 'Min_Position_Limit', cal[m].range_min),
    writeRegister(m, 'Max_Position_Limit', cal[m].range_max),
  ]);
}

/**
 * Puts a saved calibration back on the motors. Unlike LeRobot (which writes EEPROM with torque on), torque is
 * disabled first; the caller's configure step re-enables it.
 */
export function restoreCalibrationCommands(cal: So100Calibration): WriteRegisterCommand[] {
  return [...torqueOffCommands(), ...calibrationWriteCommands(cal)];
}
