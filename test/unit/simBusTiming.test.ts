// SimBusTiming with wireFaithful (what the pty simulator uses): the host's line stays busy between back-to-back
// requests, and replies are handed over at their wire time, never before it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeRegister, encodeSyncRead, encodeSyncWrite, register } from '../../src/core/feetech';
import { FeetechBusSim } from '../../src/core/sim';
import { SimBusTiming } from '../../src/io/serial/simBusTiming';

const IDS = [1, 2, 3, 4, 5, 6];
const present = register('Present_Position');
const goal = register('Goal_Position');

function rig(wireFaithful: boolean) {
  const sim = new FeetechBusSim();
  for (const s of sim.servos) s.writeRegister('Return_Delay_Time', 0);
  let nowUs = 0;
  const delivered: { atUs: number; bytes: number }[] = [];
  const timing = new SimBusTiming(
    sim,
    (bytes) => delivered.push({ atUs: nowUs, bytes: bytes.length }),
    () => nowUs,
    false,
    { wireFaithful },
  );
  return { timing, delivered, advance: (us: number) => (nowUs += us) };
}

const syncWrite = encodeSyncWrite(
  goal.address,
  goal.size,
  IDS.map((id) => ({ id, data: encodeRegister('Goal_Position', 2048) })),
);
const syncRead = encodeSyncRead(present.address, present.size, IDS);

test('wireFaithful: a SYNC_READ written right after a SYNC_WRITE waits for it on the wire', () => {
  const { timing, delivered } = rig(true);
  timing.receive(syncWrite); // 26 B: on the wire until 260 µs
  timing.receive(syncRead); // 14 B behind it: arrives at 400 µs; six 8-byte replies follow
  assert.equal(timing.pendingReplies, 6);
  // The schedule is on the timing's queue; the last reply's wire time is 400 + 6·80 µs.
  const queue = (timing as unknown as { queue: { atUs: number }[] }).queue;
  assert.equal(syncWrite.length + syncRead.length, 40);
  assert.deepEqual(
    queue.map((d) => d.atUs),
    [480, 560, 640, 720, 800, 880],
  );
  timing.stop();
  assert.equal(delivered.length, 0);
});

test('without wireFaithful (the in-process transport) each request is timed from its own arrival', () => {
  const { timing } = rig(false);
  timing.receive(syncWrite);
  timing.receive(syncRead);
  const queue = (timing as unknown as { queue: { atUs: number }[] }).queue;
  assert.equal(queue[queue.length - 1].atUs, 140 + 480);
  timing.stop();
});

test('wireFaithful: a request after the line went quiet starts when it arrives', () => {
  const { timing, advance } = rig(true);
  timing.receive(syncWrite);
  advance(5000);
  timing.receive(syncRead);
  const queue = (timing as unknown as { queue: { atUs: number }[] }).queue;
  assert.equal(queue[0].atUs, 5000 + 140 + 80);
  timing.stop();
});

test('wireFaithful: replies are handed over at their wire time, not before', async () => {
  const sim = new FeetechBusSim();
  for (const s of sim.servos) s.writeRegister('Return_Delay_Time', 0);
  const t0 = performance.now() * 1000;
  const at: number[] = [];
  const timing = new SimBusTiming(sim, () => at.push(performance.now() * 1000 - t0), undefined, false, {
    wireFaithful: true,
  });
  const start = performance.now() * 1000 - t0;
  timing.receive(syncRead);
  await new Promise<void>((resolve) => {
    const check = () => (at.length === 6 ? resolve() : setTimeout(check, 1));
    check();
  });
  timing.stop();
  for (let i = 0; i < 6; i++) assert.ok(at[i] >= start + 140 + 80 * (i + 1), `reply ${i + 1} at ${at[i]} µs`);
});
