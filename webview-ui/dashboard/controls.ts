// The episode controls: buttons post `command`; which are enabled is the host's list for the runtime's phase (the
// phase table that also writes package.json's enablement). Emergency Stop is never disabled and never hidden.
import type {
  DashboardCommand,
  DashboardEpisodeSummary,
  DashboardProgress,
  DashboardStatus,
} from '../../src/contracts/dashboardMessages';
import { progressLine } from './progressLine';
import { seamText } from './seamText';

export class Controls {
  private readonly phase = byId('phase');
  private readonly model = byId('model');
  private readonly progress = byId('progress');
  private readonly message = byId('message');
  private readonly buttons = [...document.querySelectorAll<HTMLButtonElement>('button[data-command]')];
  private status: DashboardStatus | undefined;

  constructor(private readonly send: (name: DashboardCommand) => void) {
    for (const b of this.buttons) b.addEventListener('click', () => this.clicked(b));
    this.show(undefined, undefined, undefined);
  }

  get phaseText(): string {
    return this.phase.textContent ?? '';
  }

  get modelText(): string {
    return this.model.textContent ?? '';
  }

  get progressText(): string {
    return this.progress.textContent ?? '';
  }

  show(
    status: DashboardStatus | undefined,
    enabled: readonly DashboardCommand[] | undefined,
    progress: DashboardProgress | undefined,
  ): void {
    this.status = status;
    this.phase.textContent = status ? status.phase : 'no runtime';
    this.phase.className = `phase phase-${status?.phase ?? 'none'}`;
    this.model.textContent = status?.activeModel ?? '—';
    this.progress.textContent = progressLine(status, progress);
    for (const b of this.buttons) {
      const name = b.dataset.command as DashboardCommand;
      if (name === 'estop') {
        b.disabled = false;
        continue;
      }
      // Without a runtime the host answers every command with advice, so the buttons stay clickable. The one
      // pause button also resumes.
      const allowed =
        enabled === undefined || enabled.includes(name) || (name === 'pause' && enabled.includes('resume'));
      b.disabled = !allowed;
    }
    const pause = this.buttons.find((b) => b.dataset.command === 'pause');
    if (pause) pause.textContent = status?.phase === 'paused' ? 'Resume' : 'Pause';
  }

  note(text: string, kind: 'info' | 'warning' | 'error' = 'info'): void {
    this.message.textContent = text;
    this.message.className = `message message-${kind}`;
  }

  episodeEnded(s: DashboardEpisodeSummary): void {
    this.note(
      `Episode ${s.episode} ${s.success ? 'succeeded' : 'ended'}: ${s.reason} — ${s.steps} steps, ${s.chunks} chunks, ` +
        `${s.starvedTicks} starved, ${s.clampedTicks} clamped, ${s.lateTicks} late ticks${s.seams ? seamText(s.seams) : ''}`,
      s.success ? 'info' : 'warning',
    );
  }

  private clicked(b: HTMLButtonElement): void {
    let name = b.dataset.command as DashboardCommand;
    if (name === 'pause' && this.status?.phase === 'paused') name = 'resume';
    this.send(name);
  }
}

function byId(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the dashboard page`);
  return el;
}
