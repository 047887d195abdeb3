// The built-in policy in the runtime's own process, for virtual time: the observation is encoded and the reply decoded
// with the openpi msgpack-numpy codec exactly as over a socket (the protocol stays exercised), but the bytes go
// through no socket, and the wire time and the profile's inference latency pass on the episode's clock instead of
// being slept. With a wall clock it would only be slower than the server; the session uses it with a virtual clock.
import { Float64Value } from '../../core/ndarray';
import { PolicyFrameEncoder, decodePolicyFrame, encodePolicyFrame, type WireValue } from '../../core/protocols';
import type { ModelProfile } from '../../core/policy/modelProfiles';
import { noPolicyFaults } from '../../core/policy/policyServerFaults';
import type { BuiltinPolicyName } from '../../core/policy/holdPolicy';
import type { Clock } from '../../core/timing/clock';
import { actionsWithFaults } from './builtinServer/faultyReplies';
import { observationState } from './builtinServer/observationState';
import { ServerPolicy } from './builtinServer/serverPolicy';
import { readActions } from './openPiClient';
import type { PolicyClient, PolicyObservation, PolicyResult } from './policyClient';
import { isPlainMap } from './requestReplyClient';

/** Simulated loopback: 1 Gbit/s, so an observation with two 224² images spends about 2.4 ms on the wire. */
export const SIMULATED_WIRE_BYTES_PER_MS = 125_000;

export class InProcessPolicyClient implements PolicyClient {
  readonly protocol = 'openpi' as const;
  readonly url: string;
  private readonly encoder = new PolicyFrameEncoder();
  private policy: ServerPolicy;
  private busy = false;
  private closed = false;
  private meta: { readonly [key: string]: WireValue } | undefined;
  private prevTotalMs: number | undefined;

  constructor(
    readonly name: string,
    private readonly profile: ModelProfile,
    private readonly clock: Clock,
    private readonly policyName: BuiltinPolicyName = 'demo',
  ) {
    this.url = `in-process:${name}`;
    this.policy = new ServerPolicy(profile.horizon, profile.actionDim, policyName);
  }

  get metadata(): { readonly [key: string]: WireValue } | undefined {
    return this.meta;
  }

  get connected(): boolean {
    return this.meta !== undefined && !this.closed;
  }

  connect(): Promise<void> {
    this.closed = false;
    // The metadata frame a built-in server sends first, through the codec like everything else.
    const meta = decodePolicyFrame(
      encodePolicyFrame({
        server: 'so100-policy-lab builtin (in-process)',
        model: this.profile.name,
        action_horizon: this.profile.horizon,
        action_dim: this.profile.actionDim,
      }),
    );
    this.meta = isPlainMap(meta) ? meta : {};
    return Promise.resolve();
  }

  async infer(observation: PolicyObservation): Promise<PolicyResult> {
    if (this.busy) throw new Error(`${this.url}: a request is already in flight (one request at a time)`);
    if (!this.connected) await this.connect();
    this.busy = true;
    try {
      const requestedAt = this.clock.now();
      const w0 = performance.now();
      const request = this.encoder.encode(observation);
      const w1 = performance.now();
      // The server's side: decode, plan, encode the reply.
      const obs = decodePolicyFrame(request);
      const values = this.policy.plan(obs, observationState(obs));
      const p = this.profile;
      const inferMs = p.latencyMs;
      const serverTiming: { [key: string]: WireValue } = { infer_ms: new Float64Value(inferMs) };
      if (this.prevTotalMs !== undefined) serverTiming.prev_total_ms = new Float64Value(this.prevTotalMs);
      const reply = encodePolicyFrame({
        actions: actionsWithFaults(values, p.horizon, p.actionDim, p.dtype, noPolicyFaults()),
        policy_timing: { infer_ms: new Float64Value(inferMs) },
        server_timing: serverTiming,
      });
      const wireMs = (request.length + reply.length) / SIMULATED_WIRE_BYTES_PER_MS;
      await this.clock.delay(wireMs + inferMs);
      if (this.closed) throw new Error(`${this.url}: closed while a request was in flight`);
      const w2 = performance.now();
      const decoded = decodePolicyFrame(reply);
      if (!isPlainMap(decoded)) throw new Error(`${this.url}: the reply is not a map`);
      const actions = readActions(decoded, 'actions', this.url);
      const w3 = performance.now();
      const totalMs = this.clock.now() - requestedAt;
      this.prevTotalMs = inferMs;
      return {
        actions,
        serverTiming: { inferMs, prevTotalMs: this.prevTotalMs },
        policyTiming: { inferMs },
        clientTiming: {
          encodeMs: w1 - w0,
          sendToFirstByteMs: totalMs,
          decodeMs: w3 - w2,
          totalMs,
          networkMs: wireMs,
        },
        raw: decoded,
      };
    } finally {
      this.busy = false;
    }
  }

  /** A fresh episode: a fresh policy, as the new connection openpi's reset makes gets from the built-in server. */
  reset(): Promise<void> {
    this.policy = new ServerPolicy(this.profile.horizon, this.profile.actionDim, this.policyName);
    this.prevTotalMs = undefined;
    return Promise.resolve();
  }

  healthy(): Promise<boolean> {
    return Promise.resolve(!this.closed);
  }

  close(): Promise<void> {
    this.closed = true;
    this.meta = undefined;
    return Promise.resolve();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
