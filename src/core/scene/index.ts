// Public API of the simulated SO-100 scene: kinematics, cameras, the cube task and its renderer (all pure).
export * from './armKinematics';
export * from './cameraModel';
export * from './colorBlob';
export * from './cubeTask';
export * from './gripperContact';
export * from './resizeWithPadGeometry';
export * from './sceneRenderer';
export * from './seededScene';
export * from './triangleRaster';
export * from './vec3';
