// Public API of the calibration-file adapter.
export * from './calibrationStore';
