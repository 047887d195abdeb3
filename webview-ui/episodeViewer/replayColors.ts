// One colour per replay model, apart from the plots' own lines (measured blue, sent orange, the recorded fan purple,
// a compared episode green): the theme's yellow first, then fixed hues readable on light and dark themes.
import type { DashboardColors } from '../dashboard/theme';

const MORE = ['#4ec9b0', '#e07bb5', '#c09553', '#8fa8ff'];

/** The colour of the k-th replay model of an episode (in the order the episode lists them). */
export function replayColor(colors: DashboardColors, k: number): string {
  const palette = [colors.starved, ...MORE];
  return palette[k % palette.length];
}
