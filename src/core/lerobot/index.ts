export * from './datasetFeatures';
export * from './featureStats';
export * from './datasetIndex';
