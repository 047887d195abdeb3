// Public API of the robot descriptions: what a robot is, the registry, and the SO-100 follower.
export * from './robotDescription';
export * from './robotMotors';
export * from './robotRegistry';
export * from './so100Follower';
