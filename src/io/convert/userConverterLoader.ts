// A user's converter module as a Converter: compiled on load, recompiled when its files change, errors mapped to the user's source.
import { EventEmitter } from 'node:events';
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import {
  builtinConverter,
  type Converter,
  type ConverterOptions,
  type JointTargets,
  type Layout,
  type LeRobotObservation,
  type PolicyInput,
} from '../../core/convert';
import type { ActionChunk } from '../../core/chunking/actionChunk';
import { compileConverter, type CompiledConverter } from './compileConverter';
import { normaliseFromPolicy, normaliseToPolicy } from './userConverterResults';
import { UserConverterError, type CompileDiagnostic } from './userConverterError';
import { userLocation } from './userStackLocation';

export interface UserConverterOptions {
  /** Config `converter.layout`: the built-in converter handed to the user's functions and used for a missing export. */
  readonly layout: string;
  readonly converterOptions?: ConverterOptions;
  /** Recompile when the module or a file it imports changes (default true). */
  readonly watch?: boolean;
  /** Quiet time after the last change before recompiling, so an editor's burst of writes compiles once (default 100 ms). */
  readonly debounceMs?: number;
}

export interface UserConverterEvents {
  /** A changed module compiled and now serves the next call; `inputs` are the files watched from now on. */
  reloaded: [inputs: readonly string[]];
  /** A changed module did not compile or load; the previous one keeps running. */
  compileFailed: [diagnostic: CompileDiagnostic, error: UserConverterError];
}

/**
 * The converter of config `converter.module`. Create it with `UserConverter.load`; `dispose()` stops watching.
 * Exceptions from the user's functions become UserConverterError naming the user's file, line and column.
 */
export class UserConverter extends EventEmitter<UserConverterEvents> implements Converter, Disposable {
  readonly name: string;
  private readonly builtin: Converter;
  private current: CompiledConverter;
  private readonly watchers = new Map<string, FSWatcher>();
  private watchedFiles = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private compiling: Promise<boolean> | undefined;
  private again = false;
  private disposed = false;

  private constructor(
    file: string,
    builtin: Converter,
    first: CompiledConverter,
    private readonly options: UserConverterOptions,
  ) {
    super();
    this.name = file;
    this.builtin = builtin;
    this.current = first;
  }

  /** Compiles and loads `file`; throws UserConverterError (missing, compile, load, exports) or ConverterError (bad layout). */
  static async load(file: string, options: UserConverterOptions): Promise<UserConverter> {
    const builtin = builtinConverter(options.layout, options.converterOptions);
    const abs = path.resolve(file);
    const uc = new UserConverter(abs, builtin, await compileConverter(abs), options);
    if (options.watch ?? true) uc.watchInputs(uc.current.inputs);
    return uc;
  }

  get layout(): Layout | undefined {
    return this.builtin.layout;
  }

  /** The files of the module now in use (the module and what it imports). */
  get inputs(): readonly string[] {
    return this.current.inputs;
  }

  toPolicy(obs: LeRobotObservation): PolicyInput {
    const { module, inputs, compiledNames } = this.current;
    if (!module.toPolicy) return this.builtin.toPolicy(obs);
    let result: unknown;
    try {
      result = module.toPolicy(obs, this.builtin);
    } catch (e) {
      throw this.thrown('toPolicy', e, inputs, compiledNames);
    }
    return normaliseToPolicy(result, this.name);
  }

  fromPolicy(chunk: ActionChunk): JointTargets {
    const { module, inputs, compiledNames } = this.current;
    if (!module.fromPolicy) return this.builtin.fromPolicy(chunk);
    let result: unknown;
    try {
      result = module.fromPolicy(chunk, this.builtin);
    } catch (e) {
      throw this.thrown('fromPolicy', e, inputs, compiledNames);
    }
    return normaliseFromPolicy(result, this.name);
  }

  /**
   * Recompiles now. Success swaps the module in (event `reloaded`, resolves true); failure keeps the old one
   * (event `compileFailed`, resolves false). Calls made while compiling are folded into one more run.
   */
  reload(): Promise<boolean> {
    if (this.compiling) {
      this.again = true;
      return this.compiling;
    }
    this.compiling = this.compileOnce().finally(() => {
      this.compiling = undefined;
      if (this.again && !this.disposed) {
        this.again = false;
        void this.reload();
      }
    });
    return this.compiling;
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  private async compileOnce(): Promise<boolean> {
    let next: CompiledConverter;
    try {
      next = await compileConverter(this.name);
    } catch (e) {
      const err =
        e instanceof UserConverterError ? e : new UserConverterError('compile', this.name, String(e), undefined, e);
      if (!this.disposed) this.emit('compileFailed', err.diagnostic(), err);
      return false;
    }
    if (this.disposed) return false;
    this.current = next;
    this.watchInputs(next.inputs);
    this.emit('reloaded', next.inputs);
    return true;
  }

  private thrown(
    fn: 'toPolicy' | 'fromPolicy',
    e: unknown,
    inputs: readonly string[],
    compiledNames: readonly string[],
  ): UserConverterError {
    const why = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return new UserConverterError(fn, this.name, `${fn} threw ${why}`, userLocation(e, inputs, compiledNames), e);
  }

  // Directories, not files, are watched: editors often save by writing a new file and renaming it over the
  // old one, which silently ends a watch on the file itself. A failed compile keeps the old set (plus the entry).
  private watchInputs(inputs: readonly string[]): void {
    if (this.disposed || !(this.options.watch ?? true)) return;
    this.watchedFiles = new Set([...inputs, this.name].map((p) => path.resolve(p)));
    const dirs = new Set([...this.watchedFiles].map((p) => path.dirname(p)));
    for (const [dir, w] of this.watchers) {
      if (!dirs.has(dir)) {
        w.close();
        this.watchers.delete(dir);
      }
    }
    for (const dir of dirs) {
      if (this.watchers.has(dir)) continue;
      try {
        const w = watch(dir, { persistent: false }, (_event, name) => {
          // Without a name (some platforms) any change in the folder may be ours.
          if (name === null || this.watchedFiles.has(path.join(dir, name.toString()))) this.schedule();
        });
        w.on('error', () => {
          w.close();
          this.watchers.delete(dir);
        });
        this.watchers.set(dir, w);
      } catch {
        // A folder that vanished cannot be watched; the next successful reload() watches what exists then.
      }
    }
  }

  private schedule(): void {
    if (this.disposed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reload(), this.options.debounceMs ?? 100);
  }
}
