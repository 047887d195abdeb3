// The numbers on the Dashboard's axes: value ranges with a minimum span (so sub-degree noise does not fill a plot
// and look like motion), bar-chart tops scaled to the data with the budget marked, and labels that carry their unit.
// Pure: no DOM, unit-tested.

/** A plot never spans less than this many units (degrees, % or ±100 alike: 10 of any is a visible move). */
export const MIN_SPAN = 10;
/** Margin above and below the data, as a share of the span. */
const MARGIN = 0.08;

/** min/max of `values` (and of `extra`, the calibrated range), at least `minSpan` wide around the data's middle. */
export function valueRange(
  values: Iterable<number>,
  extra?: { readonly min: number; readonly max: number } | null,
  minSpan = MIN_SPAN,
): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo)) return undefined;
  if (extra) {
    lo = Math.min(lo, extra.min);
    hi = Math.max(hi, extra.max);
  }
  if (hi - lo < minSpan) {
    const mid = (lo + hi) / 2;
    lo = mid - minSpan / 2;
    hi = mid + minSpan / 2;
  }
  const pad = (hi - lo) * MARGIN;
  return [lo - pad, hi + pad];
}

/** The top of a bar chart: the data with headroom; the budget only when it would not squash the bars below half. */
export function barTop(values: readonly number[], budget: number): { top: number; budgetShown: boolean } {
  const most = values.reduce((m, v) => (Number.isFinite(v) && v > m ? v : m), 0);
  if (most <= 0) return { top: budget * 1.2, budgetShown: true };
  const dataTop = most * 1.2;
  if (budget <= most * 2) return { top: Math.max(dataTop, budget * 1.1), budgetShown: true };
  return { top: dataTop, budgetShown: false };
}

/** A value with its unit, to a precision the axis's span calls for: "12.5°", "40 %", "-3.2 ±100", "80 ms". */
export function axisLabel(value: number, span: number, unit: string): string {
  const digits = Math.abs(span) < 10 ? 1 : 0;
  let text = value.toFixed(digits);
  if (/^-0(\.0+)?$/.test(text)) text = text.slice(1);
  if (!unit) return text;
  return unit === '°' ? `${text}°` : `${text} ${unit}`;
}

/** A joint plot's title with its unit: "shoulder_pan (°)", "gripper (%)". */
export function plotTitle(motor: string, unit: string | undefined): string {
  return unit ? `${motor} (${unit})` : motor;
}
