// The built-in server's awesome-lerobot session: typed messages; errors are answered, not fatal (see
// docs/ARCHITECTURE.md), and ping lists the optional operations this server offers.
import type { WebSocket } from 'ws';
import { Float64Value } from '../../../core/ndarray';
import { decodeLeRobotMessage, encodePolicyFrame, type LeRobotMessage, type WireValue } from '../../../core/protocols';
import type { BuiltinPolicyServer } from './builtinPolicyServer';
import { CLOSE_REASON_1011, type BuiltinSession } from './builtinSession';
import { FAULT_TRACEBACK, GARBAGE_REPLY, actionsWithFaults } from './faultyReplies';
import { observationState } from './observationState';
import { ServerPolicy } from './serverPolicy';

/** awesome-lerobot: typed messages; one step per select_action from a server-side chunk queue, like LeRobot. */
export class LeRobotSession implements BuiltinSession {
  private readonly policy: ServerPolicy;
  private queue: Float64Array[] = [];

  constructor(
    private readonly server: BuiltinPolicyServer,
    private readonly ws: WebSocket,
  ) {
    const p = server.currentProfile;
    this.policy = new ServerPolicy(p.horizon, p.actionDim, server.policyName);
  }

  open(): void {}

  async handle(data: Uint8Array, isBinary: boolean, received: number): Promise<void> {
    let reply: { [key: string]: WireValue };
    try {
      if (!isBinary) throw new TypeError('expected a binary msgpack message, got a text frame');
      this.server.noteRequest();
      const msg = decodeLeRobotMessage(data);
      const faults = this.server.faults;
      // The model is what misbehaves: ping, reset and the other messages are still answered.
      if (msg.type === 'select_action' && faults.hang) return;
      reply = await this.dispatch(msg, received);
      if (msg.type === 'select_action' && this.ws.readyState === this.ws.OPEN) {
        if (faults.traceback) {
          // The stock server's handler dies on an exception: the close is 1011, here with the traceback first.
          this.server.noteError('request failed: injected traceback');
          this.ws.send(FAULT_TRACEBACK);
          this.ws.close(1011, CLOSE_REASON_1011);
          return;
        }
        if (faults.garbage) {
          this.ws.send(GARBAGE_REPLY);
          return;
        }
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.server.noteError(`request failed: ${message}`);
      reply = { type: 'error', message };
    }
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(encodePolicyFrame(reply));
  }

  private async dispatch(msg: LeRobotMessage, received: number): Promise<{ [key: string]: WireValue }> {
    switch (msg.type) {
      case 'ping':
        return { type: 'pong', capabilities: ['get_stats', 'configure'] };
      case 'reset':
        this.queue = [];
        this.policy.reset();
        return { type: 'reset_response', status: 'success' };
      case 'get_stats': {
        const s = this.server.stats;
        const p = this.server.currentProfile;
        return {
          type: 'stats_response',
          stats: {
            connections: s.connections,
            requests: s.requests,
            errors: s.errors,
            model: p.name,
            action_horizon: p.horizon,
            latency_ms: new Float64Value(p.latencyMs),
            queued_actions: this.queue.length,
          },
        };
      }
      case 'configure':
        return { type: 'configure_response', status: 'success', config: this.configure(msg.config) };
      case 'select_action': {
        const state = observationState(msg.observation);
        if (this.queue.length === 0) {
          const p = this.server.currentProfile;
          const { values } = await this.server.infer(this.policy, msg.observation, state);
          // LeRobot policies emit the robot's own action width, not the model's padded one.
          const dims = Math.min(state.length, p.actionDim);
          for (let t = 0; t < p.horizon; t++) this.queue.push(values.slice(t * p.actionDim, t * p.actionDim + dims));
        }
        const step = this.queue.shift() as Float64Array;
        return {
          type: 'action_response',
          action: actionsWithFaults(step, 1, step.length, '<f4', this.server.faults),
          server_timing: { infer_ms: new Float64Value(performance.now() - received) },
        };
      }
      default:
        return {
          type: 'error',
          message:
            `a client does not send "${msg.type}"; this server answers ` +
            'select_action, reset, ping, get_stats and configure',
        };
    }
  }

  private configure(c: { readonly [key: string]: WireValue }): { [key: string]: WireValue } {
    const p = this.server.currentProfile;
    const latency = typeof c.latency_ms === 'number' ? c.latency_ms : p.latencyMs;
    if (!Number.isFinite(latency) || latency < 0 || latency > 600_000)
      throw new RangeError(`latency_ms must be 0..600000, got ${latency}`);
    const next = this.server.reconfigure({ ...p, latencyMs: latency });
    return { model: next.name, action_horizon: next.horizon, latency_ms: new Float64Value(next.latencyMs) };
  }
}
