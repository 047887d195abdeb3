// `npm run bench`: every benchmark, printed and written to bench-results.json. Not part of `npm test`.
import { writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { codecBenchmarks } from './codec.bench';
import { roundTripBenchmarks } from './roundTrip.bench';
import { converterBenchmarks } from './converter.bench';
import { feetechCycleBenchmarks } from './feetechCycle.bench';
import { printFigure, type BenchFigure } from './benchStats';

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const runs = quick ? 200 : 2000;
  const figures: BenchFigure[] = [];
  console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}; ${runs} runs each\n`);
  for (const f of codecBenchmarks(runs * 5)) { printFigure(f); figures.push(f); }
  for (const f of converterBenchmarks(Math.max(20, runs / 20))) { printFigure(f); figures.push(f); }
  for (const f of await roundTripBenchmarks(runs)) { printFigure(f); figures.push(f); }
  for (const f of await feetechCycleBenchmarks(Math.max(100, runs / 2))) { printFigure(f); figures.push(f); }
  await writeFile('bench-results.json', JSON.stringify({ date: new Date().toISOString(), node: process.version, figures }, null, 2));
  console.log('\nwrote bench-results.json');
}

main().catch((err: unknown) => { console.error(err); process.exitCode = 1; });
