// A bimanual SO-100 as LeRobot's bi_so100_follower: two arms on two buses, keys `left_…` / `right_…`, calibration
// files `<id>_left.json` / `<id>_right.json`. Not registered in ROBOTS: tests use it to show that safety,
// normalisation and the episode loop need only a description.
import { describeRobot, perMotorOf, so100ArmMotors } from '../../src/core/robots';
import { simulatedArmCalibration, type MotorCalibration, type RobotCalibration } from '../../src/core/so100';

export const BIMANUAL = describeRobot({
  type: 'bi_so100_follower',
  label: 'bimanual SO-100',
  buses: ['left', 'right'],
  motors: [...so100ArmMotors('left_', 'left'), ...so100ArmMotors('right_', 'right')],
  calibrationIds: (id) => ({ left: `${id}_left`, right: `${id}_right` }),
});
export type BimanualMotor = (typeof BIMANUAL.motors)[number];

/** Each arm's calibration is the one-arm file under its prefix (what the two LeRobot files hold). */
export function bimanualCalibration(): RobotCalibration<BimanualMotor> {
  const arm = simulatedArmCalibration();
  return perMotorOf(BIMANUAL, (m): MotorCalibration => arm[BIMANUAL.motor[m].calibrationName as keyof typeof arm]);
}
