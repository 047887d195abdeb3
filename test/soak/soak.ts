// `npm run soak`: the long simulated session of soakEngine.ts, printed as it goes and written to soak-results.json.
// Usage: npm run soak [-- --ticks N] [-- --quick] [-- --out FILE]. Exit code 1 when a figure grows.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { runSoak } from './soakEngine';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      ticks: { type: 'string' },
      quick: { type: 'boolean', default: false },
      out: { type: 'string', default: 'soak-results.json' },
    },
  });
  const ticks = values.ticks !== undefined ? Number(values.ticks) : values.quick ? 10_000 : 100_000;
  if (!Number.isSafeInteger(ticks) || ticks < 1000) {
    console.error(`--ticks must be an integer ≥ 1000, got "${values.ticks}"`);
    return 2;
  }
  if (!(globalThis as { gc?: unknown }).gc)
    console.log('note: run with --expose-gc (npm run soak does) for heap figures after a full GC');

  console.log(
    `soak: ${ticks} ticks, model swaps, server restarts and serial faults; a sample every ~${Math.max(500, Math.floor(ticks / 40))} ticks`,
  );
  console.log('   ticks   time s   RSS MB  heap MB  ext MB  handles  fds  episodes');
  const report = await runSoak({
    ticks,
    onSample: (s) =>
      console.log(
        `${String(s.ticks).padStart(8)} ${s.elapsedS.toFixed(1).padStart(8)} ${s.rssMB.toFixed(1).padStart(8)} ` +
          `${s.heapUsedMB.toFixed(1).padStart(8)} ${s.externalMB.toFixed(1).padStart(7)} ${String(s.activeResources).padStart(8)} ` +
          `${String(s.openFds).padStart(4)} ${String(s.episodes).padStart(9)}`,
      ),
  });
  const c = report.counts;
  console.log(
    `\n${report.ticks} ticks in ${report.wallS} s: ${c.episodes} episodes (${c.episodesEndedByFault} ended by a serial fault, ` +
      `${c.reconnects} reconnects), ${c.swaps} model swaps, ${c.serverRestarts} server restarts, ${c.faultBursts} fault bursts`,
  );
  for (const [name, t] of Object.entries(report.trends)) {
    console.log(
      `  ${name.padEnd(16)} ${t.first} → ${t.last}; second half: ${t.slopePer10kTicks} per 10k ticks, noise ${t.noise} → ${t.flat ? 'flat' : 'GROWING'}`,
    );
  }
  console.log(
    `  handles/fds: ${report.baseline.activeResources}/${report.baseline.openFds} before, ${report.afterClose.activeResources}/${report.afterClose.openFds} after close`,
  );
  console.log(`verdict: ${report.verdict}`);
  await writeFile(values.out, JSON.stringify(report, null, 2) + '\n');
  console.log(`written to ${values.out}`);
  return report.verdict === 'flat within noise' ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
