// STS3215 control table as data (LeRobot STS_SMS_SERIES_CONTROL_TABLE names; reference §2).
import { UnknownRegisterError } from './feetechErrors';

/** Model number reported at address 3–4 by an STS3215 (bytes 09 03). */
export const STS3215_MODEL_NUMBER = 777;
/** Steps per revolution of the single-turn encoder reading. */
export const STS3215_RESOLUTION = 4096;

export type RegisterAccess = 'RO' | 'RW';
/** Where a register lives: EEPROM survives a power cycle (when Lock = 0 at write time), SRAM does not. */
export type RegisterArea = 'eeprom' | 'sram';

export interface RegisterSpec {
  readonly name: RegisterName;
  readonly address: number;
  readonly size: 1 | 2;
  readonly access: RegisterAccess;
  readonly area: RegisterArea;
  /** Sign bit for sign-magnitude registers; absent for unsigned ones. */
  readonly signBit?: number;
}

// [name, address, size, access, area, signBit?]
const TABLE = [
  ['Firmware_Major_Version', 0, 1, 'RO', 'eeprom'],
  ['Firmware_Minor_Version', 1, 1, 'RO', 'eeprom'],
  ['Model_Number', 3, 2, 'RO', 'eeprom'],
  ['ID', 5, 1, 'RW', 'eeprom'],
  ['Baud_Rate', 6, 1, 'RW', 'eeprom'],
  ['Return_Delay_Time', 7, 1, 'RW', 'eeprom'],
  ['Response_Status_Level', 8, 1, 'RW', 'eeprom'],
  ['Min_Position_Limit', 9, 2, 'RW', 'eeprom'],
  ['Max_Position_Limit', 11, 2, 'RW', 'eeprom'],
  ['Max_Temperature_Limit', 13, 1, 'RW', 'eeprom'],
  ['Max_Voltage_Limit', 14, 1, 'RW', 'eeprom'],
  ['Min_Voltage_Limit', 15, 1, 'RW', 'eeprom'],
  ['Max_Torque_Limit', 16, 2, 'RW', 'eeprom'],
  ['Phase', 18, 1, 'RW', 'eeprom'],
  ['Unloading_Condition', 19, 1, 'RW', 'eeprom'],
  ['LED_Alarm_Condition', 20, 1, 'RW', 'eeprom'],
  ['P_Coefficient', 21, 1, 'RW', 'eeprom'],
  ['D_Coefficient', 22, 1, 'RW', 'eeprom'],
  ['I_Coefficient', 23, 1, 'RW', 'eeprom'],
  ['Minimum_Startup_Force', 24, 2, 'RW', 'eeprom'],
  ['CW_Dead_Zone', 26, 1, 'RW', 'eeprom'],
  ['CCW_Dead_Zone', 27, 1, 'RW', 'eeprom'],
  ['Protection_Current', 28, 2, 'RW', 'eeprom'],
  ['Angular_Resolution', 30, 1, 'RW', 'eeprom'],
  ['Homing_Offset', 31, 2, 'RW', 'eeprom', 11],
  ['Operating_Mode', 33, 1, 'RW', 'eeprom'],
  ['Protective_Torque', 34, 1, 'RW', 'eeprom'],
  ['Protection_Time', 35, 1, 'RW', 'eeprom'],
  ['Overload_Torque', 36, 1, 'RW', 'eeprom'],
  ['Velocity_closed_loop_P_proportional_coefficient', 37, 1, 'RW', 'eeprom'],
  ['Over_Current_Protection_Time', 38, 1, 'RW', 'eeprom'],
  ['Velocity_closed_loop_I_integral_coefficient', 39, 1, 'RW', 'eeprom'],
  ['Torque_Enable', 40, 1, 'RW', 'sram'],
  ['Acceleration', 41, 1, 'RW', 'sram'],
  ['Goal_Position', 42, 2, 'RW', 'sram', 15],
  ['Goal_Time', 44, 2, 'RW', 'sram'],
  ['Goal_Velocity', 46, 2, 'RW', 'sram', 15],
  ['Torque_Limit', 48, 2, 'RW', 'sram'],
  ['Lock', 55, 1, 'RW', 'sram'],
  ['Present_Position', 56, 2, 'RO', 'sram', 15],
  ['Present_Velocity', 58, 2, 'RO', 'sram', 15],
  ['Present_Load', 60, 2, 'RO', 'sram', 10],
  ['Present_Voltage', 62, 1, 'RO', 'sram'],
  ['Present_Temperature', 63, 1, 'RO', 'sram'],
  ['Status', 65, 1, 'RO', 'sram'],
  ['Moving', 66, 1, 'RO', 'sram'],
  ['Present_Current', 69, 2, 'RO', 'sram'],
  ['Goal_Position_2', 71, 2, 'RO', 'sram'],
  // Factory area. The Vassar doc calls it read-only, but LeRobot writes Maximum_Acceleration = 254 and a
  // real bus accepts it, so it is RW here; it is kept with EEPROM (not verified on hardware).
  ['Moving_Velocity_Threshold', 80, 1, 'RW', 'eeprom'],
  ['DTs', 81, 1, 'RW', 'eeprom'],
  ['Velocity_Unit_factor', 82, 1, 'RW', 'eeprom'],
  ['Hts', 83, 1, 'RW', 'eeprom'],
  ['Maximum_Velocity_Limit', 84, 1, 'RW', 'eeprom'],
  ['Maximum_Acceleration', 85, 1, 'RW', 'eeprom'],
  ['Acceleration_Multiplier', 86, 1, 'RW', 'eeprom'],
] as const;

export type RegisterName = (typeof TABLE)[number][0];

/** Every STS3215 register, in address order. */
export const STS3215_REGISTERS: readonly RegisterSpec[] = TABLE.map((row) => {
  const [name, address, size, access, area] = row;
  const signBit = row.length > 5 ? ((row as readonly unknown[])[5] as number) : undefined;
  return signBit === undefined ? { name, address, size, access, area } : { name, address, size, access, area, signBit };
});

const BY_NAME = new Map<string, RegisterSpec>(STS3215_REGISTERS.map((r) => [r.name, r]));
const BY_BYTE: (RegisterSpec | undefined)[] = new Array(256).fill(undefined);
for (const r of STS3215_REGISTERS) for (let i = 0; i < r.size; i++) BY_BYTE[r.address + i] = r;

/** The register with this name; throws UnknownRegisterError for a name not in the table. */
export function register(name: string): RegisterSpec {
  const spec = BY_NAME.get(name);
  if (!spec) throw new UnknownRegisterError(name);
  return spec;
}

/** Whether a string names an STS3215 register. */
export function isRegisterName(name: string): name is RegisterName {
  return BY_NAME.has(name);
}

/** The register that covers this byte address (any of its bytes), or undefined for a gap. */
export function registerCovering(address: number): RegisterSpec | undefined {
  return BY_BYTE[address];
}

/** Addresses below this are EEPROM (0–39) or the factory area (80+); 40–79 is SRAM. */
export function isEepromAddress(address: number): boolean {
  return address < 40 || address >= 80;
}
