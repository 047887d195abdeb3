// Messages between the runtime and its converter thread (convertWorker.ts): one request per policy request.
import type { ConverterOptions, RgbFrame } from '../core/convert';
import type { PackedWireValue } from '../core/convert/policyInputTransfer';
import type { PerMotor } from '../core/so100';

/** Sent once, as workerData: the built-in layout the thread converts for. */
export interface ConvertWorkerSetup {
  readonly layout: string;
  readonly options: ConverterOptions;
}

export interface ConvertRequest {
  readonly id: number;
  readonly positions: PerMotor<number>;
  /** Copies of the camera frames, transferred (the camera rig keeps reusing its own buffers). */
  readonly images: Readonly<Record<string, RgbFrame>>;
  readonly task: string;
}

/** `frames`: the request's frame buffers, handed back for the next request (no allocation per request). */
export type ConvertReply = { readonly id: number; readonly frames: readonly ArrayBuffer[] } & (
  | {
      readonly ok: true;
      readonly input: { [key: string]: PackedWireValue };
      readonly warnings: readonly string[];
      readonly ms: number;
    }
  | { readonly ok: false; readonly name: string; readonly message: string }
);
