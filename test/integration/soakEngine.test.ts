// The soak's engine on a short run (~2 000 ticks): every kind of disturbance happens, the report has its figures,
// and once it is closed the process holds no more handles or file descriptors than before it started.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSoak } from '../soak/soakEngine';

test('a short soak swaps models, restarts servers, injects serial faults, reports, and leaves no handles behind', async () => {
  // Paced at 250 Hz rather than flat out: the same events, without taking a core from the suite's timing-sensitive tests.
  const r = await runSoak({
    ticks: 2000,
    fps: 250,
    episodeTicks: 800,
    swapEvery: 250,
    restartEvery: 600,
    faultEvery: 700,
    faultTicks: 10,
    sampleEvery: 250,
  });
  assert.ok(r.ticks >= 2000, `ran ${r.ticks} ticks`);
  assert.ok(r.counts.episodes >= 2, `${r.counts.episodes} episodes`);
  assert.ok(r.counts.swaps >= 1, 'the active model was swapped');
  assert.ok(r.counts.serverRestarts >= 2, 'both servers were restarted');
  assert.ok(r.counts.faultBursts >= 1, 'serial faults were injected');
  assert.equal(
    Object.values(r.endReasons).reduce((a, b) => a + b, 0),
    r.counts.episodes,
  );
  assert.ok(!Object.keys(r.endReasons).some((k) => k.startsWith('side action failed')), JSON.stringify(r.endReasons));
  assert.ok(r.samples.length >= 4);
  for (const s of r.samples) {
    for (const v of [s.ticks, s.rssMB, s.heapUsedMB, s.activeResources, s.openFds])
      assert.ok(Number.isFinite(v) && v >= 0);
  }
  for (const t of Object.values(r.trends)) assert.equal(typeof t.flat, 'boolean');
  assert.ok(['flat within noise', 'growing'].includes(r.verdict));
  assert.ok(
    r.afterClose.activeResources <= r.baseline.activeResources,
    `handles: ${r.baseline.activeResources} before, ${r.afterClose.activeResources} after`,
  );
  assert.ok(
    r.afterClose.openFds <= r.baseline.openFds,
    `fds: ${r.baseline.openFds} before, ${r.afterClose.openFds} after`,
  );
});
