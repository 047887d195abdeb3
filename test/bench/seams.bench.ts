// Chunk-seam remedies compared on evaluation campaigns, paired by seed: for every remedy, one `so100 eval --clock
// virtual` campaign (the built CLI, as a user runs it) with `chunking.seam` set to that remedy runs every profile on
// the same seeds of the varied simulated scene. results.csv gives each episode's result and sent seam ratio, its
// episode.json the raw seam ratio, the lag and the tracking error. Prints the table docs/PERFORMANCE.md shows:
// success with its Wilson interval and each remedy's paired comparison against the first remedy (exact McNemar).
//
//   node --import tsx test/bench/seams.bench.ts [--episodes=50] [--seed=1] [--models=pi0,pi0_fast]
//     [--remedies=aligned,crossfade:3,limit:4,ensemble] [--steps=N] [--out=seams-bench.json] [--keep=DIR]
//     [--latency=MS] [--table=a.json,b.json]
//
// --keep=DIR keeps each remedy's campaign folder as DIR/<remedy>/ (to read the records afterwards).
// --latency=MS gives every built-in model that simulated inference time instead of its profile's.
// --table reads earlier --out files and only prints the table.
//
// Needs `npm run build` first (it runs dist/cli.js). On virtual time a 2 × 50 campaign takes one to three minutes.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mcnemarExactP, pairedTable, wilsonInterval } from '../../src/core/evaluation';
import { SO100_BODY_MOTORS, SO100_MOTORS } from '../../src/core/so100';
import { readEpisodeRecord, seamRows } from '../../src/io/recording/episodeReader';
import { readCampaignFolder } from '../../src/runtime/evaluationCampaign';

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
const optional = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

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
    const child = spawn(process.execPath, [path.resolve('dist/cli.js'), ...args], {
      cwd,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? -1));
  });
}

/** Largest body-joint step between consecutive sent commands, degrees. */
async function largestStep(episodeDir: string): Promise<number> {
  const rows = seamRows((await readEpisodeRecord(episodeDir)).steps);
  const body = SO100_BODY_MOTORS.map((m) => SO100_MOTORS.indexOf(m));
  let max = 0;
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1].sent;
    const b = rows[i].sent;
    if (a && b) for (const j of body) max = Math.max(max, Math.abs(b[j] - a[j]));
  }
  return max;
}

/** One campaign with every model on the same seeds, `chunking.seam` set to the remedy. */
async function campaign(
  remedy: string,
  models: string,
  episodes: number,
  seed: number,
  steps: string | undefined,
  keep: string | undefined,
  latencyMs: number | undefined,
): Promise<EpisodeOutcome[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'so100-seams-'));
  try {
    const config = path.join(dir, 'so100.json');
    const modelConfigs =
      latencyMs === undefined
        ? {}
        : {
            models: Object.fromEntries(
              models.split(',').map((m) => [m, { kind: 'builtin', profile: m, latencyMs }] as const),
            ),
          };
    await writeFile(
      config,
      JSON.stringify({
        ...modelConfigs,
        chunking: { mode: 'async', seam: seamOf(remedy) },
        record: { frames: 'none' },
      }),
    );
    const out = keep ? path.resolve(keep, remedy.replace(':', '')) : path.join(dir, 'campaign');
    const args = ['eval', '--config', config, '--models', models, '--episodes', String(episodes)];
    args.push('--seed', String(seed), '--clock', 'virtual', '--out', out);
    if (steps !== undefined) args.push('--steps', steps);
    const started = Date.now();
    const code = await run(args, dir);
    if (code !== 0) throw new Error(`${remedy}: so100 eval exited with ${code}`);
    const { rows } = await readCampaignFolder(out);
    console.error(`${remedy}: ${rows.length} episodes in ${((Date.now() - started) / 1000).toFixed(0)} s wall`);
    const outcomes: EpisodeOutcome[] = [];
    for (const r of rows) {
      const episodeDir = path.join(out, r.episodeDir);
      const body = JSON.parse(await readFile(path.join(episodeDir, 'episode.json'), 'utf8')) as {
        result: {
          seams: {
            seamRatio: number | null;
            raw: { seamRatio: number | null };
            lagTicks: number | null;
            trackingError: number | null;
          };
        };
      };
      const s = body.result.seams;
      outcomes.push({
        profile: r.model,
        remedy,
        seed: r.seed,
        success: r.success,
        seamRatio: r.seamRatio ?? null,
        rawSeamRatio: s.raw.seamRatio,
        lagTicks: s.lagTicks,
        trackingError: s.trackingError,
        maxStep: await largestStep(episodeDir),
      });
    }
    return outcomes;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor(q * (s.length - 1))];
};
const finite = (xs: (number | null | undefined)[]) => xs.map((x) => x ?? NaN).filter(Number.isFinite);
const pct = (x: number) => `${Math.round(100 * x)} %`;
/** Two decimals with a typographic minus, and no "−0.00". */
const signed = (x: number) => (Math.abs(x) < 0.005 ? '0.00' : x.toFixed(2).replace('-', '−'));

function printTable(all: readonly EpisodeOutcome[], header: string): void {
  const profiles = [...new Set(all.map((o) => o.profile))];
  const remedies = [...new Set(all.map((o) => o.remedy))];
  const baseline = remedies[0];
  console.log(`\n${header}; paired against ${baseline} on the same seeds\n`);
  console.log(
    `| profile | remedy | episodes | raw seam ratio (median) | sent seam ratio (median) | sent (p90) | sent > 1.5× | lag, ticks (mean) | added lag | tracking error ° (mean) | success (95 % CI) | vs ${baseline}: only this / only ${baseline} | McNemar p | largest step ° (median) |`,
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const profile of profiles) {
    const base = new Map(all.filter((o) => o.profile === profile && o.remedy === baseline).map((o) => [o.seed, o]));
    for (const remedy of remedies) {
      const os = all.filter((o) => o.profile === profile && o.remedy === remedy);
      const pairs = os.filter((o) => base.has(o.seed));
      // Added lag: the mean over seeds of this remedy's lag minus the baseline's on the same seed.
      const addedLag = mean(finite(pairs.map((o) => (o.lagTicks ?? NaN) - (base.get(o.seed)?.lagTicks ?? NaN))));
      const t = pairedTable(
        pairs.map((o) => o.success),
        pairs.map((o) => base.get(o.seed)?.success === true),
      );
      const ok = os.filter((o) => o.success).length;
      const [lo, hi] = wilsonInterval(ok, os.length);
      const sent = finite(os.map((o) => o.seamRatio));
      console.log(
        `| ${profile} | ${remedy} | ${os.length} | ${quantile(finite(os.map((o) => o.rawSeamRatio)), 0.5).toFixed(2)}× | ${quantile(sent, 0.5).toFixed(2)}× | ${quantile(sent, 0.9).toFixed(2)}× | ${sent.filter((r) => r > 1.5).length}/${sent.length} | ${mean(finite(os.map((o) => o.lagTicks))).toFixed(2)} | ${signed(addedLag)} | ${mean(finite(os.map((o) => o.trackingError))).toFixed(2)} | ${ok}/${os.length} ${pct(ok / os.length)} [${pct(lo)}, ${pct(hi)}] | ${remedy === baseline ? '–' : `${t.onlyA} / ${t.onlyB}`} | ${remedy === baseline ? '–' : mcnemarExactP(t.onlyA, t.onlyB).toFixed(3)} | ${quantile(
          os.map((o) => o.maxStep),
          0.5,
        ).toFixed(2)} |`,
      );
    }
  }
}

async function main(): Promise<void> {
  const episodes = Number(arg('episodes', '50'));
  const seed = Number(arg('seed', '1'));
  const models = arg('models', 'pi0,pi0_fast');
  const remedies = arg('remedies', 'aligned,crossfade:3,limit:4,ensemble').split(',');
  const out = arg('out', 'seams-bench.json');
  const steps = optional('steps');
  const keep = optional('keep');
  const latency = optional('latency');
  const earlier = optional('table');
  const all: EpisodeOutcome[] = [];
  if (earlier)
    for (const f of earlier.split(',')) all.push(...(JSON.parse(await readFile(f, 'utf8')) as EpisodeOutcome[]));
  else
    for (const remedy of remedies) {
      all.push(
        ...(await campaign(
          remedy,
          models,
          episodes,
          seed,
          steps,
          keep,
          latency === undefined ? undefined : Number(latency),
        )),
      );
      await writeFile(out, JSON.stringify(all, null, 1));
    }
  printTable(
    all,
    earlier
      ? `tables of ${earlier}`
      : `so100 eval --clock virtual, seeds ${seed}–${seed + episodes - 1}, ${steps ?? "the config's"} ticks at most${latency === undefined ? ", each profile's latency" : `, latency ${latency} ms`}`,
  );
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
