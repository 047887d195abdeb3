// How an action already queued for a step is combined with a newer chunk's action for the same step.
// LeRobot's async client names: latest_only = latest, average = average, weighted_average = weighted(0.7),
// conservative = weighted(0.3).

/** `latest`: the new chunk wins; `average`: mean of both; `weighted`: alpha·new + (1 − alpha)·old. */
export type AggregateMode = 'latest' | 'average' | 'weighted';

/** LeRobot's default weighted_average gives the new chunk 0.7. */
export const DEFAULT_AGGREGATE_ALPHA = 0.7;

/** Weight of the new action under `mode` (alpha is used only by `weighted`). */
export function newActionWeight(mode: AggregateMode, alpha: number): number {
  switch (mode) {
    case 'latest':
      return 1;
    case 'average':
      return 0.5;
    case 'weighted':
      return alpha;
  }
}

/** Merges `incoming` into `queued` in place: queued = w·incoming + (1 − w)·queued. */
export function aggregateInto(queued: Float64Array, incoming: Float64Array, newWeight: number): void {
  if (newWeight === 1) {
    queued.set(incoming);
    return;
  }
  const oldWeight = 1 - newWeight;
  for (let j = 0; j < queued.length; j++) queued[j] = newWeight * incoming[j] + oldWeight * queued[j];
}
