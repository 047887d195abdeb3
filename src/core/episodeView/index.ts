// Public API of the episode viewer's model.
export * from './episodeComparison';
export * from './episodeLabel';
export * from './episodeTimeline';
export * from './replayOverlay';
