// Property test: random settings, latencies, chunk sizes, out-of-order replies, abandons, model swaps and resets.
// A scripted clock only; the test keeps its own record of every request and checks the scheduler against it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ActionChunk, ChunkScheduler, type ChunkRequest, type ChunkSchedulerOptions } from '../../src/core/chunking';

const DIMS = 2;

const optionsArb: fc.Arbitrary<ChunkSchedulerOptions> = fc.oneof(
  fc.integer({ min: 1, max: 12 }).chain((n) =>
    fc.record({
      mode: fc.constant('sync' as const),
      nActionSteps: fc.constant(n),
      prefetchSteps: fc.integer({ min: 0, max: n - 1 }),
    }),
  ),
  fc.record({
    mode: fc.constant('async' as const),
    threshold: fc.double({ min: 0, max: 1, noNaN: true }),
    aggregate: fc.constantFrom('latest' as const, 'average' as const, 'weighted' as const),
    alpha: fc.double({ min: 0, max: 1, noNaN: true }),
    actionsPerChunk: fc.option(fc.integer({ min: 1, max: 15 }), { nil: undefined }),
  }),
);

/** What may happen on one tick besides the tick itself. */
const eventArb = fc.oneof(
  { weight: 40, arbitrary: fc.constant('none' as const) },
  { weight: 1, arbitrary: fc.constant('swap' as const) },
  { weight: 1, arbitrary: fc.constant('reset' as const) },
  { weight: 2, arbitrary: fc.constant('abandon' as const) },
  { weight: 2, arbitrary: fc.constant('replay' as const) },
);

const scenarioArb = fc.record({
  options: optionsArb,
  latencies: fc.array(fc.integer({ min: 1, max: 25 }), { minLength: 1, maxLength: 20 }),
  horizons: fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 20 }),
  brokenEvery: fc.integer({ min: 0, max: 9 }),
  events: fc.array(eventArb, { minLength: 20, maxLength: 250 }),
});

interface Issued {
  readonly request: ChunkRequest;
  readonly session: number;
  /** Actions executed before the observation's tick. */
  readonly observationStep: number;
  readonly base: number;
}

test('random schedules: only live chunks run, rows align to their observation, one request in flight, every tick counted', () => {
  fc.assert(
    fc.property(scenarioArb, ({ options, latencies, horizons, brokenEvery, events }) => {
      const s = new ChunkScheduler(options);
      const issued = new Map<number, Issued>();
      const mail: { at: number; request: ChunkRequest; chunk: ActionChunk }[] = [];
      const delivered: { request: ChunkRequest; chunk: ActionChunk }[] = [];
      let session = 0;
      let epoch = 0;
      let live: number | null = null;
      let executed = 0;
      let ticks = 0;
      let tickIndex = 0;
      let lastObservation = -Infinity;
      let n = 0;

      const deliver = (request: ChunkRequest, chunk: ActionChunk): void => {
        const wasLive = live === request.id;
        const result = s.deliver(chunk, request);
        const finite = chunk.countNonFinite() === 0;
        assert.equal(result.accepted, wasLive && finite, `request ${request.id}: live=${wasLive} finite=${finite}`);
        if (wasLive) live = null;
        if (result.accepted) delivered.push({ request, chunk });
      };

      for (const event of events) {
        for (let i = mail.findIndex((m) => m.at <= tickIndex); i >= 0; i = mail.findIndex((m) => m.at <= tickIndex)) {
          const [m] = mail.splice(i, 1);
          deliver(m.request, m.chunk);
        }
        if (event === 'swap') {
          assert.equal(s.swapModel(), ++epoch);
          live = null;
        } else if (event === 'reset') {
          s.reset();
          session++;
          live = null;
          executed = 0;
          ticks = 0;
          tickIndex = 0;
          lastObservation = -Infinity;
        } else if (event === 'abandon' && live !== null) {
          assert.equal(s.abandon(issued.get(live)!.request), true);
          live = null;
        } else if (event === 'replay' && delivered.length > 0) {
          const old = delivered[delivered.length - 1];
          assert.equal(s.deliver(old.chunk, old.request).accepted, false, 'a chunk is accepted once');
        }

        const r = s.tick({ index: tickIndex, timeMs: tickIndex * 20 });
        ticks++;
        if (r.request) {
          assert.equal(live, null, 'a second request while one is in flight');
          assert.equal(r.request.epoch, epoch);
          live = r.request.id;
          const k = n++;
          const base = 1000 * (k + 1);
          issued.set(r.request.id, { request: r.request, session, observationStep: executed, base });
          const h = horizons[k % horizons.length];
          const v = new Float64Array(h * DIMS);
          for (let row = 0; row < h; row++) for (let j = 0; j < DIMS; j++) v[row * DIMS + j] = base + row + j / 10;
          if (brokenEvery > 0 && k % brokenEvery === brokenEvery - 1) v[0] = NaN;
          mail.push({
            at: tickIndex + latencies[k % latencies.length],
            request: r.request,
            chunk: new ActionChunk(h, DIMS, v),
          });
        }
        assert.equal(r.starved, r.action === null);
        if (r.action) {
          const src = issued.get(r.source!.requestId)!;
          assert.equal(src.session, session, 'an action from before the reset');
          assert.equal(src.request.epoch, epoch, 'an action from a swapped-out model');
          assert.ok(
            src.request.observationIndex >= lastObservation,
            'an action from an older observation than one already executed',
          );
          lastObservation = src.request.observationIndex;
          assert.equal(src.observationStep + r.source!.row, executed, 'row not aligned to its observation');
          assert.ok(Number.isFinite(r.action[0]) && Number.isFinite(r.action[1]), `non-finite action ${r.action}`);
          const exact = options.mode === 'sync' || options.aggregate === 'latest' || !r.source!.merged;
          if (exact) assert.deepEqual([...r.action], [src.base + r.source!.row, src.base + r.source!.row + 0.1]);
          executed++;
        }
        tickIndex++;

        const st = s.stats();
        assert.equal(st.starvedTicks + st.executedTicks, ticks);
        assert.equal(st.ticks, ticks);
        assert.equal(st.executedTicks, executed);
        assert.equal(st.requestInFlight, live !== null);
        assert.ok(
          st.longestStarvation >= st.currentStarvation && st.starvedTicks >= st.longestStarvation,
          JSON.stringify(st),
        );
        const maxH = Math.max(...horizons);
        const cap =
          options.mode === 'sync' ? Math.min(maxH, options.nActionSteps ?? maxH) + (options.prefetchSteps ?? 0) : maxH;
        assert.ok(s.queuedSteps <= cap, `queue of ${s.queuedSteps} > ${cap}`);
      }
    }),
    { numRuns: 300 },
  );
});
