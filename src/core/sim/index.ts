// Public API of the STS3215 servo and bus emulator (pure; the caller supplies time).
export * from './busFaults';
export * from './feetechBusSim';
export * from './goalLog';
export * from './seededRandom';
export * from './servoMotion';
export * from './sts3215Defaults';
export * from './sts3215Servo';
