// Public API of offline replay planning.
export * from './replayPlan';
