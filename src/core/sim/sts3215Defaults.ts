// Factory memory image of a simulated STS3215. Values are plausible, not read from a real servo unless noted.
import { register, STS3215_MODEL_NUMBER, type RegisterName } from '../feetech/controlTable';
import { writeUintLE } from '../feetech/packet';

/** Firmware version reported by every simulated servo (LeRobot requires all servos to match). */
export const SIM_FIRMWARE = { major: 3, minor: 10 } as const;

/** Phase (18): bit 2 = speed unit ≈ 1 step/s (0.0146 rpm), bit 3 = speed 0 means maximum; bit 4
 * (multi-turn feedback) is CLEAR, so Present_Position stays in 0–4095 as LeRobot and lerobot.js expect. */
export const DEFAULT_PHASE = 0x0c;
/** Phase bit that switches Present_Position to unwrapped multi-turn readings. */
export const PHASE_MULTI_TURN = 0x10;

// Register → factory value. Sources: reference §2 (Return_Delay_Time 250 per LeRobot's comment, Max torque
// 1000, limits 0/4095, Response_Status_Level 1) and the Vassar STS memory table (temperature limit 70,
// min voltage 4.0 V, Lock 1, protection current 511, protective torque 20, protection times 200, overload 80).
const FACTORY: ReadonlyArray<readonly [RegisterName, number]> = [
  ['Firmware_Major_Version', SIM_FIRMWARE.major],
  ['Firmware_Minor_Version', SIM_FIRMWARE.minor],
  ['Model_Number', STS3215_MODEL_NUMBER],
  ['ID', 1],
  ['Baud_Rate', 0],
  ['Return_Delay_Time', 250],
  ['Response_Status_Level', 1],
  ['Min_Position_Limit', 0],
  ['Max_Position_Limit', 4095],
  ['Max_Temperature_Limit', 70],
  ['Max_Voltage_Limit', 140],
  ['Min_Voltage_Limit', 40],
  ['Max_Torque_Limit', 1000],
  ['Phase', DEFAULT_PHASE],
  ['Unloading_Condition', 0x2c],
  ['LED_Alarm_Condition', 0x2f],
  ['P_Coefficient', 32],
  ['D_Coefficient', 32],
  ['I_Coefficient', 0],
  ['Minimum_Startup_Force', 16],
  ['CW_Dead_Zone', 1],
  ['CCW_Dead_Zone', 1],
  ['Protection_Current', 511],
  ['Angular_Resolution', 1],
  ['Homing_Offset', 0],
  ['Operating_Mode', 0],
  ['Protective_Torque', 20],
  ['Protection_Time', 200],
  ['Overload_Torque', 80],
  ['Velocity_closed_loop_P_proportional_coefficient', 10],
  ['Over_Current_Protection_Time', 200],
  ['Velocity_closed_loop_I_integral_coefficient', 200],
  ['Moving_Velocity_Threshold', 2],
  ['DTs', 32],
  ['Velocity_Unit_factor', 1],
  ['Hts', 1],
  ['Maximum_Velocity_Limit', 62], // 0.732 rpm/unit → ≈ 45 rpm, the data-sheet no-load speed
  ['Maximum_Acceleration', 150],
  ['Acceleration_Multiplier', 1],
  // SRAM power-up values; Torque_Limit is copied from Max_Torque_Limit at power-up by the servo itself.
  ['Torque_Enable', 0],
  ['Acceleration', 0],
  ['Goal_Time', 0],
  ['Goal_Velocity', 0],
  ['Lock', 1],
  ['Present_Voltage', 120],
  ['Present_Temperature', 30],
];

/** A fresh 256-byte factory image for a servo with this id. */
export function factoryMemory(id: number): Uint8Array {
  const mem = new Uint8Array(256);
  for (const [name, value] of FACTORY) {
    const spec = register(name);
    mem.set(writeUintLE(value, spec.size), spec.address);
  }
  mem[register('ID').address] = id;
  return mem;
}
