// The built-in server's openpi session: metadata frame first, then strictly observation → result, the traceback as
// a text frame and close 1011 on errors (openpi's own contract).
import type { WebSocket } from 'ws';
import { Float64Value } from '../../../core/ndarray';
import { decodePolicyFrame, encodePolicyFrame, type WireValue } from '../../../core/protocols';
import type { BuiltinPolicyServer } from './builtinPolicyServer';
import { CLOSE_REASON_1011, InjectedTraceback, type BuiltinSession } from './builtinSession';
import { FAULT_TRACEBACK, GARBAGE_REPLY, actionsWithFaults } from './faultyReplies';
import { observationState } from './observationState';
import { ServerPolicy } from './serverPolicy';

/** openpi: metadata frame first, then strictly observation → result. */
export class OpenPiSession implements BuiltinSession {
  private readonly policy: ServerPolicy;
  private prevTotalMs: number | undefined;

  constructor(
    private readonly server: BuiltinPolicyServer,
    private readonly ws: WebSocket,
  ) {
    const p = server.currentProfile;
    this.policy = new ServerPolicy(p.horizon, p.actionDim, server.policyName);
  }

  open(): void {
    if (this.server.faults.skipMetadata) return;
    const p = this.server.currentProfile;
    // Real servers send train_config.policy_metadata or {}; ours says what it is.
    this.ws.send(
      encodePolicyFrame({
        server: 'so100-policy-lab builtin',
        model: p.name,
        action_horizon: p.horizon,
        action_dim: p.actionDim,
      }),
    );
  }

  async handle(data: Uint8Array, isBinary: boolean, received: number): Promise<void> {
    try {
      if (!isBinary)
        throw new TypeError('expected a binary msgpack frame, got a text frame (the openpi protocol is msgpack only)');
      this.server.noteRequest();
      const faults = this.server.faults;
      if (faults.hang) return;
      const obs = decodePolicyFrame(data);
      const state = observationState(obs);
      const p = this.server.currentProfile;
      const { values, inferMs } = await this.server.infer(this.policy, obs, state);
      if (this.ws.readyState !== this.ws.OPEN) return;
      if (faults.traceback) throw new InjectedTraceback();
      if (faults.garbage) {
        this.ws.send(GARBAGE_REPLY);
        return;
      }
      const actions = actionsWithFaults(values, p.horizon, p.actionDim, p.dtype, faults);
      const serverTiming: { [key: string]: WireValue } = { infer_ms: new Float64Value(performance.now() - received) };
      if (this.prevTotalMs !== undefined) serverTiming.prev_total_ms = new Float64Value(this.prevTotalMs);
      this.ws.send(
        encodePolicyFrame({
          actions,
          policy_timing: { infer_ms: new Float64Value(inferMs) },
          server_timing: serverTiming,
        }),
      );
      this.prevTotalMs = performance.now() - received;
    } catch (err) {
      // openpi's contract: the traceback as a text frame, then close 1011.
      const text = err instanceof Error ? `${err.stack ?? err.message}` : String(err);
      this.server.noteError(`request failed: ${err instanceof Error ? err.message : text}`);
      if (this.ws.readyState === this.ws.OPEN) {
        this.ws.send(
          err instanceof InjectedTraceback ? FAULT_TRACEBACK : `Traceback (so100 builtin server):\n${text}\n`,
        );
        this.ws.close(1011, CLOSE_REASON_1011);
      }
    }
  }
}
