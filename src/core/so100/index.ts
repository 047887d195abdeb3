// Public API of the SO-100 robot logic: motors, LeRobot calibration, normalisation, safety, calibration flow.
export * from './busCommand';
export * from './calibration';
export * from './calibrationProcedure';
export * from './calibrationView';
export * from './farTargets';
export * from './motors';
export * from './normalization';
export * from './rangeSweep';
export * from './safety';
export * from './servoFaults';
export * from './simulatedArm';
