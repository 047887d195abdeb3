// Public API of the Feetech STS protocol layer.
export * from './controlTable';
export * from './errorBits';
export * from './feetechErrors';
export * from './instructionParser';
export * from './packet';
export { type FrameVisitor, type ParserCounters } from './packetFramer';
export * from './registerCodec';
export * from './signMagnitude';
export * from './statusParser';
