// `robot.port: "sim"` is the simulated arm rather than a serial port: the one spelling of that rule, for every place
// that asks whether the arm is real (safety checks, clocks, labels, what the side bar says).

/** The `robot.port` value that selects the simulated SO-100. */
export const SIMULATED_ARM_PORT = 'sim';

/** Whether a config's robot is the simulated arm. */
export function isSimulatedArm(robot: { readonly port: string }): boolean {
  return robot.port === SIMULATED_ARM_PORT;
}
