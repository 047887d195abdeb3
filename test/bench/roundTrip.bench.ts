// Benchmark 3: observation → action chunk over loopback to the built-in server with a zero-latency policy: the
// `hold` policy (no planning); the demo's cube search is measured alongside, to show what a planner adds.
import { NdArray } from '../../src/core/ndarray';
import { MODEL_PROFILES, customizeProfile } from '../../src/core/policy/modelProfiles';
import { BuiltinPolicyServer } from '../../src/io/policy/builtinServer/builtinPolicyServer';
import { LeRobotWsClient } from '../../src/io/policy/leRobotWsClient';
import { OpenPiClient } from '../../src/io/policy/openPiClient';
import type { PolicyClient, PolicyObservation } from '../../src/io/policy/policyClient';
import { figure, type BenchFigure } from './benchStats';

async function measure(
  client: PolicyClient,
  obs: PolicyObservation,
  runs: number,
): Promise<{ total: number[]; network: number[] }> {
  for (let i = 0; i < 50; i++) await client.infer(obs);
  const total: number[] = [];
  const network: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await client.infer(obs);
    total.push(r.clientTiming.totalMs);
    if (r.clientTiming.networkMs !== undefined) network.push(r.clientTiming.networkMs);
  }
  return { total, network };
}

export async function roundTripBenchmarks(runs: number): Promise<BenchFigure[]> {
  const img = NdArray.zeros('|u1', [224, 224, 3]);
  const state = NdArray.fromTyped(new Float32Array(6), [6]);
  const out: BenchFigure[] = [];
  const cases = [
    ['openpi', 'hold'],
    ['lerobot-ws', 'hold'],
    ['openpi', 'demo'],
  ] as const;
  for (const [protocol, policy] of cases) {
    const server = await BuiltinPolicyServer.start({
      protocol,
      policy,
      profile: customizeProfile(MODEL_PROFILES.pi0, { latencyMs: 0 }),
    });
    const client = protocol === 'openpi' ? new OpenPiClient(server.url) : new LeRobotWsClient(server.url);
    const obs: PolicyObservation =
      protocol === 'openpi'
        ? {
            'observation/state': state,
            'observation/images.main': img,
            'observation/images.wrist': img,
            prompt: 'pick up the cube',
          }
        : {
            'observation.state': state,
            'observation.images.front': img,
            'observation.images.wrist': img,
            task: ['pick up the cube'],
          };
    try {
      const { total } = await measure(client, obs, runs);
      out.push(
        policy === 'hold'
          ? figure(
              `round trip ${protocol} (2 images, server in-process, 0 ms policy)`,
              'ms',
              total,
              undefined,
              "target p50 ≤ 1 ms; client and server share this process, so both sides' CPU is in the figure",
            )
          : figure(
              `round trip ${protocol} with the demo's cube search (not 0 ms)`,
              'ms',
              total,
              undefined,
              "for comparison: the embedded default's planner looks for the cube in the front image on every request",
            ),
      );
    } finally {
      await client.close();
      await server.close();
    }
  }
  return out;
}
