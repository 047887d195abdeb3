// Swapping the policy model of a connected session: the model's client (made on first use, made again when its
// server moved), connected under the session's e-stop signal so that an emergency stop cuts the swap short.
import type { RuntimeModelEndpoint } from '../core/rpc';
import type { Clock } from '../core/timing/clock';
import type { PolicyClient } from '../io/policy/policyClient';
import { EmergencyStopError, type Connection } from './sessionConnection';
import { endpointOf, inProcessClient, policyClient } from './sessionParts';

/** The client of `model` on `conn`, made (or made again for a server the host restarted at `endpoint`) as needed. */
export function swapClientFor(
  conn: Connection,
  model: string,
  endpoint: RuntimeModelEndpoint | undefined,
  hooks: { readonly clock: Clock; readonly warn: (message: string) => void },
): PolicyClient {
  let client = conn.clients.get(model);
  if (endpoint) {
    conn.endpoints.set(model, endpoint);
    // The host restarted that model's server elsewhere: the old client points at nothing.
    if (client && client.url !== endpoint.url) {
      void client.close();
      conn.clients.delete(model);
      client = undefined;
    }
  }
  if (!client) {
    client =
      inProcessClient(conn.config, model, hooks.clock) ??
      policyClient(
        model,
        endpointOf(conn.config, model, Object.fromEntries(conn.endpoints)),
        conn.config.requestTimeoutMs,
        hooks.warn,
      );
    conn.clients.set(model, client);
  }
  return client;
}

/**
 * Connects the client `model` swaps to; an emergency stop (`estop`) meanwhile fails it with EmergencyStopError,
 * naming the model that stays active (`activeModel`, asked when it happens).
 */
export async function connectSwapClient(
  client: PolicyClient,
  model: string,
  estop: AbortSignal,
  activeModel: () => string | undefined,
): Promise<void> {
  const stopped = (cause?: unknown) =>
    new EmergencyStopError(
      `emergency stop during the swap to "${model}": the arm is limp; ${activeModel() ?? 'no model'} stays active`,
      { cause },
    );
  try {
    await client.connect(estop);
  } catch (err) {
    throw estop.aborted ? stopped(err) : err;
  }
  if (estop.aborted) throw stopped();
}
