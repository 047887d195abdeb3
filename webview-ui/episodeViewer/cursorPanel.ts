// What the cursor's tick holds beside the plots: each camera's frame (decoded here from the PNG or JPEG bytes the
// host sent; a camera without one says why), the chunk executing and the requests in flight, events at the tick,
// the replayed chunk in force per replay model with its deviation, and the tick's stage timing against the budget.
import type {
  CursorState,
  ReplayAtTick,
  ReplayDeviation,
  TimelineEvent,
  ViewerEpisode,
  ViewerFrame,
  ViewerSlot,
} from '../../src/contracts/episodeViewerMessages';

export class CursorPanel {
  private readonly tiles = new Map<string, { canvas: HTMLCanvasElement; caption: HTMLElement }>();
  /** Frames drawn so far (tests and the benchmark's page side read nothing else). */
  framesDrawn = 0;

  constructor(
    private readonly cameras: HTMLElement,
    private readonly chunkInfo: HTMLElement,
    private readonly stages: HTMLTableElement,
    private readonly replayInfo: HTMLElement,
  ) {}

  reset(): void {
    this.tiles.clear();
    this.cameras.textContent = '';
  }

  async showFrames(slot: ViewerSlot, label: string, frames: readonly ViewerFrame[]): Promise<void> {
    for (const f of frames) {
      const key = `${slot}/${f.camera}`;
      let tile = this.tiles.get(key);
      if (!tile) {
        const fig = document.createElement('figure');
        const canvas = document.createElement('canvas');
        const caption = document.createElement('figcaption');
        fig.append(canvas, caption);
        this.cameras.append(fig);
        tile = { canvas, caption };
        this.tiles.set(key, tile);
      }
      if ('error' in f) {
        tile.caption.textContent = `${label ? `${label} ` : ''}${f.camera}: ${f.error}`;
        tile.caption.className = 'error';
        continue;
      }
      // createImageBitmap takes the bytes directly: no object URL, which the page's CSP would refuse.
      const bitmap = await createImageBitmap(new Blob([f.bytes as Uint8Array<ArrayBuffer>], { type: f.mime }));
      tile.canvas.width = bitmap.width;
      tile.canvas.height = bitmap.height;
      tile.canvas.getContext('2d')?.drawImage(bitmap, 0, 0);
      bitmap.close();
      tile.caption.textContent = `${label ? `${label} ` : ''}${f.camera} · tick ${f.tick}`;
      tile.caption.className = '';
      this.framesDrawn++;
    }
  }

  /**
   * Per replay model of the episode, the newest replayed chunk covering the cursor (the one in force) and its
   * deviation per joint, mean / max in the joint's unit: against what the arm was sent over the chunk's rows, and
   * against the chunk the episode itself received for that observation.
   */
  showReplays(
    episode: ViewerEpisode,
    replays: readonly ReplayAtTick[],
    colorOf: (model: string) => string | undefined,
  ): void {
    this.replayInfo.textContent = '';
    this.replayInfo.hidden = episode.replays.length === 0;
    for (const { model } of episode.replays) {
      const head = document.createElement('div');
      head.className = 'replayHead';
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = colorOf(model) ?? 'transparent';
      const c = replays.find((r) => r.model === model)?.chunks.at(-1);
      head.append(
        swatch,
        c
          ? `replay ${model}: chunk observed at tick ${c.tick}, ${c.row !== undefined ? `row ${c.row + 1} of ${c.horizon} executes here` : 'no row here (starved)'}`
          : `replay ${model}: no replayed chunk covers this tick`,
      );
      this.replayInfo.append(head);
      if (!c) continue;
      const table = document.createElement('table');
      table.className = 'deviation';
      table.insertRow().innerHTML = '<th>joint</th><th>vs sent: mean / max</th><th>vs recorded chunk: mean / max</th>';
      const cell = (d: ReplayDeviation | undefined, joint: string, unit: string): string => {
        const j = d?.perJoint[joint];
        return j ? `${j.mean.toFixed(2)} / ${j.max.toFixed(2)} ${unit}` : '–';
      };
      for (const { name, unit } of episode.joints) {
        const row = table.insertRow();
        row.insertCell().textContent = name;
        row.insertCell().textContent = cell(c.deviation, name, unit);
        row.insertCell().textContent = c.vsRecorded
          ? cell(c.vsRecorded, name, unit)
          : 'the episode did not ask at this tick';
      }
      this.replayInfo.append(table);
    }
  }

  showCursor(c: CursorState, events: readonly TimelineEvent[], unitOf: (ms: number) => string): void {
    const lines: string[] = [];
    lines.push(
      c.starved
        ? 'starved: no action to execute'
        : c.executing !== undefined
          ? `executing chunk ${c.executing}`
          : 'no chunk executing',
    );
    lines.push(
      c.inFlight.length === 0
        ? 'no request in flight'
        : `in flight: ${c.inFlight.map((f) => `chunk ${f.chunk} (observed at tick ${f.observationTick}, ${f.ageMs.toFixed(0)} ms ago)`).join(', ')}`,
    );
    lines.push(
      c.predictions.length === 0
        ? 'no prediction covers this tick'
        : `predictions covering it (the fan): ${c.predictions.map((p) => `${p.chunk}${p.accepted === false ? ' (discarded)' : ''}`).join(', ')}`,
    );
    for (const e of events) lines.push(`● ${e.text}`);
    this.chunkInfo.textContent = '';
    for (const l of lines) {
      const p = document.createElement('div');
      p.textContent = l;
      if (l.startsWith('●')) p.className = 'event';
      this.chunkInfo.append(p);
    }
    this.stages.textContent = '';
    const head = this.stages.insertRow();
    head.innerHTML = `<th>stage</th><th>ms</th><th>of the ${c.budgetMs.toFixed(1)} ms budget</th>`;
    if (c.stages.length === 0) {
      this.stages.insertRow().insertCell().textContent = 'no stage timing recorded at this tick';
      return;
    }
    for (const s of c.stages) {
      const row = this.stages.insertRow();
      if (s.overBudget) row.className = 'over';
      row.insertCell().textContent = s.stage;
      row.insertCell().textContent = unitOf(s.ms);
      const bar = document.createElement('div');
      bar.className = 'bar';
      bar.style.width = `${Math.min(100, (s.ms / c.budgetMs) * 100)}%`;
      row.insertCell().append(bar);
    }
  }
}
