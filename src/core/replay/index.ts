// Public API of offline replay planning.
export * from './replayPlan';
export * from './replayDeviation';
export * from './rowAlignment';
