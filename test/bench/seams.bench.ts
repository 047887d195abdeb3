// Chunk-seam remedies compared on the embedded default, paired by seed: for every profile × remedy, `so100 episode
// --seed N` runs (the built CLI, as a user runs it, one episode at a time) and its episode.json gives the seam
// report and the result. Prints the table docs/PERFORMANCE.md shows and writes every episode to a JSON file.
//
//   node --import tsx test/bench/seams.bench.ts [--seeds=1-50] [--profiles=pi0,pi0_fast]
//     [--remedies=aligned,crossfade:3,limit:4,ensemble] [--steps=450] [--out=seams-bench.json] [--keep=DIR]
//     [--latency=MS]
//
// --keep=DIR keeps each episode's record in DIR/<profile>-<remedy>-<seed>/ (to read steps.csv afterwards).
// --latency=MS gives the built-in server that inference time instead of the profile's (a slower model, or a
// busy machine, made repeatable).
//
// Needs `npm run build` first (it runs dist/cli.js). Episodes run in real time (~5–10 s each).
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readEpisodeRecord, seamRows } from '../../src/io/recording/episodeReader';
import { SO100_BODY_MOTORS, SO100_MOTORS } from '../../src/core/so100';

interface EpisodeOutcome {
  readonly profile: string;
  readonly remedy: string;
  readonly seed: number;
  readonly success: boolean;
  /** Sent commands (after the remedy and safety). */
  readonly seamRatio: number | null;
  /** The policy's raw rows: the seam it asked for. */
  readonly rawSeamRatio: number | null;
  readonly lagTicks: number | null;
  /** Mean over ticks of the largest body joint's |sent − raw|, degrees. */
  readonly trackingError: number | null;
  /** Largest body-joint step anywhere in the episode (a remedy must not just move the seam into the chunk). */
  readonly maxStep: number;
}

const arg = (name: string, dflt: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;

function seedList(spec: string): number[] {
  return spec.split(',').flatMap((part) => {
    const [a, b] = part.split('-').map(Number);
    return b === undefined ? [a] : Array.from({ length: b - a + 1 }, (_, i) => a + i);
  });
}

/** `crossfade:3` → { remedy: 'crossfade', ticks: 3 }; `limit:4` → maxStep 4 (body joints, degrees per tick). */
function seamOf(spec: string): unknown {
  const [remedy, value] = spec.split(':');
  if (remedy === 'crossfade') return { remedy, ticks: Number(value ?? 3) };
  if (remedy === 'limit') return { remedy, maxStep: Number(value ?? 4) };
  if (remedy === 'ensemble') return { remedy, decay: Number(value ?? 0.01) };
  return { remedy };
}

function run(args: string[], cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.resolve('dist/cli.js'), ...args], { cwd, stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? -1));
  });
}

async function episode(
  profile: string,
  remedy: string,
  seed: number,
  steps: number,
  keep: string | undefined,
  latencyMs: number | undefined,
): Promise<EpisodeOutcome> {
  const dir = await mkdtemp(path.join(tmpdir(), 'so100-seams-'));
  try {
    const config = path.join(dir, 'so100.json');
    const models = latencyMs === undefined ? {} : { models: { [profile]: { kind: 'builtin', profile, latencyMs } } };
    await writeFile(config, JSON.stringify({ ...models, chunking: { mode: 'async', seam: seamOf(remedy) } }));
    const rec = keep ? path.resolve(keep, `${profile}-${remedy.replace(':', '')}-${seed}`) : path.join(dir, 'rec');
    const code = await run(
      [
        'episode',
        '--model',
        profile,
        '--seed',
        String(seed),
        '--steps',
        String(steps),
        '--config',
        config,
        '--record',
        rec,
        '--frames',
        'none',
      ],
      dir,
    );
    const [folder] = await readdir(rec);
    if (folder === undefined) throw new Error(`${profile} ${remedy} seed ${seed}: no record (exit ${code})`);
    const body = JSON.parse(await readFile(path.join(rec, folder, 'episode.json'), 'utf8')) as {
      result: {
        success: boolean;
        seams: {
          seamRatio: number | null;
          raw: { seamRatio: number | null };
          lagTicks: number | null;
          trackingError: number | null;
        };
      };
    };
    const record = await readEpisodeRecord(path.join(rec, folder));
    const rows = seamRows(record.steps);
    const body5 = SO100_BODY_MOTORS.map((m) => SO100_MOTORS.indexOf(m));
    let maxStep = 0;
    for (let i = 1; i < rows.length; i++) {
      const a = rows[i - 1].sent;
      const b = rows[i].sent;
      if (a && b) for (const j of body5) maxStep = Math.max(maxStep, Math.abs(b[j] - a[j]));
    }
    const r = body.result;
    return {
      profile,
      remedy,
      seed,
      success: r.success,
      seamRatio: r.seams.seamRatio,
      rawSeamRatio: r.seams.raw.seamRatio,
      lagTicks: r.seams.lagTicks,
      trackingError: r.seams.trackingError,
      maxStep,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor((s.length - 1) / 2)];
};

async function main(): Promise<void> {
  const seeds = seedList(arg('seeds', '1-50'));
  const profiles = arg('profiles', 'pi0,pi0_fast').split(',');
  const remedies = arg('remedies', 'aligned,crossfade:3,limit:4,ensemble').split(',');
  const steps = Number(arg('steps', '450'));
  const out = arg('out', 'seams-bench.json');
  const keep = process.argv.find((a) => a.startsWith('--keep='))?.slice('--keep='.length);
  const latency = process.argv.find((a) => a.startsWith('--latency='))?.slice('--latency='.length);
  // --table=a.json,b.json: no episodes, only the table of earlier runs (streams run side by side, merged).
  const earlier = process.argv.find((a) => a.startsWith('--table='))?.slice('--table='.length);
  const all: EpisodeOutcome[] = [];
  if (earlier)
    for (const f of earlier.split(',')) all.push(...(JSON.parse(await readFile(f, 'utf8')) as EpisodeOutcome[]));
  else
    for (const profile of profiles)
      for (const seed of seeds)
        for (const remedy of remedies) {
          const o = await episode(
            profile,
            remedy,
            seed,
            steps,
            keep,
            latency === undefined ? undefined : Number(latency),
          );
          all.push(o);
          console.error(
            `${profile} ${remedy} seed ${seed}: ${o.success ? 'success' : 'failure'}, seam ${o.seamRatio?.toFixed(2)}× (raw ${o.rawSeamRatio?.toFixed(2)}×), lag ${o.lagTicks?.toFixed(2)}, tracking ${o.trackingError?.toFixed(2)}°, max step ${o.maxStep.toFixed(2)}°`,
          );
          await writeFile(out, JSON.stringify(all, null, 1));
        }
  console.log(
    `\nat most ${steps} ticks per episode${latency === undefined ? '' : `, server latency ${latency} ms`}; added lag and baseline success against ${remedies[0]} on the same seeds\n`,
  );
  console.log(
    '| profile | remedy | episodes | raw seam ratio (median) | sent seam ratio (median) | sent (p90) | lag, ticks (mean) | added lag | tracking error ° (mean) | success | baseline success | largest step ° (median) |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  const finite = (xs: (number | null | undefined)[]) => xs.map((x) => x ?? NaN).filter(Number.isFinite);
  for (const profile of profiles) {
    for (const remedy of remedies) {
      const os = all.filter((o) => o.profile === profile && o.remedy === remedy);
      // Added lag and success are paired: against the first remedy on the same seeds.
      const paired = new Set(os.map((o) => o.seed));
      const base = all.filter((o) => o.profile === profile && o.remedy === remedies[0] && paired.has(o.seed));
      const ratios = finite(os.map((o) => o.seamRatio));
      const sorted = [...ratios].sort((a, b) => a - b);
      const lag = mean(finite(os.map((o) => o.lagTicks)));
      const baseLag = mean(finite(base.map((o) => o.lagTicks)));
      const ok = os.filter((o) => o.success).length;
      console.log(
        `| ${profile} | ${remedy} | ${os.length} | ${median(finite(os.map((o) => o.rawSeamRatio))).toFixed(2)}× | ${median(ratios).toFixed(2)}× | ${(sorted[Math.floor(0.9 * (sorted.length - 1))] ?? NaN).toFixed(2)}× | ${lag.toFixed(2)} | ${(lag - baseLag).toFixed(2)} | ${mean(finite(os.map((o) => o.trackingError))).toFixed(2)} | ${ok}/${os.length} | ${base.filter((o) => o.success).length}/${base.length} | ${median(os.map((o) => o.maxStep)).toFixed(2)} |`,
      );
    }
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
