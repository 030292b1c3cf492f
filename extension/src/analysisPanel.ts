/** Sweep analysis: parallel coordinates that filter the runs table, parameter importance, metric-vs-param scatter. */

import { Widget } from '@lumino/widgets';

import { IAnalysis, IAnalysisRow, IAxis } from './analysisTypes';
import { h } from './dom';
import { formatNumber } from './format';
import { IBrush, ParallelCoordinates, metricColour, position } from './parcoords';
import { query, requestAPI } from './request';
import { literal, selectionWhere } from './panelRuns';
import { IFields } from './tableTypes';
import { onThemeChange } from './theme';

export interface IAnalysisArgs {
  ids?: string[];
  where?: string;
  sweep?: string;
  metric?: string;
}

export interface IAnalysisActions {
  openRun(id: string): void;
  /** Show the runs table narrowed to this filter. */
  filterTable(where: string, panel: Widget): void;
}

const SCATTER_HEIGHT = 260;
let counter = 0;

export class AnalysisPanel extends Widget {
  constructor(private readonly args: IAnalysisArgs, private readonly actions: IAnalysisActions) {
    super();
    this.id = `nbtrack-analysis-${++counter}`;
    this.addClass('nbtrack-panel');
    this.addClass('nbtrack-analysis');
    this.title.label = args.sweep ? `sweep ${args.sweep}` : 'sweep analysis';
    this.title.closable = true;
    const base = selectionWhere(args.ids, args.where);
    this.base = args.sweep ? [base && `(${base})`, `tags.sweep = ${literal(args.sweep)}`].filter(Boolean).join(' and ')
      : base;
    this.metricSelect = h('select', { class: 'nbtrack-analysis-metric', title: 'the metric to explain' });
    this.metricSelect.addEventListener('change', () => void this.analyse());
    this.summary = h('span', { class: 'nbtrack-analysis-summary' });
    this.error = h('div', { class: 'nbtrack-error nbtrack-analysis-error', attrs: { role: 'alert' } });
    this.filterLine = h('code', { class: 'nbtrack-analysis-where' });
    const clear = h('button', { class: 'jp-mod-styled nbtrack-analysis-clear' }, 'Clear brushes');
    clear.addEventListener('click', () => this.parcoords.clearBrushes());
    const toTable = h('button', { class: 'jp-mod-styled nbtrack-analysis-table' }, 'Show in runs table');
    toTable.addEventListener('click', () => this.actions.filterTable(this.brushWhere(), this));
    this.parcoords.onBrush = () => this.brushed();
    this.parcoords.onOpen = id => this.actions.openRun(id);
    this.importance = h('div', { class: 'nbtrack-importance' });
    this.method = h('p', { class: 'nbtrack-analysis-method' });
    this.scatterSelect = h('select', { class: 'nbtrack-scatter-param', title: 'the param on the x axis' });
    this.scatterSelect.addEventListener('change', () => this.drawScatter());
    this.scatter = h('canvas', { class: 'nbtrack-scatter', attrs: { role: 'img' } });
    this.node.append(
      h('div', { class: 'nbtrack-charts-head' }, h('h2', {}, 'Sweep analysis'), this.summary),
      h('div', { class: 'nbtrack-charts-controls' }, h('label', {}, 'metric ', this.metricSelect)),
      this.error,
      h('section', { class: 'nbtrack-section' },
        h('h3', {}, 'Parallel coordinates'),
        h('p', { class: 'nbtrack-charts-hint' }, 'drag along an axis to keep a range (the runs table follows); '
          + 'click an axis to clear its range, a line to open its run; lines coloured by the metric, low dark, high yellow'),
        this.parcoords.node,
        h('div', { class: 'nbtrack-analysis-filter' }, 'runs table filter: ', this.filterLine, clear, toTable)),
      h('section', { class: 'nbtrack-section' }, h('h3', {}, 'Parameter importance'), this.importance, this.method),
      h('section', { class: 'nbtrack-section' }, h('h3', {}, 'Metric against a param'),
        h('label', {}, 'param ', this.scatterSelect), this.scatter));
    this.themeWatch = onThemeChange(() => {
      this.parcoords.redraw();
      this.drawScatter();
    });
    void this.start();
  }

  dispose(): void {
    this.themeWatch.disconnect();
    this.parcoords.dispose();
    super.dispose();
  }

  private async start(): Promise<void> {
    try {
      const fields = await requestAPI<IFields>(`runs/fields${query({ where: this.base, archived: 'include' })}`);
      const metrics = fields.fields.filter(f => f.kind === 'metric');
      this.metricSelect.replaceChildren(...metrics.map(f => h('option', { attrs: { value: f.field } }, f.label)));
      const varying = fields.default_columns.find(f => metrics.some(m => m.field === f));
      const chosen = [this.args.metric, varying, metrics[0]?.field].find(f => f && metrics.some(m => m.field === f));
      if (!chosen) {
        this.error.textContent = 'these runs logged no metrics: nothing to analyse';
        return;
      }
      this.metricSelect.value = chosen;
      await this.analyse();
    } catch (error) {
      this.error.textContent = (error as Error).message;
    }
  }

  private async analyse(): Promise<void> {
    const metric = this.metricSelect.value;
    try {
      const answer = await requestAPI<IAnalysis>(`analysis${query({ metric, where: this.base, archived: 'include' })}`);
      this.answer = answer;
      this.error.textContent = '';
      this.summary.textContent = `${answer.used} of ${answer.runs} runs have ${metric.replace(/^metrics\./, '')}`
        + (answer.params_left_out ? `; ${answer.params_left_out} params left out` : '');
      this.parcoords.set(answer.axes, answer.rows);
      this.node.dataset.drawnAt = String(performance.now());
      this.node.dataset.runs = String(answer.rows.length);
      this.drawImportance(answer);
      const params = answer.axes.filter(a => a.role !== 'metric');
      const keep = this.scatterSelect.value;
      this.scatterSelect.replaceChildren(...params.map(a => h('option', { attrs: { value: a.field } }, a.label)));
      this.scatterSelect.value = params.some(a => a.field === keep) ? keep
        : answer.importance[0]?.field ?? params[0]?.field ?? '';
      this.drawScatter();
      this.filterLine.textContent = this.brushWhere() || '(all runs)';
    } catch (error) {
      this.error.textContent = (error as Error).message;
    }
  }

  private brushed(): void {
    const where = this.brushWhere();
    this.filterLine.textContent = where || '(all runs)';
    this.actions.filterTable(where, this);
  }

  /** The panel's runs and, per brushed axis, the values its kept runs have: a filter the table can run. */
  brushWhere(): string {
    const clauses = this.base ? [`(${this.base})`] : [];
    const rows = this.answer?.rows ?? [];
    for (const [field, brush] of this.parcoords.brushes) {
      const axis = this.answer?.axes.find(a => a.field === field);
      if (axis) {
        clauses.push(rangeClause(axis, brush, rows));
      }
    }
    return clauses.length === 1 && this.base ? this.base : clauses.join(' and ');
  }

  private drawImportance(answer: IAnalysis): void {
    const most = Math.max(1e-12, ...answer.importance.map(e => e.importance ?? 0));
    const rows = answer.importance.map(entry => {
      const bar = h('span', { class: 'nbtrack-importance-bar' });
      bar.style.width = `${Math.round(100 * (entry.importance ?? 0) / most)}%`;
      const correlation = entry.correlation;
      const sign = h('span', { class: 'nbtrack-correlation-bar' });
      sign.style.width = `${Math.round(50 * Math.abs(correlation ?? 0))}%`;
      sign.classList.add(correlation !== null && correlation < 0 ? 'nbtrack-negative' : 'nbtrack-positive');
      return h('tr', { attrs: { 'data-field': entry.field } },
        h('td', { class: 'nbtrack-importance-name' }, entry.label),
        h('td', { class: 'nbtrack-importance-cell' }, h('span', { class: 'nbtrack-bar-track' }, bar),
          h('span', { class: 'nbtrack-importance-value' },
            entry.importance === null ? '-' : formatNumber(entry.importance))),
        h('td', { class: 'nbtrack-importance-cell' }, h('span', { class: 'nbtrack-bar-track' }, sign),
          h('span', {}, correlation === null ? '-' : formatNumber(Math.round(correlation * 1000) / 1000))),
        h('td', {}, entry.correlation_kind === 'eta' ? 'eta (categories)' : 'Spearman'));
    });
    const summary = answer.summary
      ? h('p', { class: `nbtrack-importance-summary${answer.reliable ? '' : ' nbtrack-unreliable'}`,
        attrs: { role: 'status' } }, answer.summary)
      : null;
    this.importance.replaceChildren(...(summary ? [summary] : []),
      h('table', { class: 'nbtrack-table nbtrack-importance-table' },
      h('thead', {}, h('tr', {}, h('th', {}, 'param'), h('th', {}, 'importance'), h('th', {}, 'correlation'),
        h('th', {}, 'correlation of'))),
      h('tbody', {}, ...rows)));
    this.method.textContent = `importance: ${answer.importance_method}`;
  }

  private drawScatter(): void {
    const answer = this.answer;
    const canvas = this.scatter;
    const axis = answer?.axes.find(a => a.field === this.scatterSelect.value);
    const metric = answer?.axes.find(a => a.role === 'metric');
    const width = Math.max(320, Math.min(900, this.node.clientWidth - 40 || 600));
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(SCATTER_HEIGHT * ratio);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${SCATTER_HEIGHT}px`;
    const ctx = canvas.getContext('2d')!;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, SCATTER_HEIGHT);
    if (!answer || !axis || !metric) {
      return;
    }
    const style = getComputedStyle(this.node);
    const ink = style.getPropertyValue('--jp-ui-font-color2').trim() || '#555';
    const grid = style.getPropertyValue('--jp-border-color2').trim() || '#ddd';
    const font = style.getPropertyValue('--jp-ui-font-family').trim() || 'sans-serif';
    const left = 60, right = 16, top = 12, bottom = 36;
    const w = width - left - right, hgt = SCATTER_HEIGHT - top - bottom;
    ctx.strokeStyle = grid;
    ctx.strokeRect(left + 0.5, top + 0.5, w, hgt);
    ctx.fillStyle = ink;
    ctx.font = `11px ${font}`;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const p of [0, 0.5, 1]) {
      const v = (metric.min ?? 0) + p * ((metric.max ?? 0) - (metric.min ?? 0));
      ctx.fillText(formatNumber(v), left - 4, top + hgt * (1 - p));
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const [p, label] of xLabels(axis)) {
      ctx.fillText(label, left + p * w, top + hgt + 4);
    }
    ctx.fillText(`${axis.label} →`, left + w / 2, top + hgt + 18);
    for (const row of answer.rows) {
      const px = position(axis, row.values[axis.field]);
      const py = position({ ...metric, log: false }, row.values[metric.field]);
      if (!Number.isFinite(px) || !Number.isFinite(py)) {
        continue;
      }
      ctx.fillStyle = metricColour(py);
      ctx.beginPath();
      ctx.arc(left + px * w, top + hgt * (1 - py), 4, 0, 2 * Math.PI);
      ctx.fill();
    }
  }

  private readonly base: string;
  private readonly metricSelect: HTMLSelectElement;
  private readonly summary: HTMLElement;
  private readonly error: HTMLElement;
  private readonly filterLine: HTMLElement;
  private readonly importance: HTMLElement;
  private readonly method: HTMLElement;
  private readonly scatterSelect: HTMLSelectElement;
  private readonly scatter: HTMLCanvasElement;
  private readonly themeWatch: MutationObserver;
  private readonly parcoords = new ParallelCoordinates();
  private answer: IAnalysis | null = null;
}

/** One axis's brush as a filter clause: the min and max that kept runs have, or the kept categories. */
export function rangeClause(axis: IAxis, brush: IBrush, rows: IAnalysisRow[]): string {
  const kept = rows.map(r => r.values[axis.field])
    .filter(v => v !== null && v !== undefined && position(axis, v) >= brush.low - 1e-9
      && position(axis, v) <= brush.high + 1e-9);
  if (axis.kind === 'categorical') {
    const values = Array.from(new Set(kept.map(String))).filter(v => v !== '(other)');
    if (!values.length) {
      return `${axis.field} in ('')`; // nothing kept: a filter that keeps nothing, and says which axis
    }
    return `${axis.field} in (${values.map(v => (v === 'true' || v === 'false' ? v : literal(v))).join(', ')})`;
  }
  const numbers = kept.map(Number);
  if (!numbers.length) {
    return `${axis.field} > 1e308`;
  }
  return `${axis.field} >= ${Math.min(...numbers)} and ${axis.field} <= ${Math.max(...numbers)}`;
}

function xLabels(axis: IAxis): [number, string][] {
  if (axis.kind === 'categorical') {
    return (axis.categories ?? []).slice(0, 12).map(c => [position(axis, c), c]);
  }
  const lo = axis.min ?? 0, hi = axis.max ?? 0;
  return lo === hi ? [[0.5, formatNumber(lo)]] : [[0, formatNumber(lo)], [1, formatNumber(hi)]];
}
