// The one interface the episode runner talks to, whatever protocol the policy server speaks.
import type { ActionChunk } from '../../core/chunking/actionChunk';
import type { WireValue } from '../../core/protocols';
import type { PolicyProtocol } from '../process/serverSpec';

export type { PolicyProtocol };

/** An observation as it goes on the wire: str keys, ndarrays, strings, nested maps. */
export type PolicyObservation = { [key: string]: WireValue };

/** Where the time of one request went, as seen by the client (ms). */
export interface ClientTiming {
  readonly encodeMs: number;
  /** From handing the frame to the socket to the first reply byte. */
  readonly sendToFirstByteMs: number;
  readonly decodeMs: number;
  readonly totalMs: number;
  /** sendToFirstByte − server infer time, when the server reports it. */
  readonly networkMs?: number;
}

export interface PolicyResult {
  /** Always a chunk (horizon, dims); a one-step server gives a chunk of one. */
  readonly actions: ActionChunk;
  /** openpi `server_timing`: infer_ms (recv→send inside the server), prev_total_ms from the 2nd request on. */
  readonly serverTiming?: { readonly inferMs: number; readonly prevTotalMs?: number };
  /** openpi `policy_timing`: the model's forward time. */
  readonly policyTiming?: { readonly inferMs: number };
  readonly clientTiming: ClientTiming;
  /** The whole decoded reply, for the inspector. */
  readonly raw: { readonly [key: string]: WireValue };
}

export interface InferOptions {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface PolicyClient extends AsyncDisposable {
  readonly protocol: PolicyProtocol;
  /** ws:// URL of the server. */
  readonly url: string;
  /** openpi's metadata frame (empty for protocols without one); undefined before the first connect. */
  readonly metadata: { readonly [key: string]: WireValue } | undefined;
  readonly connected: boolean;
  /** Opens the connection (with backoff); infer() does this by itself when needed. */
  connect(signal?: AbortSignal): Promise<void>;
  infer(observation: PolicyObservation, options?: InferOptions): Promise<PolicyResult>;
  /** Starts a fresh episode on the policy side (awesome-lerobot: `reset`; openpi: a fresh connection). */
  reset(signal?: AbortSignal): Promise<void>;
  /** True when the server answers its health check (openpi /healthz, awesome-lerobot ping). */
  healthy(signal?: AbortSignal): Promise<boolean>;
  close(): Promise<void>;
}
