// Public API of user converter modules (config `converter.module`).
export { UserConverter, type UserConverterOptions, type UserConverterEvents } from './userConverterLoader';
export { compileConverter, type CompiledConverter } from './compileConverter';
export {
  UserConverterError,
  type UserConverterStage,
  type SourceLocation,
  type CompileDiagnostic,
} from './userConverterError';
