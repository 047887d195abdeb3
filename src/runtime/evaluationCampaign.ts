// An evaluation campaign: models × seeds on one connected arm, each model's policy server up for the whole
// campaign, episodes in the plan's order (paired seeds, interleaved). After every episode its row is appended to
// results.csv (rewritten atomically), so a Ctrl-C or a killed process loses nothing: resuming reads the rows and
// continues at the first planned episode without one; a half-finished episode has no row and runs again. With a
// dataset folder, each finished episode is then appended to a LeRobot dataset (complete files after every append),
// and a resumed campaign first appends the rows the dataset lacks (a crash between the row and the append). Kept
// out of the CLI so that a VS Code command can drive the same campaign.
import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { So100Config } from '../core/config';
import {
  type EpisodeOutcome,
  type PlannedEpisode,
  planCampaign,
  summarizeCampaign,
  type CampaignSummary,
  type CampaignShard,
  CampaignPlanError,
  checkShard,
  shardPlan,
  chooseClock,
  ClockChoiceError,
  type ClockChoice,
} from '../core/evaluation';
import type { Clock, ClockKind } from '../core/timing/clock';
import { VirtualClock } from '../io/clock/virtualClock';
import { wallClock } from '../io/clock/wallClock';
import type { EpisodeSummary, RuntimeModelEndpoint } from '../core/rpc';
import { appendMissingEpisodes, DatasetExportError, SOURCES_FILE, type EpisodeRef } from '../io/export';
import { atomicWriteFile } from '../io/fs/atomicWriteFile';
import { freePort } from '../io/net/freePort';
import { modelServerSpec, needsFreePort, type ModelSpecContext } from '../io/process/modelServerSpec';
import { ServerSupervisor } from '../io/process/serverSupervisor';
import { csvLine, csvNumber, csvText } from '../io/recording/csvCells';
import type { RuntimeSession } from './runtimeSession';
import { isSimulatedArm } from '../core/config';

export const RESULTS_COLUMNS = [
  'model',
  'seed',
  'episode_dir',
  'success',
  'label_source',
  'reason',
  'steps',
  'time_to_success_s',
  'starved_ticks',
  'clamped_ticks',
  'late_ticks',
  'seam_ratio',
  'policy_p50_ms',
  'policy_p95_ms',
  'policy_p99_ms',
] as const;

export class CampaignError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CampaignError';
  }
}

/** What a campaign folder's campaign.json holds: enough to resume it and to know what it measured. */
export interface CampaignManifest {
  readonly version: 1;
  readonly createdAt: string;
  readonly models: readonly string[];
  readonly episodes: number;
  readonly startSeed: number;
  /** What the episodes ran on (campaigns before virtual time have 'wall'). */
  readonly clock: ClockKind;
  readonly fps: number;
  readonly config: So100Config;
  /** Present when this folder is one shard of a campaign split across machines (`--shard K/N`). */
  readonly shard?: CampaignShard;
  /** The LeRobot dataset the finished episodes are appended to, when the campaign keeps one. */
  readonly dataset?: string;
  /** `operator`: a person labels each outcome (a real arm; runtime/operatorLabels.ts asks); else the scene decides. */
  readonly labels?: 'operator';
}

export interface ResultRow {
  readonly model: string;
  readonly seed: number;
  readonly episodeDir: string;
  readonly success: boolean;
  readonly reason: string;
  readonly steps: number;
  readonly starvedTicks: number;
  readonly clampedTicks: number;
  readonly lateTicks: number;
  /** The episode's seam ratio (episode.json result.seams.seamRatio); undefined when no boundary was measured. */
  readonly seamRatio: number | undefined;
  readonly policyMs: { readonly p50: number; readonly p95: number; readonly p99: number } | undefined;
}

export interface CampaignHooks {
  readonly log: (line: string) => void;
  readonly signal?: AbortSignal;
  /** After each finished episode, once its row is in results.csv: `done` of the plan's `total` episodes. */
  readonly onRow?: (row: ResultRow, done: number, total: number) => void;
}

/** Checks a campaign folder's files before anything is written; throws CampaignError naming the file at fault. */
export async function readCampaignFolder(
  dir: string,
  action: 'resume' | 'merge' | 'open' = 'resume',
): Promise<{ manifest: CampaignManifest; rows: ResultRow[] }> {
  const manifestPath = path.join(dir, 'campaign.json');
  let manifest: CampaignManifest;
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as CampaignManifest;
  } catch (err) {
    throw new CampaignError(
      `cannot ${action}: ${manifestPath} is missing or not valid JSON (${(err as Error).message}); nothing was changed`,
    );
  }
  if (
    manifest?.version !== 1 ||
    !Array.isArray(manifest.models) ||
    !Number.isInteger(manifest.episodes) ||
    !Number.isInteger(manifest.startSeed) ||
    typeof manifest.config !== 'object'
  )
    throw new CampaignError(`cannot ${action}: ${manifestPath} is not a campaign of this version; nothing was changed`);
  if (manifest.shard !== undefined) {
    try {
      checkShard(manifest.shard);
    } catch (err) {
      throw new CampaignError(`cannot ${action}: ${manifestPath} has a bad shard (${(err as Error).message})`);
    }
  }
  const resultsPath = path.join(dir, 'results.csv');
  let text = '';
  try {
    text = await readFile(resultsPath, 'utf8');
  } catch {
    return { manifest, rows: [] }; // no episode finished yet
  }
  return { manifest, rows: parseResults(text, resultsPath, manifest, action) };
}

function parseResults(text: string, file: string, manifest: CampaignManifest, action: string): ResultRow[] {
  const lines = text.split('\n').filter((l) => l !== '');
  if (lines[0] !== RESULTS_COLUMNS.join(','))
    throw new CampaignError(`cannot ${action}: ${file} does not start with the results header; nothing was changed`);
  return lines.slice(1).map((line, i) => {
    const cells = splitCsv(line);
    const bad = (why: string) =>
      new CampaignError(`cannot ${action}: ${file} line ${i + 2} ${why}; nothing was changed`);
    if (cells.length !== RESULTS_COLUMNS.length) throw bad(`has ${cells.length} cells, not ${RESULTS_COLUMNS.length}`);
    const [model, seed, episodeDir, success, , reason, steps, , starved, clamped, late, seam, p50, p95, p99] = cells;
    if (!manifest.models.includes(model)) throw bad(`names model '${model}', which the campaign does not run`);
    if (!/^\d+$/.test(seed)) throw bad(`has seed '${seed}'`);
    if (success !== 'true' && success !== 'false') throw bad(`has success '${success}'`);
    return {
      model,
      seed: Number(seed),
      episodeDir,
      success: success === 'true',
      reason,
      steps: Number(steps),
      starvedTicks: Number(starved),
      clampedTicks: Number(clamped),
      lateTicks: Number(late),
      seamRatio: seam === '' ? undefined : Number(seam),
      policyMs: p50 === '' ? undefined : { p50: Number(p50), p95: Number(p95), p99: Number(p99) },
    };
  });
}

/** Splits one CSV line written by csvLine (quoted cells may hold commas and doubled quotes). */
function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') ((cur += '"'), i++);
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') (out.push(cur), (cur = ''));
    else cur += ch;
  }
  out.push(cur);
  return out;
}

export function resultsText(
  rows: readonly ResultRow[],
  fps: number,
  labelSource: 'automatic' | 'operator' = 'automatic',
): string {
  const lines = [RESULTS_COLUMNS.join(',') + '\n'];
  for (const r of rows) {
    lines.push(
      csvLine([
        csvText(r.model),
        String(r.seed),
        csvText(r.episodeDir),
        String(r.success),
        labelSource,
        csvText(r.reason),
        String(r.steps),
        r.success ? csvNumber(r.steps / fps, 3) : '',
        String(r.starvedTicks),
        String(r.clampedTicks),
        String(r.lateTicks),
        csvNumber(r.seamRatio, 2),
        csvNumber(r.policyMs?.p50, 2),
        csvNumber(r.policyMs?.p95, 2),
        csvNumber(r.policyMs?.p99, 2),
      ]),
    );
  }
  return lines.join(''); // csvLine ends each row
}

export interface CampaignSetup {
  /** The episode config; each model must be one of its models. */
  readonly config: So100Config;
  readonly models: readonly string[];
  readonly episodes: number;
  readonly startSeed: number;
  readonly outDir: string;
  /** Continue the campaign in outDir (its campaign.json decides models, seeds and config). */
  readonly resume: boolean;
  /** Run only this shard's seeds (both models of each); ignored on resume (campaign.json keeps it). */
  readonly shard?: CampaignShard;
  readonly workspace: string;
  readonly ffmpegPath?: string;
  /** A LeRobot dataset folder to append each finished episode to (on resume: else the campaign's own). */
  readonly dataset?: string;
  /** How to start the built-in server (`so100 serve`) and user commands. */
  readonly serverContext: Omit<ModelSpecContext, 'freePort'>;
  /** The clock asked for (default: the config's evaluation.clock); a resumed campaign keeps the one it ran on. */
  readonly clock?: ClockChoice;
  /** A person labels each outcome; the session given must ask them (runtime/operatorLabels.ts). */
  readonly labels?: 'operator';
}

export interface CampaignResult {
  readonly outDir: string;
  readonly summary: CampaignSummary;
  readonly completed: boolean;
}

/**
 * Runs (or resumes) a campaign on a session `sessionOn` makes for the campaign's clock (not yet connected); stops
 * cleanly on abort or a failing server.
 */
export async function runCampaign(
  sessionOn: (clock: Clock) => RuntimeSession,
  setup: CampaignSetup,
  hooks: CampaignHooks,
): Promise<CampaignResult> {
  let manifest: CampaignManifest;
  let rows: ResultRow[] = [];
  if (setup.resume) {
    ({ manifest, rows } = await readCampaignFolder(setup.outDir));
  } else {
    let clock: ClockKind;
    try {
      const decision = chooseClock(setup.clock ?? setup.config.evaluation.clock, setup.config, setup.models);
      clock = decision.kind;
      if (decision.wallReason) hooks.log(`Wall time: ${decision.wallReason}.`);
    } catch (err) {
      if (err instanceof ClockChoiceError) throw new CampaignError(`${err.message}; nothing was run`);
      throw err;
    }
    manifest = {
      version: 1,
      createdAt: new Date().toISOString(),
      models: setup.models,
      episodes: setup.episodes,
      startSeed: setup.startSeed,
      clock,
      fps: setup.config.fps,
      config: setup.config,
      ...(setup.shard && { shard: setup.shard }),
      dataset: setup.dataset && path.resolve(setup.dataset),
      ...(setup.labels && { labels: setup.labels }),
    };
  }
  const datasetDir = setup.dataset ? path.resolve(setup.dataset) : manifest.dataset;
  if (datasetDir !== undefined) await checkDatasetFolder(datasetDir);
  const config = manifest.config;
  for (const m of manifest.models) {
    if (!config.models[m])
      throw new CampaignError(`unknown model '${m}'; so100.json has ${Object.keys(config.models).join(', ')}`);
  }
  if (!isSimulatedArm(config.robot) && manifest.labels !== 'operator')
    throw new CampaignError(
      `robot.port is ${config.robot.port}: on a real arm the scene cannot tell success, so the operator labels each outcome (so100 eval --labels operator, or SO-100: Run Evaluation in VS Code)`,
    );
  // Virtual time: the built-in models run in this process on the campaign's clock, so no server is started.
  const virtual = manifest.clock === 'virtual';
  if (virtual) hooks.log('Virtual time: the simulated arm and the built-in models run faster than real time.');
  const session = sessionOn(virtual ? new VirtualClock() : wallClock);
  const plan = campaignPlan(manifest);
  const done = new Set(rows.map((r) => `${r.model}@${r.seed}`));
  const todo = plan.filter((p) => !done.has(`${p.model}@${p.seed}`));
  await mkdir(setup.outDir, { recursive: true });
  if (!setup.resume) {
    await atomicWriteFile(path.join(setup.outDir, 'campaign.json'), JSON.stringify(manifest, null, 2) + '\n');
    await atomicWriteFile(path.join(setup.outDir, 'results.csv'), resultsText([], config.fps, manifest.labels));
  } else hooks.log(`Resuming ${setup.outDir}: ${rows.length} of ${plan.length} episodes done.`);
  const dataset =
    datasetDir === undefined ? undefined : new CampaignDataset(datasetDir, setup.outDir, setup.ffmpegPath, hooks);
  // Rows the dataset lacks (a crash after a row was written, or a dataset named only now) go in first.
  if (dataset && rows.length > 0) await dataset.append(rows);

  const supervisors = new Map<string, ServerSupervisor>();
  const endpoints: Record<string, RuntimeModelEndpoint> = {};
  let completed = false;
  try {
    for (const m of manifest.models) {
      const model = config.models[m];
      if (virtual) continue;
      if (model.kind === 'remote') {
        endpoints[m] = { url: model.url, protocol: model.protocol };
        continue;
      }
      const spec = modelServerSpec(m, model, {
        ...setup.serverContext,
        freePort: needsFreePort(model) ? await freePort('127.0.0.1') : 0,
      });
      const sup = new ServerSupervisor(spec);
      supervisors.set(m, sup);
      hooks.log(`Starting ${m}'s policy server on ${spec.host}:${spec.port}…`);
      await sup.start(hooks.signal).catch((err: unknown) => {
        throw new CampaignError(
          `${m}'s policy server did not start: ${(err as Error).message}. The campaign in ${setup.outDir} is resumable (--resume).`,
        );
      });
      endpoints[m] = { url: `ws://${spec.host}:${spec.port}`, protocol: model.protocol };
    }
    const first = todo[0] ?? plan[0];
    const episodesDir = path.join(setup.outDir, 'episodes');
    await session.connect({
      config: withScene(config, first.seed, first.model),
      endpoints,
      recordDir: episodesDir,
      ffmpegPath: setup.ffmpegPath,
    });
    let current = first.model;
    for (const p of todo) {
      if (hooks.signal?.aborted) break;
      const row = await runPlanned(session, config, p, current, endpoints, supervisors, setup.outDir);
      current = p.model;
      // Interrupted mid-episode: that episode is not an outcome; it runs again on resume (its record stays, unlisted).
      if (hooks.signal?.aborted) break;
      rows.push(row);
      await atomicWriteFile(path.join(setup.outDir, 'results.csv'), resultsText(rows, config.fps, manifest.labels));
      hooks.log(
        `  ${String(rows.length).padStart(4)}/${plan.length}  seed ${p.seed}  ${p.model.padEnd(10)} ${row.success ? 'success' : 'failure'} — ${row.reason}`,
      );
      hooks.onRow?.(row, rows.length, plan.length);
      if (dataset) await dataset.append(rows);
    }
    completed = rows.length === plan.length;
  } finally {
    await session.disconnect().catch(() => undefined);
    await Promise.allSettled([...supervisors.values()].map((s) => s.stop()));
  }
  const summary = await writeSummary(manifest, rows, setup.outDir);
  return { outDir: setup.outDir, summary, completed };
}

/** The episodes a campaign folder runs: the whole plan, or its shard's part of it. */
export function campaignPlan(manifest: CampaignManifest): PlannedEpisode[] {
  try {
    const plan = planCampaign({ models: manifest.models, episodes: manifest.episodes, startSeed: manifest.startSeed });
    return manifest.shard ? shardPlan(plan, manifest.episodes, manifest.startSeed, manifest.shard) : plan;
  } catch (err) {
    if (err instanceof CampaignPlanError) throw new CampaignError(err.message);
    throw err;
  }
}

/** summary.json recomputed from the rows (and the episodes' timing.csv), never from other summaries. */
export async function writeSummary(
  manifest: CampaignManifest,
  rows: readonly ResultRow[],
  outDir: string,
): Promise<CampaignSummary> {
  const lags = await lagTicks(rows, outDir);
  const summary = summarizeCampaign(
    manifest.models,
    manifest.config.fps,
    rows.map((r): EpisodeOutcome => ({
      model: r.model,
      seed: r.seed,
      success: r.success,
      steps: r.steps,
      starvedTicks: r.starvedTicks,
      seamRatio: r.seamRatio,
      lagTicks: lags.get(r),
    })),
    await latencySamples(rows, outDir),
  );
  await atomicWriteFile(path.join(outDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  return summary;
}

/** A dataset folder must be new or one this exporter made (it appends to it); checked before anything runs. */
async function checkDatasetFolder(dir: string): Promise<void> {
  if (!(await stat(dir).catch(() => undefined))) return;
  if (!(await stat(path.join(dir, SOURCES_FILE)).catch(() => undefined)))
    throw new CampaignError(
      `${dir} exists and is not a dataset this exporter made (no ${SOURCES_FILE}); choose a new --dataset folder; nothing was run`,
    );
}

/**
 * The campaign's LeRobot dataset: after each row, the finished episodes it lacks are appended (the exporter writes
 * a sibling folder and renames it in, so a crash leaves the previous complete dataset). An episode the exporter
 * refuses is reported once and left out; the campaign goes on, its results are what it measures.
 */
class CampaignDataset {
  private readonly refused = new Set<string>();

  constructor(
    readonly dir: string,
    private readonly outDir: string,
    private readonly ffmpegPath: string | undefined,
    private readonly hooks: CampaignHooks,
  ) {}

  async append(rows: readonly ResultRow[]): Promise<void> {
    const refs: EpisodeRef[] = rows
      .filter((r) => r.episodeDir !== '')
      .map((r) => ({ dir: path.resolve(this.outDir, r.episodeDir), evaluation: { success: r.success } }))
      .filter((r) => !this.refused.has(r.dir));
    if (refs.length === 0) return;
    try {
      const s = await appendMissingEpisodes(this.dir, refs, { ffmpegPath: this.ffmpegPath, signal: this.hooks.signal });
      if (s) this.hooks.log(`        dataset ${this.dir}: ${s.episodes} episodes, ${s.frames} frames`);
    } catch (err) {
      if (!(err instanceof DatasetExportError)) throw err;
      if (this.hooks.signal?.aborted) return; // cancelled: the previous dataset stands; resume appends the rest
      const bad = refs.find((r) => err.message.includes(r.dir));
      this.hooks.log(
        `  warning: the dataset in ${this.dir} was not updated: ${err.message}` +
          (bad ? ` (that episode is left out of the dataset)` : ''),
      );
      if (bad) this.refused.add(bad.dir);
    }
  }
}

/** The config of one planned episode: the seed's varied scene and the model active. */
function withScene(config: So100Config, seed: number, model: string): So100Config {
  return { ...config, activeModel: model, robot: { ...config.robot, seed, scene: 'varied' } };
}

async function runPlanned(
  session: RuntimeSession,
  config: So100Config,
  p: PlannedEpisode,
  current: string,
  endpoints: Record<string, RuntimeModelEndpoint>,
  supervisors: ReadonlyMap<string, ServerSupervisor>,
  outDir: string,
): Promise<ResultRow> {
  const sup = supervisors.get(p.model);
  if (sup && sup.state !== 'ready')
    throw new CampaignError(
      `${p.model}'s policy server is ${sup.state}; the campaign stopped before seed ${p.seed}. Resume with --resume ${outDir}`,
    );
  await session.applyConfig(withScene(config, p.seed, p.model));
  if (p.model !== current) await session.swapModel(p.model, endpoints[p.model]);
  // As Reset does: the arm glides to its start pose, the policy is reset, the scene is the seed's.
  await session.reset();
  await session.runEpisode();
  const s: EpisodeSummary = await session.episodeEnded()!;
  const policy = s.timing.find((t) => t.stage === 'policy total');
  return {
    model: p.model,
    seed: p.seed,
    episodeDir: s.recordDir ? path.relative(outDir, s.recordDir) : '',
    success: s.success,
    reason: s.reason,
    steps: s.steps,
    starvedTicks: s.starvedTicks,
    clampedTicks: s.clampedTicks,
    lateTicks: s.lateTicks,
    seamRatio: s.seams && Number.isFinite(s.seams.seamRatio) ? s.seams.seamRatio : undefined,
    policyMs: policy && policy.count > 0 ? { p50: policy.p50, p95: policy.p95, p99: policy.p99 } : undefined,
  };
}

/** Per model and stage, every tick's ms from the episodes' timing.csv (percentiles over all ticks, not of episodes). */
/** Each row's tracking lag from its episode.json (result.seams.lagTicks); rows without one are left out. */
async function lagTicks(rows: readonly ResultRow[], outDir: string): Promise<Map<ResultRow, number>> {
  const out = new Map<ResultRow, number>();
  for (const r of rows) {
    if (!r.episodeDir) continue;
    try {
      const episode = JSON.parse(await readFile(path.join(outDir, r.episodeDir, 'episode.json'), 'utf8')) as {
        result?: { seams?: { lagTicks?: unknown } } | null;
      };
      const lag = episode.result?.seams?.lagTicks;
      if (typeof lag === 'number' && Number.isFinite(lag)) out.set(r, lag);
    } catch {
      // An episode folder gone or cut short: its lag is not measured.
    }
  }
  return out;
}

async function latencySamples(rows: readonly ResultRow[], outDir: string): Promise<Map<string, Map<string, number[]>>> {
  const out = new Map<string, Map<string, number[]>>();
  for (const r of rows) {
    if (!r.episodeDir) continue;
    let text: string;
    try {
      text = await readFile(path.join(outDir, r.episodeDir, 'timing.csv'), 'utf8');
    } catch {
      continue;
    }
    const [header, ...lines] = text.split('\n').filter((l) => l !== '');
    // Column `policy_total_ms` → stage `policy total` (timingColumn in reverse).
    const names = header.split(',').map((c) => c.replace(/_ms$/, '').replace(/_/g, ' '));
    const stages = out.get(r.model) ?? new Map<string, number[]>();
    out.set(r.model, stages);
    for (const line of lines) {
      const cells = line.split(',');
      for (let i = 1; i < names.length; i++) {
        if (cells[i] === undefined || cells[i] === '') continue;
        const v = Number(cells[i]);
        if (!Number.isFinite(v)) continue;
        const list = stages.get(names[i]) ?? [];
        stages.set(names[i], list);
        list.push(v);
      }
    }
  }
  return out;
}

/**
 * The summary as a table of lines: model, n, success rate with its interval, policy latency p50 / p99, the share of
 * ticks starved and the median of the episodes' seam ratios — every number as summary.json has it.
 */
export function summaryTable(summary: CampaignSummary): string[] {
  const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
  const lines = [
    `${'model'.padEnd(12)}${'n'.padStart(5)}  ${'success (95 % CI)'.padEnd(24)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}` +
      `${'starved'.padStart(9)}${'seam ratio'.padStart(12)}${'lag ticks'.padStart(11)}`,
  ];
  for (const [name, m] of Object.entries(summary.models)) {
    const lat = m.latency_ms['policy total'];
    lines.push(
      `${name.padEnd(12)}${String(m.episodes).padStart(5)}  ${`${pct(m.success_rate)} [${pct(m.wilson95[0])}, ${pct(m.wilson95[1])}]`.padEnd(24)}` +
        `${(lat ? lat.p50.toFixed(1) : '–').padStart(9)}${(lat ? lat.p99.toFixed(1) : '–').padStart(9)}` +
        `${`${(m.starved_fraction * 100).toFixed(1)} %`.padStart(9)}` +
        `${(m.seam_ratio_median === null ? '–' : `${m.seam_ratio_median.toFixed(2)}×`).padStart(12)}` +
        `${(m.lag_ticks_median === null ? '–' : m.lag_ticks_median.toFixed(2)).padStart(11)}`,
    );
  }
  if (lines.length > 1)
    lines.push(
      '(starved: share of ticks with no action ready; seam ratio and lag (sent behind the policy): medians over episodes)',
    );
  return lines;
}
