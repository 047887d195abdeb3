export * from './wilsonInterval';
export * from './pairedComparison';
export * from './campaignPlan';
export * from './campaignSummary';
export * from './campaignShard';
export * from './clockChoice';
export * from './evaluationReport';
