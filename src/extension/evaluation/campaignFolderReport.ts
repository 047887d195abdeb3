// A campaign folder read for the Evaluation Report: campaign.json and results.csv through the campaign's own reader
// (the same checks `--resume` makes), summary.json when the campaign has written it, then core's report model.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { evaluationReport, type CampaignSummary, type EvaluationReport } from '../../core/evaluation';
import { campaignPlan, readCampaignFolder, type ResultRow } from '../../runtime/evaluationCampaign';

export interface CampaignFolderReport {
  readonly report: EvaluationReport;
  readonly rows: readonly ResultRow[];
}

/** Throws CampaignError naming the file at fault when the folder is not a readable campaign. */
export async function readCampaignReport(
  outDir: string,
  progress?: { readonly doneThisRun: number; readonly elapsedMs: number },
): Promise<CampaignFolderReport> {
  const { manifest, rows } = await readCampaignFolder(outDir, 'open');
  let summary: CampaignSummary | undefined;
  try {
    summary = JSON.parse(await readFile(path.join(outDir, 'summary.json'), 'utf8')) as CampaignSummary;
  } catch {
    summary = undefined; // not written yet (a campaign under way), or unreadable: the rows still make the report
  }
  const report = evaluationReport({
    models: manifest.models,
    plan: campaignPlan(manifest),
    fps: manifest.fps,
    clock: manifest.clock,
    rows: rows.map((r) => ({
      model: r.model,
      seed: r.seed,
      success: r.success,
      reason: r.reason,
      episodeDir: r.episodeDir,
      steps: r.steps,
      starvedTicks: r.starvedTicks,
      seamRatio: r.seamRatio,
    })),
    summary: summary && typeof summary.models === 'object' ? summary : undefined,
    progress,
  });
  return { report, rows };
}
