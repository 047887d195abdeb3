// The Evaluation Report page: renders whatever state the host sends (core's report model, as data): progress and
// time left while a campaign runs, success rates with interval bars, the seed × model grid, seams and starvation,
// latency per stage. Every button and grid cell goes back as a message.
import { HostBridge } from '../shared/hostBridge';
import {
  isHostToEvaluation,
  type EvaluationPanelState,
  type EvaluationReport,
  type EvaluationToHost,
  type HostToEvaluation,
} from '../../src/contracts/evaluationMessages';

const bridge = new HostBridge<EvaluationToHost, HostToEvaluation, { outDir: string }>(isHostToEvaluation);
const byId = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

byId('btn-cancel').addEventListener('click', () => bridge.post({ type: 'cancel' }));
byId('btn-export').addEventListener('click', () => bridge.post({ type: 'exportCsv' }));
byId('btn-export-dataset').addEventListener('click', () => bridge.post({ type: 'exportDataset' }));

bridge.start((m) => {
  // Kept for a window reload: the host's serializer reopens this campaign's report.
  bridge.state = { outDir: m.state.outDir };
  render(m.state);
});

const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, cls?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

function duration(msLeft: number): string {
  const s = Math.round(msLeft / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

function render(s: EvaluationPanelState): void {
  document.body.dataset.running = String(s.running);
  byId('folder').textContent = s.outDir;
  byId('clock').textContent = '';
  byId('btn-cancel').hidden = !s.running;
  const message = byId('message');
  message.textContent = s.message ?? '';
  message.className = s.message ? (s.messageKind ?? '') : '';
  const r = s.report;
  byId('btn-export').hidden = !r;
  byId('live').hidden = !s.running;
  if (!r) return;
  document.body.dataset.done = String(r.done);
  byId('clock').textContent = r.clock === 'virtual' ? ' · virtual clock (faster than real time)' : ' · wall clock';
  byId('episode-of').textContent = `Episode ${r.done} of ${r.total} done`;
  byId('eta').textContent = r.etaMs === null ? 'time left: after the first episode' : `about ${duration(r.etaMs)} left`;
  byId('progress-bar').style.width = `${r.total > 0 ? (100 * r.done) / r.total : 0}%`;
  renderRates(r);
  renderGrid(r);
  renderSeams(r);
  renderLatency(r);
}

function renderRates(r: EvaluationReport): void {
  const body = byId('rates').querySelector('tbody')!;
  body.replaceChildren(
    ...r.rates.map((m) => {
      const tr = el('tr');
      tr.append(el('td', m.model), el('td', String(m.episodes), 'num'));
      tr.append(el('td', m.rate === null ? '–' : `${pct(m.rate)} (${m.successes}/${m.episodes})`, 'num'));
      tr.append(el('td', m.wilson95 ? `${pct(m.wilson95[0])} – ${pct(m.wilson95[1])}` : '–'));
      const bar = el('div', undefined, 'rate');
      if (m.wilson95 && m.rate !== null) {
        const ci = el('div', undefined, 'ci');
        ci.style.left = `${m.wilson95[0] * 100}%`;
        ci.style.width = `${(m.wilson95[1] - m.wilson95[0]) * 100}%`;
        const point = el('div', undefined, 'point');
        point.style.left = `${m.rate * 100}%`;
        bar.title = `${pct(m.rate)} [${pct(m.wilson95[0])}, ${pct(m.wilson95[1])}]`;
        bar.append(ci, point);
      }
      const td = el('td');
      td.append(bar);
      tr.append(td);
      return tr;
    }),
  );
  byId('pairs').replaceChildren(...r.pairs.map((p) => el('li', p)));
}

function renderGrid(r: EvaluationReport): void {
  const table = byId('grid');
  const head = el('tr');
  head.append(el('th', 'seed'), ...r.models.map((m) => el('th', m)));
  table.querySelector('thead')!.replaceChildren(head);
  table.querySelector('tbody')!.replaceChildren(
    ...r.grid.map((row) => {
      const tr = el('tr');
      tr.append(el('td', String(row.seed), 'num'));
      for (const c of row.cells) {
        const td = el('td', c.outcome === 'success' ? '✓' : c.outcome === 'failure' ? '✗' : '·', `cell ${c.outcome}`);
        td.dataset.model = c.model;
        td.dataset.seed = String(row.seed);
        td.title = `${c.model}, seed ${row.seed}: ${c.outcome === 'pending' ? 'not run yet' : `${c.outcome} — ${c.reason ?? ''}`}`;
        if (c.outcome !== 'pending') {
          td.tabIndex = 0;
          const open = () => bridge.post({ type: 'openEpisode', model: c.model, seed: row.seed });
          td.addEventListener('click', open);
          td.addEventListener('keydown', (e) => {
            if (e.key === 'Enter' || e.key === ' ') open();
          });
        }
        tr.append(td);
      }
      return tr;
    }),
  );
}

function renderSeams(r: EvaluationReport): void {
  byId('seams')
    .querySelector('tbody')!
    .replaceChildren(
      ...r.rates.map((m) => {
        const tr = el('tr');
        tr.append(
          el('td', m.model),
          el('td', m.seamRatioMedian === null ? '–' : `${m.seamRatioMedian.toFixed(2)} ×`, 'num'),
          el('td', m.lagTicksMedian === null ? '–' : m.lagTicksMedian.toFixed(2), 'num'),
          el('td', String(m.starvedTicks), 'num'),
          el('td', String(m.ticks), 'num'),
          el('td', `${(m.starvedFraction * 100).toFixed(1)} %`, 'num'),
        );
        return tr;
      }),
    );
}

function renderLatency(r: EvaluationReport): void {
  byId('latency-none').hidden = r.latency.length > 0;
  const table = byId('latency');
  table.hidden = r.latency.length === 0;
  // One scale for every bar: the largest p99 of any stage and model, in ms.
  const max = Math.max(1e-9, ...r.latency.flatMap((l) => l.byModel.map((v) => v?.p99 ?? 0)));
  const head = el('tr');
  head.append(el('th', 'stage'), el('th', 'model'), el('th', 'p50 (ms)'), el('th', 'p95 (ms)'), el('th', 'p99 (ms)'));
  const axis = el('th');
  const ticks = el('div', undefined, 'axis');
  ticks.append(el('span', '0 ms'), el('span', 'latency (ms)'), el('span', `${ms(max)} ms`));
  axis.append(ticks);
  head.append(axis);
  table.querySelector('thead')!.replaceChildren(head);
  const rows: HTMLTableRowElement[] = [];
  for (const l of r.latency) {
    l.byModel.forEach((v, i) => {
      const tr = el('tr');
      tr.append(el('td', i === 0 ? l.stage : ''), el('td', r.models[i]));
      tr.append(
        el('td', v ? ms(v.p50) : '–', 'num'),
        el('td', v ? ms(v.p95) : '–', 'num'),
        el('td', v ? ms(v.p99) : '–', 'num'),
      );
      const bar = el('div', undefined, 'hbar');
      if (v)
        for (const [cls, x] of [
          ['p99', v.p99],
          ['p95', v.p95],
          ['p50', v.p50],
        ] as const) {
          const b = el('div', undefined, cls);
          b.style.width = `${(100 * x) / max}%`;
          bar.append(b);
        }
      const td = el('td');
      td.append(bar);
      tr.append(td);
      rows.push(tr);
    });
  }
  table.querySelector('tbody')!.replaceChildren(...rows);
}
