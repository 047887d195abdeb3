// The campaign folders under the workspace's .so100/evaluations/, newest first, each with how far it got: what the
// side bar's "Evaluations" node and the folder pickers list.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { campaignPlan, readCampaignFolder } from '../../runtime/evaluationCampaign';
import { EVALUATIONS_DIR } from '../../runtime/evaluationRun';

export interface CampaignFolder {
  readonly dir: string;
  readonly label: string;
  /** "4 of 4 episodes · pi0, pi0_fast", or why the folder cannot be read. */
  readonly description: string;
}

/** Campaigns listed at most (the newest); older ones open through Browse…. */
const LISTED = 20;

export async function campaignFolders(workspace: string): Promise<CampaignFolder[]> {
  const root = path.join(workspace, EVALUATIONS_DIR);
  const names = await readdir(root, { withFileTypes: true })
    .then((ds) =>
      ds
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort()
        .reverse()
        .slice(0, LISTED),
    )
    .catch((): string[] => []);
  return Promise.all(
    names.map(async (label): Promise<CampaignFolder> => {
      const dir = path.join(root, label);
      try {
        const { manifest, rows } = await readCampaignFolder(dir, 'open');
        const total = campaignPlan(manifest).length;
        return { dir, label, description: `${rows.length} of ${total} episodes · ${manifest.models.join(', ')}` };
      } catch (err) {
        return { dir, label, description: `not readable: ${err instanceof Error ? err.message : String(err)}` };
      }
    }),
  );
}
