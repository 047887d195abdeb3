// The session's converter: loaded from the config with its compiles reported (`converterCompiled`) at load and after
// every edit, swapped into the running episode when the config names another one, and — when the module the config
// names did not load — kept failed so that no episode starts on a converter the config no longer names.
import type { So100Config } from '../core/config';
import type { Converter } from '../core/convert';
import type { ConverterCompiled } from '../core/rpc';
import { UserConverter, UserConverterError } from '../io/convert';
import type { EpisodeLoop } from './episodeLoop';
import type { RuntimeEventSink } from './runtimeEventSink';
import type { Connection } from './sessionConnection';
import { makeConverter } from './sessionParts';

export type SessionConverterHooks = {
  readonly workspace: string;
  readonly sink: RuntimeEventSink;
  readonly warn: (message: string) => void;
  /** The running episode's loop, if any: a swapped converter reaches it from its next request. */
  readonly runningLoop: () => EpisodeLoop | undefined;
};

export class SessionConverter {
  /** Why the converter module the connection's config names did not load (the previous converter is still in place). */
  private failed: UserConverterError | undefined;

  constructor(private readonly hooks: SessionConverterHooks) {}

  /** makeConverter, reporting a user module's compiles (`converterCompiled`) at load and after every edit. */
  async make(config: So100Config): Promise<Converter & Partial<Disposable>> {
    const { sink, warn } = this.hooks;
    let converter: Converter & Partial<Disposable>;
    try {
      converter = await makeConverter(config.converter, this.hooks.workspace);
    } catch (err) {
      if (err instanceof UserConverterError) sink.emit('converterCompiled', compileFailure(err.file, err));
      throw err;
    }
    if (converter instanceof UserConverter) {
      const uc = converter;
      sink.emit('converterCompiled', { module: uc.name, ok: true, inputs: [...uc.inputs] });
      uc.on('reloaded', (inputs) => sink.emit('converterCompiled', { module: uc.name, ok: true, inputs: [...inputs] }));
      uc.on('compileFailed', (_d, err) => {
        sink.emit('converterCompiled', compileFailure(uc.name, err));
        warn(`${err.message} — the previous version keeps running`);
      });
    }
    return converter;
  }

  /**
   * A converter module the config names but that did not load (an edit of so100.json while connected) is
   * compiled again; still failing, the episode does not start: it would run on a converter the config no longer names.
   */
  async retryFailed(conn: Connection): Promise<void> {
    if (!this.failed) return;
    this.swap(conn, await this.make(conn.config));
    this.failed = undefined;
  }

  /** The config `next` changed the converter: load it; a module that does not load leaves the one in use. */
  async change(conn: Connection, next: So100Config): Promise<void> {
    try {
      this.swap(conn, await this.make(next));
      this.failed = undefined;
    } catch (err) {
      if (!(err instanceof UserConverterError)) throw err;
      // The converter in use stays; no new episode starts on it, since the config names another one.
      this.failed = err;
      this.hooks.warn(
        `${err.message} — ${this.hooks.runningLoop() ? 'the running episode keeps the previous converter; ' : ''}` +
          'no episode starts until the module loads (fix it and save)',
      );
    }
  }

  /** The connection is gone: nothing is left to retry. */
  forget(): void {
    this.failed = undefined;
  }

  private swap(conn: Connection, converter: Converter & Partial<Disposable>): void {
    conn.converter[Symbol.dispose]?.();
    conn.converter = converter;
    this.hooks.runningLoop()?.setConverter(converter); // the next request uses it
  }
}

function compileFailure(module: string, err: UserConverterError): ConverterCompiled {
  const d = err.diagnostic();
  const at = d.line === undefined ? {} : { line: d.line, ...(d.column !== undefined && { column: d.column }) };
  return { module, ok: false, error: { file: d.file, ...at, message: d.message } };
}
