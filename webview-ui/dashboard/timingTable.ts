// The p50 / p95 / p99 table per stage, in ms (the header says so); a row turns amber or red when the stage nears or
// passes its budget.
import type { StageRow } from './stageStats';

export class TimingTable {
  private readonly body: HTMLTableSectionElement;
  rows: readonly StageRow[] = [];

  constructor(table: HTMLTableElement) {
    this.body = table.tBodies[0] ?? table.createTBody();
  }

  update(rows: readonly StageRow[]): void {
    this.rows = rows;
    const trs = rows.map((r) => {
      const tr = document.createElement('tr');
      tr.className = `level-${r.level}`;
      tr.dataset.stage = r.stage;
      const cells = [r.stage, ms(r.p50), ms(r.p95), ms(r.p99), ms(r.budgetMs)];
      for (const [i, text] of cells.entries()) {
        const td = document.createElement(i === 0 ? 'th' : 'td');
        td.textContent = text;
        if (i === 0) {
          td.scope = 'row';
          td.title = `${r.count} samples`;
        }
        tr.append(td);
      }
      return tr;
    });
    this.body.replaceChildren(...trs);
  }
}

function ms(v: number): string {
  if (!Number.isFinite(v)) return '—';
  return v < 10 ? v.toFixed(2) : v.toFixed(1);
}
