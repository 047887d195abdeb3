// Failures of a user's converter module: each names the user's file (and line and column when known).

/** A place in the user's source; line and column are 1-based, as editors show them. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** Why a converter module could not be compiled or loaded; what a diagnostic in the editor shows. */
export interface CompileDiagnostic extends Partial<SourceLocation> {
  readonly file: string;
  readonly message: string;
}

export type UserConverterStage = 'missing' | 'compile' | 'load' | 'exports' | 'toPolicy' | 'fromPolicy';

function where(file: string, location: SourceLocation | undefined): string {
  return location ? `${location.file}:${location.line}:${location.column}` : file;
}

/** The user's converter failed: missing, not compiling, wrong exports, or it threw / returned a bad value. */
export class UserConverterError extends Error {
  override readonly name = 'UserConverterError';
  /** The converter module (config `converter.module`). */
  readonly file: string;
  readonly stage: UserConverterStage;
  /** Where in the user's code it happened, mapped back through the source map; absent when unknown. */
  readonly location: SourceLocation | undefined;

  constructor(stage: UserConverterStage, file: string, detail: string, location?: SourceLocation, cause?: unknown) {
    super(`converter module ${where(file, location)}: ${detail}`, cause === undefined ? undefined : { cause });
    this.stage = stage;
    this.file = file;
    this.location = location;
  }

  /** The error as an editor diagnostic. */
  diagnostic(): CompileDiagnostic {
    return { message: this.message, ...(this.location ?? {}), file: this.location?.file ?? this.file };
  }
}
