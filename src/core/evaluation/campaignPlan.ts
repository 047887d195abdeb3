// Which episode runs when: every model on the same seeds (paired), interleaved per seed with the order reversed on
// every other seed (seed 1: A, B; seed 2: B, A; …) so that drift over a session (a warming motor, a tired
// operator, a cooling GPU) hits every model alike.

export interface PlannedEpisode {
  /** Position in the campaign, 0-based: episodes run in this order and resume at the first one not finished. */
  readonly index: number;
  readonly seed: number;
  readonly model: string;
}

export interface CampaignPlanInput {
  readonly models: readonly string[];
  readonly episodes: number;
  readonly startSeed: number;
}

export class CampaignPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CampaignPlanError';
  }
}

/** Largest seed a scene takes (32-bit unsigned, as the scene's generator is). */
export const MAX_SEED = 2 ** 32 - 1;

/** The campaign's episodes in run order; throws CampaignPlanError on a plan that cannot run. */
export function planCampaign({ models, episodes, startSeed }: CampaignPlanInput): PlannedEpisode[] {
  if (models.length === 0)
    throw new CampaignPlanError('no models to evaluate; name at least one (--models pi0,pi0_fast)');
  const dup = models.find((m, i) => models.indexOf(m) !== i);
  if (dup !== undefined) throw new CampaignPlanError(`model '${dup}' is listed twice; each model runs once per seed`);
  if (!Number.isInteger(episodes) || episodes < 1)
    throw new CampaignPlanError(`episodes is ${episodes}; a campaign needs at least 1 episode per model`);
  if (!Number.isInteger(startSeed) || startSeed < 0 || startSeed + episodes - 1 > MAX_SEED)
    throw new CampaignPlanError(`seeds ${startSeed}..${startSeed + episodes - 1} do not fit in 0..${MAX_SEED}`);
  const out: PlannedEpisode[] = [];
  for (let i = 0; i < episodes; i++) {
    const order = i % 2 === 0 ? models : [...models].reverse();
    for (const model of order) out.push({ index: out.length, seed: startSeed + i, model });
  }
  return out;
}
