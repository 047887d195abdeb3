// Public API of the host ⇄ runtime channel.
export * from './rpcMessages';
export * from './rpcFrames';
export * from './runtimeProtocol';
export * from './methodPhases';
export * from './commandPhases';
export * from './campaignMethods';
export * from './endedEarly';
