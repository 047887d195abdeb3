// The header's progress line. The step is the host's progress (the one the status bar and side bar show), never
// the page's newest tick, so the three agree; dropped telemetry is the current episode's, shown while it runs.
import type { DashboardProgress, DashboardStatus } from '../../src/contracts/dashboardMessages';

export function progressLine(s: DashboardStatus | undefined, p: DashboardProgress | undefined): string {
  const parts: string[] = [];
  const live = s?.phase === 'running' || s?.phase === 'paused';
  const episode = p?.episode ?? s?.episode;
  if (live && episode !== undefined) parts.push(`episode ${episode}`);
  const step = p?.step ?? s?.step;
  const max = p?.maxSteps ?? s?.maxSteps;
  if (live && step !== undefined) parts.push(`step ${step}${max ? ` / ${max}` : ''}`);
  if (s?.fps) parts.push(`${s.fps} fps`);
  if (s?.robot) parts.push(s.robot);
  const dropped = s?.episodeDroppedTelemetry ?? 0;
  if (live && dropped > 0) parts.push(`${dropped} telemetry events dropped this episode`);
  return parts.join(' · ');
}
