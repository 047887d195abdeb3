// The Converter Inspector's page: the LeRobot observation, the policy input (dtype, shape, stats, thumbnails as
// the policy sees them), the policy's reply, the joint targets and what safety sent, and the warnings. It renders
// whatever state the host sends; Refresh and the auto-refresh switch go back as messages.
import { HostBridge } from '../shared/hostBridge';
import {
  isHostMessage,
  type HostToInspector,
  type InspectorState,
  type InspectorToHost,
  type ReportView,
  type SummaryView,
  type ThumbnailView,
} from '../../src/contracts/inspectorMessages';

const bridge = new HostBridge<InspectorToHost, HostToInspector>(isHostMessage);
const root = document.getElementById('root')!;
const refresh = document.getElementById('refresh') as HTMLButtonElement;
const auto = document.getElementById('auto') as HTMLInputElement;
const status = document.getElementById('status')!;

refresh.addEventListener('click', () => bridge.post({ type: 'refresh' }));
auto.addEventListener('change', () => bridge.post({ type: 'setAutoRefresh', on: auto.checked }));

bridge.start((m) => render(m.state));

function render(state: InspectorState): void {
  auto.checked = state.autoRefresh;
  root.replaceChildren();
  document.body.dataset.status = state.status;
  if (state.status === 'loading') {
    status.textContent = 'Loading…';
    return;
  }
  if (state.status === 'empty' || state.status === 'error') {
    status.textContent = '';
    root.append(el('p', { className: state.status === 'error' ? 'error' : 'muted', id: 'message' }, state.message));
    return;
  }
  const r = state.report;
  const origin = r.recorded
    ? `converter run on recorded tick ${r.recorded.tick} of ${r.recorded.dir.split(/[\\/]/).pop()}`
    : r.source === 'runConverter'
      ? 'converter run on the last observation'
      : 'last exchange of the episode';
  const where = [
    origin,
    r.episode !== undefined ? `episode ${r.episode}` : '',
    r.tick !== undefined ? `tick ${r.tick}` : '',
    `runtime ${state.phase}`,
    `at ${state.refreshedAt}`,
  ]
    .filter(Boolean)
    .join(' · ');
  status.textContent = `${r.converter}${r.layout && r.layout !== r.converter ? ` (layout ${r.layout})` : ''} — ${where}`;
  if (r.error) root.append(errorBox(r.error));
  root.append(warnings(r));
  root.append(observation(r));
  root.append(section('Policy input', 'input', r.input ? valueTable(r.input) : muted('not converted yet')));
  root.append(section('Policy output', 'output', r.output ? valueTable(r.output) : muted('no reply yet')));
  root.append(section('Joint targets after safety', 'targets', jointTable(r)));
}

function errorBox(e: NonNullable<ReportView['error']>): HTMLElement {
  const box = el('div', { className: 'error', id: 'error' });
  box.append(el('strong', {}, `${e.stage} failed: `), document.createTextNode(e.message));
  if (e.file && e.line) {
    const link = el('button', { className: 'link', id: 'error-location' }, `${e.file}:${e.line}:${e.column ?? 1}`);
    link.addEventListener('click', () =>
      bridge.post({ type: 'openLocation', file: e.file!, line: e.line!, column: e.column ?? 1 }),
    );
    box.append(el('div', {}, 'at '), link);
  }
  return box;
}

function warnings(r: ReportView): HTMLElement {
  const list = el('ul', { id: 'warnings' });
  for (const w of r.warnings) {
    const li = el('li', { className: 'warning' });
    li.dataset.code = w.code;
    li.append(el('span', { className: 'badge' }, w.code), document.createTextNode(` ${w.message}`));
    list.append(li);
  }
  for (const w of r.converterWarnings) list.append(el('li', { className: 'converter-warning' }, w));
  for (const n of r.notes) list.append(el('li', { className: 'muted' }, n));
  if (!list.childElementCount) list.append(el('li', { className: 'ok' }, 'No likely mistakes found.'));
  return section('Warnings', 'warnings-section', list);
}

function observation(r: ReportView): HTMLElement {
  const o = r.observation;
  if (!o) return section('LeRobot observation', 'observation', muted('no observation yet'));
  const body = el('div', {});
  body.append(el('p', {}, `task: ${o.task ? JSON.stringify(o.task) : '(none)'}`));
  const table = el('table', { className: 'joints' });
  table.append(row('th', ['joint', ...o.joints.map((j) => `${j.motor}.pos`)]));
  table.append(row('td', ['value', ...o.joints.map((j) => fmt(j.value))]));
  body.append(table);
  const cams = el('div', { className: 'cameras' });
  for (const c of o.cameras) {
    const card = el('figure', { className: 'camera' });
    card.dataset.key = c.key;
    if (c.image) card.append(thumbnailCanvas(c.image.thumbnail, c.key));
    card.append(el('figcaption', {}, `${c.key} ${shape(c)} ${c.dtype ?? ''}`));
    cams.append(card);
  }
  body.append(cams);
  return section('LeRobot observation', 'observation', body);
}

function valueTable(values: readonly SummaryView[]): HTMLElement {
  const table = el('table', { className: 'values' });
  table.append(row('th', ['key', 'dtype', 'shape', 'min', 'max', 'mean', '']));
  for (const v of values) {
    const tr = row('td', [
      v.key,
      v.dtype ?? v.kind,
      shape(v),
      fmt(v.stats?.min),
      fmt(v.stats?.max),
      fmt(v.stats?.mean),
    ]);
    tr.dataset.key = v.key;
    const preview = el('td', { className: 'preview' });
    if (v.image)
      preview.append(thumbnailCanvas(v.image.thumbnail, v.key), el('div', { className: 'muted' }, v.image.order));
    else if (v.values) preview.textContent = `[${v.values.map(fmt).join(', ')}]`;
    else if (v.text !== undefined) preview.textContent = v.text;
    if (v.stats && v.stats.nonFinite > 0)
      preview.append(el('div', { className: 'error' }, `${v.stats.nonFinite} NaN/Inf`));
    tr.append(preview);
    table.append(tr);
  }
  return table;
}

function jointTable(r: ReportView): HTMLElement {
  const s = r.safety;
  const t = r.targets;
  if (!s && !t) return muted('no action yet');
  const motors = s?.motors ?? t!.motors;
  const table = el('table', { className: 'joints', id: 'joint-targets' });
  table.append(row('th', ['', ...motors]));
  // Target and measurement of one tick side by side: the chunk's row for the measured tick when the chunk covers it,
  // otherwise the chunk's first row, labelled with the tick it was meant for.
  const chunkTick = r.tick;
  if (t && s && t.atSafetyTick)
    table.append(
      row('td', [
        `target for tick ${s.tick} (step ${t.atSafetyTick.step} of ${t.horizon}${chunkTick !== undefined ? `, chunk of tick ${chunkTick}` : ''})`,
        ...t.atSafetyTick.values.map(fmt),
      ]),
    );
  else if (t)
    table.append(
      row('td', [
        chunkTick !== undefined
          ? `target for tick ${chunkTick} (step 0 of ${t.horizon}, chunk of tick ${chunkTick})`
          : `target (step 0 of ${t.horizon})`,
        ...t.first.map(fmt),
      ]),
    );
  if (s) {
    table.append(row('td', [`measured (tick ${s.tick})`, ...s.measured.map(fmt)]));
    table.append(row('td', ['sent after safety', ...(s.sent ? s.sent.map(fmt) : motors.map(() => '—'))]));
    if (s.clamped.length)
      table.append(
        row('td', [
          'clamped',
          ...motors.map((m) =>
            s.clamped
              .filter((c) => c.motor === m)
              .map((c) => c.reason)
              .join(', '),
          ),
        ]),
      );
  }
  return table;
}

function thumbnailCanvas(t: ThumbnailView, key: string): HTMLCanvasElement {
  const canvas = el('canvas', { className: 'thumb' });
  canvas.width = t.width;
  canvas.height = t.height;
  canvas.dataset.key = key;
  const rgb = Uint8Array.from(atob(t.rgbBase64), (ch) => ch.charCodeAt(0));
  const img = new ImageData(t.width, t.height);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
    img.data[j] = rgb[i];
    img.data[j + 1] = rgb[i + 1];
    img.data[j + 2] = rgb[i + 2];
    img.data[j + 3] = 255;
  }
  canvas.getContext('2d')?.putImageData(img, 0, 0);
  return canvas;
}

function section(title: string, id: string, body: HTMLElement): HTMLElement {
  const s = el('section', { id });
  s.append(el('h2', {}, title), body);
  return s;
}

function row(cell: 'th' | 'td', cells: readonly string[]): HTMLTableRowElement {
  const tr = el('tr', {});
  for (const c of cells) tr.append(el(cell, {}, c));
  return tr;
}

function muted(text: string): HTMLElement {
  return el('p', { className: 'muted' }, text);
}

function shape(v: SummaryView): string {
  return v.shape ? `(${v.shape.join(', ')}${v.shape.length === 1 ? ',' : ''})` : '';
}

function fmt(x: number | undefined): string {
  if (x === undefined) return '';
  if (Number.isNaN(x)) return 'NaN';
  if (Number.isInteger(x) || !Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 100 ? x.toFixed(1) : Math.abs(x) >= 0.01 ? x.toFixed(3) : x.toPrecision(3);
}

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { className?: string; id?: string },
  text?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (props.className) e.className = props.className;
  if (props.id) e.id = props.id;
  if (text !== undefined) e.textContent = text;
  return e;
}
