// The Episode Viewer page: a nonce CSP, the bundled script and its stylesheet (the page's own rules and uPlot's,
// bundled into dist/webview/episodeViewer.css), the skeleton the script fills in. Free of `vscode`.
import { webviewPage } from '../webview/webviewPage';

export interface EpisodeViewerHtmlParts {
  readonly cspSource: string;
  readonly scriptUri: string;
  readonly styleUri: string;
  readonly nonce?: string;
}

export function episodeViewerHtml(parts: EpisodeViewerHtmlParts): string {
  return webviewPage({
    title: 'SO-100 Episode Viewer',
    cspSource: parts.cspSource,
    scriptUri: parts.scriptUri,
    nonce: parts.nonce,
    style: { href: parts.styleUri },
    body: `<header>
  <h1 id="title">Episode Viewer</h1>
  <span id="result" class="muted"></span>
  <span class="spacer"></span>
  <button id="compare" title="Show a second episode on the same tick axis">Compare…</button>
  <button id="closeCompare" hidden>Close comparison</button>
  <button id="exportDataset" title="This episode as a LeRobot v3.0 dataset">Export as LeRobot Dataset…</button>
</header>
<ul id="notes"></ul>
<section id="controls">
  <button id="play" title="Space">▶ Play</button>
  <select id="speed" title="Playback speed"><option value="0.25">0.25×</option><option value="1" selected>1×</option><option value="4">4×</option></select>
  <input id="scrub" type="range" min="0" max="0" value="0" aria-label="tick">
  <span id="tickLabel"></span>
</section>
<div id="timeline"></div>
<p class="muted legend">Timeline: bands are the chunks executed · top row starved (yellow) or nothing sent (red) · middle row notes and warnings (yellow), safety clamps (red), model swaps (green), servo faults (error colour), reconnects (purple) · bottom row chunk arrivals (purple), discarded chunks (red) · the full-height line is the cursor (red: where two episodes diverge)</p>
<section id="cursor">
  <div id="cameras"></div>
  <div id="side">
    <div id="chunkInfo"></div>
    <div id="replayInfo" hidden></div>
    <table id="stages"></table>
  </div>
</section>
<div id="joints"></div>
<p class="muted keys">← / → one tick · Shift+← / → one chunk · Home / End · Space play</p>`,
  });
}
