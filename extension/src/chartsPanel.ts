/** The charts panel: chosen metrics of up to 500 runs overlaid, one chart per metric, live while runs run. */

import { Widget } from '@lumino/widgets';

import { IGroupSeries, ISeriesAnswer, ISeriesRun } from './analysisTypes';
import { h } from './dom';
import { formatValue, paletteColour, shortIds } from './format';
import { ILine, Plot, XKind } from './plot';
import { query, requestAPI } from './request';
import { selectionWhere, seriesKey } from './panelRuns';
import { IField, IFields, ITablePage, ITableRow } from './tableTypes';
import { onThemeChange } from './theme';

export const MAX_RUNS = 500;
const LIVE_MS = 2000;
const DEFAULT_POINTS = 1000;
const DEFAULT_CHARTS = 4;
const MAX_GROUP_POINTS = 1000; // x bins of grouped lines
const BATCHES = 4; // series requests per chart, each for a share of the runs
const X_FIXED: [string, string, XKind][] = [
  ['step', 'step', 'number'], ['wall', 'wall time', 'time'], ['relative', 'relative time', 'seconds']
];

export interface IChartsArgs {
  ids?: string[];
  where?: string;
  /** A param or tag field to draw each group's mean ± std. */
  group?: string;
  /** Metric fields to chart first (else the ones that vary, then the first few). */
  metrics?: string[];
  /** Points drawn per run (the budget; DEFAULT_POINTS when not given). */
  points?: number;
}

export interface IChartsActions {
  openRun(id: string): void;
}

interface IChart {
  field: string;
  key: string;
  plot: Plot;
  card: HTMLElement;
  runs: Map<string, ISeriesRun>;
  lines: Map<string, ILine>;
  /** The server's mean ± std per group on shared x bins, while grouped. */
  groups: IGroupSeries | null;
}

let counter = 0;

export class ChartsPanel extends Widget {
  constructor(private readonly args: IChartsArgs, private readonly actions: IChartsActions) {
    super();
    this.ready = new Promise(resolve => {
      this.readyResolve = resolve;
    });
    this.id = `nbtrack-charts-${++counter}`;
    this.addClass('nbtrack-panel');
    this.addClass('nbtrack-charts');
    this.title.label = 'charts';
    this.title.closable = true;
    this.where = selectionWhere(args.ids, args.where);
    this.group = args.group ?? '';

    this.heading = h('h2', {}, 'Charts');
    this.summary = h('span', { class: 'nbtrack-charts-summary' });
    this.error = h('div', { class: 'nbtrack-error nbtrack-charts-error', attrs: { role: 'alert' } });
    this.metricAdd = h('select', { class: 'nbtrack-charts-add', title: 'add a chart of this metric' });
    this.metricAdd.addEventListener('change', () => {
      if (this.metricAdd.value) {
        this.addChart(this.metricAdd.value);
      }
    });
    this.xSelect = h('select', { class: 'nbtrack-charts-x', title: 'the x axis of every chart' });
    this.xSelect.addEventListener('change', () => void this.reloadSeries());
    this.smoothing = h('input', { class: 'nbtrack-charts-smoothing', title: 'exponential moving average weight',
      attrs: { type: 'range', min: '0', max: '0.99', step: '0.01', value: '0' } });
    this.smoothingText = h('span', { class: 'nbtrack-charts-smoothing-value' }, '0');
    this.smoothing.addEventListener('input', () => this.setSmoothing(Number(this.smoothing.value)));
    this.logY = h('input', { class: 'nbtrack-charts-log', attrs: { type: 'checkbox' } });
    this.logY.addEventListener('change', () => this.forPlots(p => p.setOptions({ logY: this.logY.checked })));
    this.points = h('input', { class: 'nbtrack-charts-points', title: 'points drawn per run (2 to 20000): '
      + 'each is a bucket of consecutive points, its min and max shaded',
      attrs: { type: 'number', min: '2', max: '20000', step: '100', value: String(args.points ?? DEFAULT_POINTS) } });
    this.points.addEventListener('change', () => void this.reloadSeries());
    this.groupSelect = h('select', { class: 'nbtrack-charts-group', title: 'draw each group as mean ± std' });
    this.groupSelect.addEventListener('change', () => void this.regroup(this.groupSelect.value));
    const reset = h('button', { class: 'jp-mod-styled nbtrack-charts-reset', title: 'show all points' }, 'Reset zoom');
    reset.addEventListener('click', () => this.forPlots(p => p.resetZoom()));
    this.live = h('span', { class: 'nbtrack-charts-live' });
    this.legend = h('div', { class: 'nbtrack-legend', attrs: { role: 'list' } });
    this.grid = h('div', { class: 'nbtrack-charts-grid' });
    const label = (text: string, ...children: Node[]): HTMLLabelElement => h('label', {}, text, ...children);
    this.node.append(
      h('div', { class: 'nbtrack-charts-head' }, this.heading, this.summary, this.live),
      h('div', { class: 'nbtrack-charts-controls' },
        label('add chart ', this.metricAdd), label('x ', this.xSelect),
        label('smoothing ', this.smoothing, this.smoothingText), label('log y ', this.logY),
        label('points per run ', this.points), label('group by ', this.groupSelect), reset,
        h('span', { class: 'nbtrack-charts-hint' }, 'drag: zoom · shift-drag: pan · double-click: reset')),
      this.error, this.legend, this.grid);
    this.themeWatch = onThemeChange(() => this.forPlots(p => p.redraw()));
    void this.load();
  }

  /** Resolves once the first charts are drawn (or the error is shown). */
  readonly ready: Promise<void>;

  dispose(): void {
    window.clearTimeout(this.timer);
    this.themeWatch.disconnect();
    this.forPlots(p => p.dispose());
    super.dispose();
  }

  setSmoothing(weight: number): void {
    this.smoothingText.textContent = weight.toFixed(2);
    this.forPlots(p => p.setOptions({ smoothing: weight }));
  }

  // --- loading ---

  private async load(): Promise<void> {
    try {
      const columns = this.group ? [this.group] : [];
      const [page, fields] = await Promise.all([
        requestAPI<ITablePage>(`runs/table${query({ where: this.where, limit: MAX_RUNS, archived: 'include',
          columns })}`),
        requestAPI<IFields>(`runs/fields${query({ where: this.where, archived: 'include' })}`)
      ]);
      this.rows = page.rows;
      this.fields = fields.fields;
      this.colours = new Map(page.rows.map(r => [r.id, r.colour]));
      this.shorts = shortIds(page.rows.map(r => r.id));
      this.title.label = `charts: ${page.rows.length} run${page.rows.length === 1 ? '' : 's'}`;
      this.summary.textContent = page.total > page.rows.length
        ? `the first ${page.rows.length} of ${page.total.toLocaleString()} runs` : `${page.total} runs`;
      this.fillControls(fields);
      this.drawLegend();
      const metrics = this.metricFields();
      const wanted = (this.args.metrics ?? []).filter(f => metrics.some(m => m.field === f));
      // Curves first: a metric some run logged at several steps, then the varying ones (one dot a run).
      const steps = new Map(fields.fields.map(f => [f.field, f.steps ?? 0]));
      const curves = metrics.filter(m => (steps.get(m.field) ?? 0) > 1).map(m => m.field);
      const varying = fields.default_columns.filter(f => metrics.some(m => m.field === f) && !curves.includes(f));
      const chosen = (wanted.length ? wanted : [...curves, ...varying].length ? [...curves, ...varying]
        : metrics.map(m => m.field)).slice(0, DEFAULT_CHARTS);
      if (!this.rows.length) {
        this.error.textContent = 'no runs match: choose runs in the runs table, then Charts';
      } else if (!chosen.length) {
        this.error.textContent = 'these runs logged no metrics yet';
      }
      await Promise.all(chosen.map(field => this.addChart(field)));
    } catch (error) {
      this.error.textContent = (error as Error).message;
    } finally {
      this.node.dataset.drawnAt = String(performance.now());
      this.readyResolve();
    }
  }

  private metricFields(): IField[] {
    return this.fields.filter(f => seriesKey(f) !== null);
  }

  private fillControls(fields: IFields): void {
    const metrics = this.metricFields();
    this.metricAdd.replaceChildren(h('option', { attrs: { value: '' } }, 'metric...'),
      ...metrics.map(f => h('option', { attrs: { value: f.field } }, f.label)));
    this.xSelect.replaceChildren(
      ...X_FIXED.map(([value, text]) => h('option', { attrs: { value } }, text)),
      ...metrics.map(f => h('option', { attrs: { value: f.field } }, f.label)));
    const groupable = fields.fields.filter(f => f.kind === 'param' || f.kind === 'tag');
    this.groupSelect.replaceChildren(h('option', { attrs: { value: '' } }, 'nothing (a line per run)'),
      ...groupable.map(f => h('option', { attrs: { value: f.field } }, `${f.kind} ${f.label}`)));
    this.groupSelect.value = groupable.some(f => f.field === this.group) ? this.group : '';
    this.group = this.groupSelect.value;
  }

  private xKind(): XKind {
    return X_FIXED.find(([value]) => value === this.xSelect.value)?.[2] ?? 'number';
  }

  private xLabel(): string {
    return this.xSelect.selectedOptions[0]?.textContent ?? 'step';
  }

  private async addChart(field: string): Promise<void> {
    this.metricAdd.value = '';
    if (this.charts.has(field)) {
      this.charts.get(field)!.card.scrollIntoView({ block: 'nearest' });
      return;
    }
    const entry = this.fields.find(f => f.field === field);
    const key = entry ? seriesKey(entry) : null;
    if (key === null) {
      return;
    }
    const plot = new Plot({ logY: this.logY.checked, smoothing: Number(this.smoothing.value), xKind: this.xKind(),
      xLabel: this.xLabel() });
    const close = h('button', { class: 'nbtrack-chart-close', title: 'remove this chart' }, '×');
    const card = h('section', { class: 'nbtrack-chart-card', attrs: { 'data-field': field } },
      h('header', {}, h('h3', {}, entry!.label), close), plot.node);
    const chart: IChart = { field, key, plot, card, runs: new Map(), lines: new Map(), groups: null };
    close.addEventListener('click', () => {
      plot.dispose();
      card.remove();
      this.charts.delete(field);
    });
    this.charts.set(field, chart);
    this.grid.append(card);
    await this.fetch(chart);
  }

  private async reloadSeries(): Promise<void> {
    this.forPlots(p => p.setOptions({ xKind: this.xKind(), xLabel: this.xLabel() }));
    await Promise.all([...this.charts.values()].map(chart => this.fetch(chart)));
  }

  private async regroup(group: string): Promise<void> {
    this.group = group;
    if (group && !(await this.readRows())) {
      return;
    }
    this.drawLegend();
    await Promise.all([...this.charts.values()].map(chart => this.fetch(chart)));
  }

  /** The runs again (with the group's column, and their statuses now); false when the server refused. */
  private async readRows(): Promise<boolean> {
    try {
      const page = await requestAPI<ITablePage>(`runs/table${query({ where: this.where, limit: MAX_RUNS,
        archived: 'include', columns: this.group ? [this.group] : [] })}`);
      this.rows = page.rows;
      return true;
    } catch (error) {
      this.error.textContent = (error as Error).message;
      return false;
    }
  }

  private budget(): number {
    return Math.min(20000, Math.max(2, Math.round(Number(this.points.value)) || DEFAULT_POINTS));
  }

  private seriesPath(chart: IChart, ids: string[], after?: number): string {
    const points = this.budget();
    return `series${query({ ids: ids.join(','), key: chart.key, points, x: this.xSelect.value || 'step',
      after })}`;
  }

  /** Every run's series of this chart's metric, then the chart drawn; live polling starts if a run runs. */
  private async fetch(chart: IChart): Promise<void> {
    const ids = this.rows.map(r => r.id);
    if (!ids.length) {
      return;
    }
    try {
      if (this.group) {
        const points = Math.min(MAX_GROUP_POINTS, this.budget());
        chart.groups = await requestAPI<IGroupSeries>(`series/groups${query({ ids: ids.join(','), key: chart.key,
          group: this.group, points, x: this.xSelect.value || 'step' })}`);
        this.error.textContent = '';
        this.redrawChart(chart);
        this.scheduleLive();
        return;
      }
      // In batches asked for together: the server reads and encodes one while the browser parses another.
      const batch = Math.max(10, Math.ceil(ids.length / BATCHES));
      const answers = await Promise.all(Array.from({ length: Math.ceil(ids.length / batch) }, (_, i) =>
        requestAPI<ISeriesAnswer>(this.seriesPath(chart, ids.slice(i * batch, (i + 1) * batch)))));
      chart.runs = new Map(answers.flatMap(answer => answer.runs).map(r => [r.id, r]));
      chart.lines.clear();
      this.error.textContent = '';
    } catch (error) {
      this.error.textContent = (error as Error).message;
      return;
    }
    this.redrawChart(chart);
    this.scheduleLive();
  }

  private scheduleLive(): void {
    window.clearTimeout(this.timer);
    const running = this.runningIds();
    this.live.textContent = running.length ? `live: ${running.length} running` : '';
    if (running.length && !this.isDisposed) {
      this.timer = window.setTimeout(() => void this.poll(), LIVE_MS);
    }
  }

  private runningIds(): string[] {
    const running = new Set<string>(this.group ? this.rows.filter(r => r.status === 'running').map(r => r.id) : []);
    for (const chart of this.charts.values()) {
      for (const run of chart.runs.values()) {
        if (run.status === 'running') {
          running.add(run.id);
        }
      }
    }
    return [...running];
  }

  /** Only the points past each running run's last drawn step, appended in place: zoom stays. */
  private async poll(): Promise<void> {
    if (this.group) {
      // Grouped lines are bins over every run's whole series: asked for again, with the runs' statuses.
      if (await this.readRows()) {
        await Promise.all([...this.charts.values()].map(chart => this.fetch(chart)));
      }
      this.scheduleLive();
      return;
    }
    const running = this.runningIds();
    try {
      await Promise.all([...this.charts.values()].map(async chart => {
        const mine = running.filter(id => chart.runs.has(id));
        if (!mine.length) {
          return;
        }
        const lastStep = (id: string): number => {
          const steps = chart.runs.get(id)!.step;
          return steps.length ? steps[steps.length - 1] : -1;
        };
        const after = Math.min(...mine.map(lastStep));
        const answer = await requestAPI<ISeriesAnswer>(this.seriesPath(chart, mine, after));
        for (const fresh of answer.runs) {
          const old = chart.runs.get(fresh.id)!;
          const from = fresh.step.findIndex(s => s > lastStep(fresh.id));
          const take = from < 0 ? 0 : fresh.step.length - from;
          const tail = <T>(values: T[]): T[] => (take ? values.slice(from) : []);
          chart.runs.set(fresh.id, {
            ...fresh, count: old.count + take, x: old.x.concat(tail(fresh.x)), last: old.last.concat(tail(fresh.last)),
            min: old.min.concat(tail(fresh.min)), max: old.max.concat(tail(fresh.max)),
            step: old.step.concat(tail(fresh.step))
          });
          chart.lines.delete(fresh.id);
        }
        this.redrawChart(chart);
      }));
    } catch (error) {
      this.error.textContent = (error as Error).message;
    }
    this.scheduleLive();
  }

  // --- drawing ---

  private redrawChart(chart: IChart): void {
    chart.plot.setLines(this.group ? this.groupLines(chart) : this.runLines(chart));
    chart.card.dataset.lines = String(this.group ? chart.groups?.groups.length ?? 0 : this.rows.length);
  }

  private lineOf(chart: IChart, row: ITableRow): ILine | null {
    let line = chart.lines.get(row.id);
    const run = chart.runs.get(row.id);
    if (!line && run && run.x.length) {
      line = {
        id: row.id, label: `${row.name} ${this.shorts.get(row.id)}`, colour: this.colours.get(row.id) ?? '#888',
        x: floats(run.x), y: floats(run.last), lo: floats(run.min), hi: floats(run.max)
      };
      chart.lines.set(row.id, line);
    }
    return line ?? null;
  }

  private runLines(chart: IChart): ILine[] {
    const lines: ILine[] = [];
    for (const row of this.rows) {
      const line = this.hidden.has(row.id) ? null : this.lineOf(chart, row);
      if (line) {
        lines.push(line);
      }
    }
    return lines;
  }

  private groupOf(row: ITableRow): string {
    return formatValue(row.values[this.group] ?? null);
  }

  private groupNames(): string[] {
    return Array.from(new Set(this.rows.map(r => this.groupOf(r)))).sort();
  }

  /** Each group's mean with a ± std band, on the x bins the server shares among the groups. */
  private groupLines(chart: IChart): ILine[] {
    const answer = chart.groups;
    if (!answer) {
      return [];
    }
    const names = answer.groups.map(g => formatValue(g.value ?? null));
    const colours = new Map(names.map((name, i) => [name, paletteColour(i)]));
    return answer.groups.flatMap((g, i) => {
      if (this.hidden.has(`group:${names[i]}`)) {
        return [];
      }
      // A bin none of the group's runs has a point in is no gap in the line: it is left out.
      const kept = g.mean.flatMap((m, b) => (m === null || answer.bins[b] === null ? [] : [b]));
      return [{
        id: `group:${names[i]}`, label: `${names[i]} (${g.runs.length} run${g.runs.length === 1 ? '' : 's'})`,
        colour: colours.get(names[i])!, x: Float64Array.from(kept, b => answer.bins[b]!),
        y: Float64Array.from(kept, b => g.mean[b]!), spread: Float64Array.from(kept, b => g.std[b] ?? 0)
      }];
    });
  }

  private drawLegend(): void {
    const entries: [string, string, string, string][] = this.group
      ? this.groupNames().map(name => [`group:${name}`, paletteColour(this.groupNames().indexOf(name)),
        `${this.groupSelect.selectedOptions[0]?.textContent?.replace(/^\w+ /, '') ?? ''} = ${name}`,
        `${this.rows.filter(r => this.groupOf(r) === name).length} runs · mean ± std`])
      : this.rows.map(r => [r.id, this.colours.get(r.id)!, r.name, this.shorts.get(r.id)!]);
    this.legend.replaceChildren(...entries.map(([key, colour, name, detail]) => {
      const swatch = h('span', { class: 'nbtrack-swatch' });
      swatch.style.background = colour;
      const item = h('button', { class: `nbtrack-legend-item${this.hidden.has(key) ? ' nbtrack-legend-off' : ''}`,
        title: 'show or hide this line', attrs: { role: 'listitem', 'data-key': key } },
      swatch, h('span', { class: 'nbtrack-legend-name' }, name), h('span', { class: 'nbtrack-short-id' }, detail));
      item.addEventListener('click', () => {
        if (this.hidden.has(key)) {
          this.hidden.delete(key);
        } else {
          this.hidden.add(key);
        }
        item.classList.toggle('nbtrack-legend-off', this.hidden.has(key));
        for (const chart of this.charts.values()) {
          this.redrawChart(chart);
        }
      });
      if (!this.group) {
        item.addEventListener('dblclick', () => this.actions.openRun(key));
      }
      return item;
    }));
  }

  private forPlots(each: (plot: Plot) => void): void {
    for (const chart of this.charts.values()) {
      each(chart.plot);
    }
  }

  private readonly where: string;
  private readonly heading: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly error: HTMLElement;
  private readonly metricAdd: HTMLSelectElement;
  private readonly xSelect: HTMLSelectElement;
  private readonly smoothing: HTMLInputElement;
  private readonly smoothingText: HTMLElement;
  private readonly logY: HTMLInputElement;
  private readonly points: HTMLInputElement;
  private readonly groupSelect: HTMLSelectElement;
  private readonly live: HTMLElement;
  private readonly legend: HTMLElement;
  private readonly grid: HTMLElement;
  private readonly themeWatch: MutationObserver;
  private readonly charts = new Map<string, IChart>();
  private readonly hidden = new Set<string>();
  private readyResolve!: () => void;
  private group: string;
  private rows: ITableRow[] = [];
  private fields: IField[] = [];
  private colours = new Map<string, string>();
  private shorts = new Map<string, string>();
  private timer = 0;
}

function floats(values: (number | null)[]): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = v === null ? NaN : v;
  }
  return out;
}
