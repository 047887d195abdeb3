// Joining the shard folders of a campaign split across machines (`so100 eval --shard K/N`) into one campaign
// folder: the same campaign.json without the shard, every shard's rows in the whole campaign's plan order, the
// episodes' records copied next to them, and summary.json recomputed from the joined rows and the episodes'
// timing.csv (percentiles and intervals cannot be averaged across shards). Shards that are not parts of the same
// campaign — another config, other models or seeds, a repeated or missing shard, overlapping seeds, an unfinished
// shard — are refused before anything is written, naming the folder and the difference.
import { cp, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { planCampaign, shardSeeds, type CampaignSummary } from '../core/evaluation';
import { atomicWriteFile } from '../io/fs/atomicWriteFile';
import {
  CampaignError,
  campaignPlan,
  readCampaignFolder,
  resultsText,
  writeSummary,
  type CampaignManifest,
  type ResultRow,
} from './evaluationCampaign';

export interface MergedCampaign {
  readonly outDir: string;
  readonly manifest: CampaignManifest;
  readonly summary: CampaignSummary;
  readonly episodes: number;
}

/** The first place two JSON values differ, as "path: a ≠ b"; undefined when they are equal. */
export function firstDifference(a: unknown, b: unknown, at = ''): string | undefined {
  if (a === b) return undefined;
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;
  if (isObj(a) && isObj(b) && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) {
      const d = firstDifference(a[k], b[k], at === '' ? k : `${at}.${k}`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  const show = (x: unknown) => (x === undefined ? '(absent)' : JSON.stringify(x));
  return `${at || '(whole value)'}: ${show(a)} ≠ ${show(b)}`;
}

/** Merges the shard folders `dirs` into the new folder `outDir`; throws CampaignError before writing on a mismatch. */
export async function mergeCampaigns(
  dirs: readonly string[],
  outDir: string,
  log: (line: string) => void = () => undefined,
): Promise<MergedCampaign> {
  if (dirs.length === 0)
    throw new CampaignError('nothing to merge: name the shard folders (so100 eval --merge DIR… --out DIR)');
  const shards = [];
  for (const dir of dirs) shards.push({ dir, ...(await readCampaignFolder(dir, 'merge')) });
  for (const s of shards) {
    if (!s.manifest.shard)
      throw new CampaignError(
        `cannot merge: ${s.dir} is a whole campaign, not a shard (it was not run with --shard K/N)`,
      );
  }
  const base = shards[0];
  const count = base.manifest.shard!.count;
  // Everything but the shard, the time it was made and the fields of later versions must be the same.
  const comparable = (m: CampaignManifest) => ({
    models: m.models,
    episodes: m.episodes,
    startSeed: m.startSeed,
    clock: m.clock,
    fps: m.fps,
    shards: m.shard!.count,
    config: m.config,
  });
  const byIndex = new Map<number, string>();
  for (const s of shards) {
    const diff = firstDifference(comparable(base.manifest), comparable(s.manifest));
    if (diff !== undefined)
      throw new CampaignError(
        `cannot merge: ${s.dir} is not a shard of the same campaign as ${base.dir} (${diff}); nothing was written`,
      );
    const k = s.manifest.shard!.index;
    const twin = byIndex.get(k);
    if (twin !== undefined)
      throw new CampaignError(`cannot merge: ${twin} and ${s.dir} are both shard ${k}/${count}; nothing was written`);
    byIndex.set(k, s.dir);
  }
  const missing = [...Array(count).keys()].filter((k) => !byIndex.has(k));
  if (missing.length > 0)
    throw new CampaignError(
      `cannot merge: shard${missing.length > 1 ? 's' : ''} ${missing.map((k) => `${k}/${count}`).join(', ')} of the campaign ${missing.length > 1 ? 'are' : 'is'} missing; name every shard's folder; nothing was written`,
    );
  // Every row inside its shard's seeds, no seed in two shards, every shard finished.
  const seedOwner = new Map<number, string>();
  for (const s of shards) {
    const { first, last } = shardSeeds(s.manifest.episodes, s.manifest.startSeed, s.manifest.shard!);
    const shardOwn = new Set<number>();
    for (const r of s.rows) {
      if (r.seed < first || r.seed > last)
        throw new CampaignError(
          `cannot merge: ${s.dir} has seed ${r.seed}, outside its shard's seeds ${first}..${last}; nothing was written`,
        );
      const owner = seedOwner.get(r.seed);
      if (owner !== undefined && owner !== s.dir)
        throw new CampaignError(`cannot merge: seed ${r.seed} is in both ${owner} and ${s.dir}; nothing was written`);
      seedOwner.set(r.seed, s.dir);
      shardOwn.add(r.seed);
    }
    const planned = campaignPlan(s.manifest).length;
    const done = new Set(s.rows.map((r) => `${r.model}@${r.seed}`)).size;
    if (done !== s.rows.length)
      throw new CampaignError(`cannot merge: ${s.dir}'s results.csv lists an episode twice; nothing was written`);
    if (done < planned)
      throw new CampaignError(
        `cannot merge: ${s.dir} (shard ${s.manifest.shard!.index}/${count}) has ${done} of its ${planned} episodes; finish it with so100 eval --resume ${s.dir}; nothing was written`,
      );
  }
  const existing = await readdir(outDir).catch(() => []);
  if (existing.length > 0)
    throw new CampaignError(
      `cannot merge into ${outDir}: the folder is not empty; name a new one; nothing was written`,
    );

  await mkdir(path.join(outDir, 'episodes'), { recursive: true });
  const order = new Map(
    planCampaign({
      models: base.manifest.models,
      episodes: base.manifest.episodes,
      startSeed: base.manifest.startSeed,
    }).map((p) => [`${p.model}@${p.seed}`, p.index]),
  );
  const rows: ResultRow[] = [];
  const taken = new Set<string>();
  for (const s of shards) {
    for (const r of s.rows) {
      if (!r.episodeDir) {
        rows.push(r);
        continue;
      }
      // Episode folders are named by their start time; two machines can start one in the same millisecond.
      const name = path.basename(r.episodeDir);
      let target = name;
      for (let n = 2; taken.has(target); n++) target = `${name}-${n}`;
      taken.add(target);
      await cp(path.join(s.dir, r.episodeDir), path.join(outDir, 'episodes', target), { recursive: true });
      rows.push({ ...r, episodeDir: path.join('episodes', target) });
    }
  }
  rows.sort((x, y) => order.get(`${x.model}@${x.seed}`)! - order.get(`${y.model}@${y.seed}`)!);
  // A shard's dataset folder is that shard's own: the merged campaign starts without one (export it as a whole).
  const { shard: _shard, dataset: _dataset, ...whole } = base.manifest;
  const manifest: CampaignManifest & { mergedFrom: unknown } = {
    ...whole,
    createdAt: new Date().toISOString(),
    mergedFrom: shards
      .map((s) => ({ dir: path.resolve(s.dir), shard: s.manifest.shard, createdAt: s.manifest.createdAt }))
      .sort((x, y) => x.shard!.index - y.shard!.index),
  };
  await atomicWriteFile(path.join(outDir, 'campaign.json'), JSON.stringify(manifest, null, 2) + '\n');
  await atomicWriteFile(path.join(outDir, 'results.csv'), resultsText(rows, manifest.config.fps, manifest.labels));
  const summary = await writeSummary(manifest, rows, outDir);
  log(`Merged ${shards.length} shards (${rows.length} episodes) into ${outDir}`);
  return { outDir, manifest, summary, episodes: rows.length };
}
