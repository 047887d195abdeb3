// A built-in converter whose toPolicy runs on a worker thread (convertWorker.ts): resizing two camera frames the
// way Pillow does costs several ms, which on the loop's thread would delay the tick that requests a chunk.
// fromPolicy stays here (a few hundred numbers). If the thread cannot start or dies, conversion falls back to
// this thread with a warning, so an episode never stops for it.
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  builtinConverter,
  type Converter,
  type ConverterOptions,
  type LeRobotObservation,
  type PolicyInput,
  type RgbFrame,
} from '../core/convert';
import { unpackPolicyInput } from '../core/convert/policyInputTransfer';
import type { ConvertReply, ConvertRequest, ConvertWorkerSetup } from './convertWorkerProtocol';

/**
 * Starts the worker beside this module: the bundle's convertWorker.js in dist/; from the .ts sources (tests, tsx),
 * the source through tsx's require hook, which a worker does not inherit from `--import tsx`.
 */
function startWorker(setup: ConvertWorkerSetup): Worker {
  if (!__filename.endsWith('.ts')) return new Worker(path.join(__dirname, 'convertWorker.js'), { workerData: setup });
  const tsx = ['tsx', 'cjs'].join('/'); // built at run time so the bundler leaves it alone
  const code = `require(${JSON.stringify(require.resolve(tsx))}); require(${JSON.stringify(path.join(__dirname, 'convertWorker.ts'))});`;
  return new Worker(code, { eval: true, workerData: setup });
}

/** An error the converter thread threw, with its original name (ConverterError, RangeError …). */
export class ConverterThreadError extends Error {
  constructor(
    readonly originalName: string,
    message: string,
  ) {
    super(message);
    this.name = originalName;
  }
}

export class OffThreadConverter implements Converter, Disposable {
  readonly name: string;
  readonly layout: Converter['layout'];
  private readonly local: Converter;
  private worker: Worker | undefined;
  private readonly pending = new Map<number, { resolve: (r: PolicyInput) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private brokenReason: string | undefined;
  /** Frame buffers the thread handed back, by byte length, for the next request's copies. */
  private readonly spare = new Map<number, ArrayBuffer[]>();
  private fallbackWarned = false;
  /** Time the thread spent on the last conversion, ms (the loop reports its own wall time). */
  lastThreadMs = 0;

  constructor(layoutName: string, options: ConverterOptions = {}) {
    // Built here first: an unknown layout or bad option throws at configuration time, as builtinConverter does.
    this.local = builtinConverter(layoutName, options);
    this.name = this.local.name;
    this.layout = this.local.layout;
    const setup: ConvertWorkerSetup = { layout: layoutName, options };
    try {
      this.worker = startWorker(setup);
    } catch (err) {
      this.brokenReason = `the converter thread did not start (${(err as Error).message})`;
      return;
    }
    this.worker.on('message', (reply: ConvertReply) => this.settle(reply));
    this.worker.on('error', (err) => this.broken(`the converter thread failed (${err.message})`));
    this.worker.on('exit', (code) => this.broken(`the converter thread exited (code ${code})`));
    // Referenced only while a conversion is pending: an idle or forgotten converter must not keep the process alive.
    // (After the listeners: adding one refs the worker again.)
    this.worker.unref();
  }

  /** Converts on this thread: the fallback, and what user modules delegating to the built-in layout call. */
  toPolicy(obs: LeRobotObservation): PolicyInput {
    return this.local.toPolicy(obs);
  }

  fromPolicy(chunk: Parameters<Converter['fromPolicy']>[0]): ReturnType<Converter['fromPolicy']> {
    return this.local.fromPolicy(chunk);
  }

  /** Converts on the thread; the frames are copied first, so the caller may reuse its buffers at once. */
  toPolicyAsync(obs: LeRobotObservation): Promise<PolicyInput> {
    if (this.brokenReason !== undefined || !this.worker) return Promise.resolve(this.fallback(obs));
    const images: Record<string, RgbFrame> = {};
    const transfer: ArrayBuffer[] = [];
    for (const [name, f] of Object.entries(obs.images)) {
      const reused = this.spare.get(f.data.byteLength)?.pop();
      const data = reused ? new Uint8Array(reused) : new Uint8Array(f.data.byteLength);
      data.set(f.data);
      images[name] = { width: f.width, height: f.height, data };
      transfer.push(data.buffer as ArrayBuffer);
    }
    const id = this.nextId++;
    const req: ConvertRequest = { id, positions: obs.positions, images, task: obs.task };
    return new Promise<PolicyInput>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker!.ref();
      this.worker!.postMessage(req, transfer);
    });
  }

  [Symbol.dispose](): void {
    const w = this.worker;
    this.worker = undefined;
    this.broken('the converter was closed');
    void w?.terminate();
  }

  private settle(reply: ConvertReply): void {
    for (const b of reply.frames) {
      const list = this.spare.get(b.byteLength) ?? [];
      if (list.length < 4) list.push(b); // a camera set changing size must not grow this without end
      this.spare.set(b.byteLength, list);
    }
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker?.unref();
    if (!reply.ok) {
      p.reject(new ConverterThreadError(reply.name, reply.message));
      return;
    }
    this.lastThreadMs = reply.ms;
    try {
      p.resolve({ input: unpackPolicyInput(reply.input), warnings: reply.warnings });
    } catch (err) {
      p.reject(err as Error);
    }
  }

  private broken(reason: string): void {
    this.brokenReason ??= reason;
    for (const p of this.pending.values()) p.reject(new Error(`${reason}; the request was not sent`));
    this.pending.clear();
  }

  private fallback(obs: LeRobotObservation): PolicyInput {
    const r = this.local.toPolicy(obs);
    if (this.fallbackWarned || this.brokenReason === 'the converter was closed') return r;
    this.fallbackWarned = true;
    return {
      input: r.input,
      warnings: [...r.warnings, `${this.brokenReason}; converting on the control loop's thread from now on`],
    };
  }
}
