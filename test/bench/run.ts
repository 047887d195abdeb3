// `npm run bench`: every benchmark, printed and written to bench-results.json. Not part of `npm test`.
// `--quick` runs fewer repetitions and shorter episodes; `--only=codec,loop` runs some of them (codec, converter,
// roundtrip, feetech, loop, chunking, telemetry, memory, export, viewer, vclock).
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { codecBenchmarks } from './codec.bench';
import { roundTripBenchmarks } from './roundTrip.bench';
import { converterBenchmarks } from './converter.bench';
import { feetechCycleBenchmarks } from './feetechCycle.bench';
import { controlLoopBenchmarks } from './controlLoop.bench';
import { chunkingBenchmarks } from './chunking.bench';
import { telemetryBenchmarks } from './telemetry.bench';
import { memoryBenchmarks } from './memory.bench';
import { datasetExportBenchmarks } from './datasetExport.bench';
import { episodeViewerBenchmarks } from './episodeViewer.bench';
import { virtualClockBenchmarks } from './virtualClock.bench';
import { printFigure, type BenchFigure } from './benchStats';

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const only = process.argv
    .find((a) => a.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',');
  const wanted = (name: string) => only === undefined || only.includes(name);
  const runs = quick ? 200 : 2000;
  const figures: BenchFigure[] = [];
  const add = (fs: BenchFigure[]) => {
    for (const f of fs) {
      printFigure(f);
      figures.push(f);
    }
  };
  const load = () =>
    loadavg()
      .map((x) => x.toFixed(2))
      .join(' ');
  console.log(
    `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}; ${runs} runs each; load average ${load()}` +
      `${(globalThis as { gc?: unknown }).gc ? '' : '; no --expose-gc: memory samples without a full GC first'}\n`,
  );
  if (wanted('codec')) add(codecBenchmarks(runs * 5));
  if (wanted('converter')) add(await converterBenchmarks(Math.max(20, runs / 20)));
  if (wanted('roundtrip')) add(await roundTripBenchmarks(runs));
  if (wanted('feetech')) add(await feetechCycleBenchmarks(Math.max(100, runs / 2)));
  if (wanted('loop')) add(await controlLoopBenchmarks(quick));
  if (wanted('chunking')) add(await chunkingBenchmarks(quick));
  if (wanted('telemetry')) add(await telemetryBenchmarks(quick));
  if (wanted('memory')) add(await memoryBenchmarks());
  if (wanted('export')) add(await datasetExportBenchmarks(quick));
  if (wanted('viewer')) add(await episodeViewerBenchmarks(quick));
  if (wanted('vclock')) add(await virtualClockBenchmarks(quick));
  const loadAfter = load();
  await writeFile(
    'bench-results.json',
    JSON.stringify(
      { date: new Date().toISOString(), node: process.version, quick, only, loadAverage: loadAfter, figures },
      null,
      2,
    ),
  );
  console.log(`\nload average ${loadAfter}; wrote bench-results.json`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
