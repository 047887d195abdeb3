// The Dashboard page: a nonce CSP that allows only our own script and stylesheet (no inline handlers, no remote
// content), the static skeleton the script fills in. Free of `vscode`: the panel passes the URIs as strings.
import { webviewPage } from '../webview/webviewPage';

export { newNonce } from '../webview/webviewPage';

export interface DashboardHtmlParts {
  /** webview.cspSource */
  readonly cspSource: string;
  /** asWebviewUri of dist/webview/dashboard.js */
  readonly scriptUri: string;
  /** asWebviewUri of media/dashboard.css */
  readonly styleUri: string;
  readonly nonce?: string;
}

export function dashboardHtml(parts: DashboardHtmlParts): string {
  return webviewPage({
    title: 'SO-100 Dashboard',
    cspSource: parts.cspSource,
    scriptUri: parts.scriptUri,
    nonce: parts.nonce,
    style: { href: parts.styleUri },
    body: `<header id="controls" class="controls">
  <div class="episode">
    <span class="label">State</span> <span id="phase" class="phase">no runtime</span>
    <span class="label">Model</span> <span id="model">—</span>
    <span id="progress" class="progress"></span>
  </div>
  <div class="buttons">
    <button id="btn-run" data-command="runEpisode" title="Run an episode">Run</button>
    <button id="btn-step" data-command="step" title="One tick while paused">Step</button>
    <button id="btn-pause" data-command="pause" title="Pause or resume the episode">Pause</button>
    <button id="btn-stop" data-command="stop" title="Stop the episode">Stop</button>
    <button id="btn-reset" data-command="reset" title="Glide back to the start pose">Reset</button>
    <button id="btn-estop" class="estop" data-command="estop" title="Emergency stop: torque off now">Emergency Stop</button>
  </div>
  <div id="message" class="message" role="status"></div>
</header>
<main>
  <section id="section-cameras" aria-label="Cameras">
    <h2>Cameras <span class="mode"><label><input type="checkbox" id="frame-mode"> as the policy sees them (224 × 224, padded)</label></span></h2>
    <div id="cameras" class="cameras"><p class="empty">No camera frames yet.</p></div>
  </section>
  <section id="section-joints" aria-label="Joints">
    <h2>Joints <span class="legend"><i class="sw measured"></i>measured <i class="sw sent"></i>commanded <i class="sw clamp"></i>clamped <i class="sw starved"></i>starved</span></h2>
    <p id="joints-empty" class="empty">No ticks yet: run an episode to plot the joints.</p>
    <div id="joints" class="grid" hidden></div>
  </section>
  <section id="section-chunks" aria-label="Action chunks">
    <h2>Action chunks <span class="legend"><i class="sw fan"></i>predicted (newest brightest) <i class="sw measured"></i>executed (measured) <i class="sw boundary"></i>chunk boundary <i class="sw starved"></i>starved</span></h2>
    <p id="chunks-empty" class="empty">No action chunks yet.</p>
    <div id="chunks" class="grid" hidden></div>
  </section>
  <section id="section-timing" aria-label="Timing">
    <h2>Timing <span id="budget" class="legend"></span></h2>
    <p id="timing-empty" class="empty">No timing yet.</p>
    <div id="timing" class="timing" hidden>
      <div class="waterfalls">
        <canvas id="waterfall-loop" class="waterfall"></canvas>
        <canvas id="waterfall-policy" class="waterfall"></canvas>
      </div>
      <table id="timing-table" class="timing-table">
        <thead><tr><th>stage</th><th>p50 (ms)</th><th>p95 (ms)</th><th>p99 (ms)</th><th>budget (ms)</th></tr></thead>
        <tbody></tbody>
      </table>
    </div>
  </section>
</main>`,
  });
}
