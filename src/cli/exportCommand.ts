// `so100 export`: episode records or an evaluation folder → a LeRobotDataset v3.0.
import { parseArgs } from 'node:util';
import {
  DatasetExportError,
  evaluationRefs,
  exportLeRobotDataset,
  isEvaluationFolder,
  type EpisodeRef,
} from '../io/export';
import { CliUsageError } from './cliUsageError';

const usage = `so100 export — episode records as a LeRobotDataset v3.0 (what LeRobot's tools and the Hub read)

Usage:
  so100 export EPISODE_DIR… --format lerobot-v3 --out DIR [options]
  so100 export EVALUATION_DIR --format lerobot-v3 --out DIR [options]

An evaluation folder (campaign.json + results.csv) exports its episodes with next.success / next.done / next.reward.
\`action\` is what the arm was sent (after safety); \`action.policy\` holds the policy's raw rows when every record
kept them (records made before the policy's rows were recorded leave it out).
Camera frames become one mp4 per camera (H.264) through ffmpeg; without ffmpeg nothing is written.

Options:
  --format lerobot-v3   the dataset format (required; the only one so far)
  --out DIR             the dataset folder; must not exist unless --append
  --append              add the episodes to the dataset at DIR (indices continue; its episode records must exist)
  --only-success        keep successful episodes only
  --repo-id NAME        the Hub name to note with the dataset, e.g. user/so100_pick_eval
  --ffmpeg PATH         ffmpeg program (default: ffmpeg from PATH; ffprobe is taken from beside it)`;

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string' },
      out: { type: 'string' },
      append: { type: 'boolean' },
      'only-success': { type: 'boolean' },
      'repo-id': { type: 'string' },
      ffmpeg: { type: 'string' },
    },
  });
  if (values.format !== 'lerobot-v3')
    throw new CliUsageError(`--format lerobot-v3 is required (got ${values.format ?? 'none'})`);
  if (!values.out) throw new CliUsageError('--out DIR is required');
  if (positionals.length === 0) throw new CliUsageError('name at least one episode folder or an evaluation folder');
  const refs: EpisodeRef[] = [];
  for (const p of positionals) {
    if (await isEvaluationFolder(p)) refs.push(...(await evaluationRefs(p)));
    else refs.push({ dir: p });
  }
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    const summary = await exportLeRobotDataset(refs, {
      out: values.out,
      append: values.append,
      onlySuccess: values['only-success'],
      repoId: values['repo-id'],
      ffmpegPath: values.ffmpeg,
      signal: abort.signal,
      onProgress: ({ done, total }) =>
        process.stderr.write(`\rexporting episode ${Math.min(done + 1, total)}/${total}`),
    });
    process.stderr.write('\n');
    console.log(
      `Wrote ${summary.out}: ${summary.episodes} episodes (${summary.added} added), ${summary.frames} frames, cameras ${summary.cameras.join(', ') || 'none'}, ${(summary.bytes / 1e6).toFixed(1)} MB`,
    );
    for (const s of summary.skipped) console.log(`  skipped ${s.dir}: ${s.why}`);
    if (summary.noPolicyAction) console.log(`  no action.policy feature: ${summary.noPolicyAction}`);
    for (const n of summary.notes) console.log(`  note: ${n}`);
    return 0;
  } catch (err) {
    process.stderr.write('\n');
    if (err instanceof DatasetExportError) {
      console.error(`so100 export: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

export const runExport = { run, usage };
