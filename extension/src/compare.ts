/**
 * Compare panel: what RunComparison shows. The table of nbtrack.compare (params with differences on
 * demand, metrics with the best marked), overlaid series, figures side by side, and the data,
 * environment and notebook differences computed by nbtrack.analyze.differences on the server.
 *
 * Runs are shown baseline first, then in the order they started; every difference is against the
 * baseline, which the user chooses (default: the run that started first). A run's column header,
 * its lines and its figures carry one identity: name, short id and colour (identity.ts).
 */

import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Widget } from '@lumino/widgets';

import { Charts, confusion } from './charts';
import { ChartsPanel } from './chartsPanel';
import { section } from './detail';
import { h } from './dom';
import { formatNumber, formatValue, MISSING } from './format';
import { identities, IRunIdentity, runHead } from './identity';
import { query, requestAPI, requestBlob } from './request';
import { ICellChange, IComparison, IDataDifference, IDifferences, IRunDetail } from './types';

/** Every per-run table has the same column widths (em): the key column, then one per run. */
const KEY_WIDTH = 12;
const RUN_WIDTH = 15;

type Cell = Node | string;
interface IRow {
  key: Cell;
  cells: Cell[];
  differs?: boolean;
  classes?: string[];
  attrs?: Record<string, string>;
}

export class ComparePanel extends Widget {
  constructor(
    readonly ids: string[],
    rendermime: IRenderMimeRegistry
  ) {
    super();
    this.addClass('nbtrack-panel');
    this.addClass('nbtrack-compare');
    this.id = `nbtrack-compare-${ids.join('-').slice(0, 80)}`;
    this.title.label = `compare ${ids.length} runs`;
    this.title.closable = true;
    this.charts = new Charts(rendermime);
    void this.load();
  }

  async load(): Promise<void> {
    try {
      const details = await Promise.all(this.ids.map(id => requestAPI<IRunDetail>(`runs/${encodeURIComponent(id)}`)));
      details.sort((a, b) => a.started_at.localeCompare(b.started_at) || a.id.localeCompare(b.id));
      this.details = new Map(details.map(d => [d.id, d]));
      this.order = details.map(d => d.id);
      this.who = identities(details);
      this.title.caption = details.map(d => this.who.get(d.id)!.label).join('\n');
      await this.compareWith(this.order[0]);
    } catch (error) {
      this.node.replaceChildren(h('div', { class: 'nbtrack-error' }, (error as Error).message));
    }
  }

  /** Compare with baseline first: the server measures every difference against the first run. */
  private async compareWith(baseline: string): Promise<void> {
    const ticket = ++this.shown;
    const ordered = [baseline, ...this.order.filter(id => id !== baseline)];
    const comparison = await requestAPI<IComparison>('compare' + query({ ids: ordered.join(',') }));
    if (ticket !== this.shown || this.isDisposed) {
      return; // a later choice of baseline answers instead
    }
    const details = comparison.ids.map(id => this.details.get(id)!);
    const focused = document.activeElement?.classList.contains('nbtrack-baseline') ?? false;
    const scroll = this.node.scrollTop;
    this.charts.dispose();
    this.seriesHost = h('div', { class: 'nbtrack-series' }, 'loading series…');
    this.figuresHost = h('div', { class: 'nbtrack-figures' }, 'loading figures…');
    this.node.replaceChildren(...this.render(comparison, details));
    this.node.scrollTop = scroll;
    if (focused) {
      this.node.querySelector<HTMLSelectElement>('.nbtrack-baseline')?.focus();
    }
    this.overlay(details);
    void this.figures(comparison, details).catch(e => this.figuresHost.replaceChildren(this.error(e)));
  }

  private render(c: IComparison, details: IRunDetail[]): HTMLElement[] {
    const onlyDiff = h('input', { attrs: { type: 'checkbox' }, class: 'nbtrack-only-differences' });
    onlyDiff.checked = this.onlyDifferences; // kept when the baseline changes
    const paramHost = h('div');
    const drawParams = (): void => {
      const keys = Object.keys(c.columns).filter(k => k.startsWith('params.') && (!onlyDiff.checked || c.differs[k]));
      paramHost.replaceChildren(keys.length
        ? this.grid(c.ids, 'param', keys.map(k => ({ key: k.slice(7), cells: c.columns[k].map(v => formatValue(v)),
          differs: c.differs[k] })))
        : h('div', { class: 'nbtrack-note' }, onlyDiff.checked ? 'every param is the same in all runs' : 'no params'));
    };
    onlyDiff.addEventListener('change', () => {
      this.onlyDifferences = onlyDiff.checked;
      drawParams();
    });
    drawParams();
    const facts: [string, string[]][] = [
      ['status', c.runs.map(r => r.status)],
      ['experiment', c.runs.map(r => r.experiment)],
      ['started', c.runs.map(r => new Date(r.started_at).toLocaleString())],
      ['notebook', details.map(d => d.notebook ? `${d.notebook.path} @ ${d.notebook.sha256.slice(0, 10)}` : MISSING)],
      ['id', c.ids]
    ];
    return [
      h('h2', {}, `Compare ${c.ids.length} runs`),
      this.baselineChooser(c.ids[0]),
      section('Runs', this.grid(c.ids, '', facts.map(([k, v]) => ({ key: k, cells: v, differs: !['id', 'started'].includes(k) && new Set(v).size > 1 })))),
      section('Params', h('label', { class: 'nbtrack-check' }, onlyDiff, ' only differences'), paramHost),
      section('Metrics', this.metrics(c)),
      section('Series', this.seriesHost),
      section('Figures', this.figuresHost),
      this.evaluations(c.ids, details),
      this.data(c, details),
      this.environment(c),
      this.notebook(c.differences)
    ];
  }

  /** Which run every difference is measured against: shown, and choosable by mouse or keyboard. */
  private baselineChooser(baseline: string): HTMLElement {
    const select = h('select', { class: 'jp-mod-styled nbtrack-baseline', attrs: { 'aria-label': 'baseline run' } });
    for (const id of this.order) {
      const option = h('option', { attrs: { value: id } }, this.who.get(id)!.label);
      option.selected = id === baseline;
      select.append(option);
    }
    select.addEventListener('change', () => void this.compareWith(select.value).catch(e => this.node.prepend(this.error(e))));
    return h('div', { class: 'nbtrack-baseline-line' },
      h('label', {}, 'Baseline ', select),
      h('span', { class: 'nbtrack-note' }, 'differences (Δ, data shift, packages, notebook cells) are against the baseline'));
  }

  /** Last values; the best marked on every run that reaches it (ties all starred), Δ against the baseline. */
  private metrics(c: IComparison): HTMLElement {
    const keys = Object.keys(c.columns).filter(k => k.startsWith('metrics.'));
    if (!keys.length) {
      return h('div', { class: 'nbtrack-note' }, 'no metrics');
    }
    return this.grid(c.ids, 'metric', keys.map(k => {
      const values = c.columns[k];
      const bestAt = c.best[k] === undefined ? -1 : c.ids.indexOf(c.best[k]);
      const bestValue = bestAt < 0 ? undefined : values[bestAt];
      const base = values[0];
      return {
        key: k.slice(8),
        differs: c.differs[k],
        cells: values.map((v, i) => {
          const best = bestValue !== undefined && v === bestValue;
          const delta = i > 0 && typeof v === 'number' && typeof base === 'number' && v !== base
            ? h('span', { class: 'nbtrack-delta' }, ` Δ ${v > base ? '+' : ''}${formatNumber(v - base)}`) : null;
          return h('span', { class: best ? 'nbtrack-best' : '', title: best ? 'best' : '' },
            formatValue(v), best ? ' ★' : '', delta ?? '');
        })
      };
    }));
  }

  /** Confusion matrices of each evaluated split, a column per run (as RunComparison's Evaluations tab). */
  private evaluations(ids: string[], details: IRunDetail[]): HTMLElement {
    const matrices = details.map(d => new Map(d.records
      .filter(r => r.kind === 'evaluation' && Array.isArray(r.body.confusion_matrix?.matrix))
      .map(r => [r.name, r.body.confusion_matrix])));
    const splits = [...new Set(matrices.flatMap(m => [...m.keys()]))].sort();
    if (!splits.length) {
      return section('Evaluations', 'no evaluations with a confusion matrix');
    }
    const table = this.grid(ids, 'split', splits.map(split => ({
      key: split,
      cells: matrices.map(m => {
        const cm = m.get(split);
        return cm ? this.charts.chart(confusion(cm.labels ?? [], cm.matrix, split), 'nbtrack-chart nbtrack-confusion') : MISSING;
      })
    })));
    table.classList.add('nbtrack-compare-evaluations');
    return section('Evaluations', table);
  }

  /** Per data set: one line when every run saw the same data; else fingerprint, rows, missing share and shift per column. */
  private data(c: IComparison, details: IRunDetail[]): HTMLElement {
    const found = c.differences.data;
    if (!found.length) {
      return section('Data', 'no data profiles');
    }
    const base = this.who.get(c.ids[0])!;
    const fingerprintOf = (name: string): string => {
      const record = details[0].records.find(r => r.kind === 'data' && r.name === name);
      return String(record?.body.fingerprint ?? '').slice(0, 12);
    };
    const one = (d: IDataDifference): HTMLElement[] => {
      if (d.fingerprint.length > 1 && d.fingerprint.every(v => v === 'same')) {
        const fingerprint = fingerprintOf(d.name);
        return [h('h4', {}, d.name), h('div', { class: 'nbtrack-same-data' },
          `same data (fingerprint ${fingerprint || MISSING}) in all ${d.fingerprint.length} runs: `,
          `${formatValue(d.rows[0])} rows, missing share ${formatValue(d.missing_share[0])}`)];
      }
      const verdicts = d.fingerprint.map((v, i) => i === 0 && v === 'same' ? 'baseline' : formatValue(v));
      const parts: HTMLElement[] = [h('h4', {}, d.name), this.grid(c.ids, '', [
        { key: 'fingerprint', cells: verdicts, differs: d.fingerprint.slice(1).some(v => v !== null && v !== 'same') },
        { key: 'rows', cells: d.rows.map(v => formatValue(v)), differs: new Set(d.rows).size > 1 },
        { key: 'missing share', cells: d.missing_share.map(v => formatValue(v)), differs: new Set(d.missing_share).size > 1 }
      ])];
      if (d.columns.length) {
        const shift = this.grid(c.ids, 'column shift', d.columns.map(col => ({
          key: col.column,
          attrs: { 'data-column': col.column },
          cells: col.shift.map((v, i) => h('span', { class: col.changed[i] ? 'nbtrack-shifted' : '', title: col.changed[i] ? 'shifted' : '' },
            formatValue(v)))
        })));
        shift.classList.add('nbtrack-data-shift');
        parts.push(shift);
      }
      return parts;
    };
    return section('Data', h('div', { class: 'nbtrack-note' },
      `against the baseline ${base.label}: standardized mean difference (numeric) or total variation of top values ` +
      '(categorical); marked from 0.1'), ...found.flatMap(one));
  }

  /** Python, platform and git per run, then packages added, removed or changed against the baseline. */
  private environment(c: IComparison): HTMLElement {
    const env = c.differences.environment;
    if (!env.captured) {
      return section('Environment', 'no environment captured');
    }
    const base = this.who.get(c.ids[0])!;
    const packages = env.packages.length
      ? h('table', { class: 'nbtrack-table nbtrack-packages' },
        h('thead', {}, h('tr', {}, ...['run', 'package', 'change', `baseline (${base.label})`, 'this run'].map(t => h('th', {}, t)))),
        h('tbody', {}, ...env.packages.map(p => h('tr', { class: `nbtrack-package-${p.change}` },
          h('td', {}, this.who.get(p.run)?.label ?? p.run), h('td', {}, p.package), h('td', {}, p.change),
          h('td', {}, p.before ?? MISSING), h('td', {}, p.after ?? MISSING)))))
      : h('div', { class: 'nbtrack-note' }, 'the same packages in every run');
    return section('Environment',
      this.grid(c.ids, '', env.facts.map(f => ({ key: f.name, cells: f.values.map(v => formatValue(v)), differs: f.differs }))),
      packages);
  }

  /** Each run's source notebook against the baseline's: cells added, removed and changed, with their text. */
  private notebook(d: IDifferences): HTMLElement {
    if (!d.notebook.length) {
      return section('Notebook', 'fewer than two runs kept their source notebook');
    }
    const label = (id: string): string => this.who.get(id)?.label ?? id;
    return section('Notebook', ...d.notebook.flatMap(n => n.same
      ? [h('div', { class: 'nbtrack-note' }, `${label(n.run)}: the same notebook as ${label(n.base)}`)]
      : [h('h4', {}, `${label(n.run)} against ${label(n.base)}`),
        n.cells.length
          ? h('table', { class: 'nbtrack-table nbtrack-cell-diff' },
            h('thead', {}, h('tr', {}, h('th', {}, 'cell'), h('th', {}, 'change'), h('th', {}, 'source'))),
            h('tbody', {}, ...n.cells.map(cell => h('tr', { class: `nbtrack-cell-${cell.change}` },
              h('td', {}, `cell ${cell.cell}`), h('td', {}, cell.change), h('td', {}, this.cellText(cell))))))
          : h('div', { class: 'nbtrack-note' }, 'the same cells (only outputs or metadata differ)')]));
  }

  /** A cell's text, or its line diff with added and removed lines marked, as text nodes. */
  private cellText(cell: ICellChange): HTMLElement {
    const lines = cell.text.split('\n').map(line => {
      const kind = cell.change !== 'changed' ? '' : line.startsWith('+') ? 'nbtrack-line-added'
        : line.startsWith('-') ? 'nbtrack-line-removed' : line.startsWith('@@') ? 'nbtrack-line-hunk' : '';
      return h('span', { class: kind }, line + '\n');
    });
    return h('pre', { class: 'nbtrack-cell-source' }, ...lines);
  }

  /** A table with a key column and one column per run (headed by the run's identity), widths the same in every table. */
  private grid(ids: string[], first: string, rows: IRow[]): HTMLTableElement {
    const table = h('table', { class: 'nbtrack-table nbtrack-compare-table' },
      h('colgroup', {}, h('col', { class: 'nbtrack-key-col' }), ...ids.map(() => h('col', { class: 'nbtrack-run-col' }))),
      h('thead', {}, h('tr', {}, h('th', {}, first), ...ids.map((id, i) => h('th', { class: i === 0 ? 'nbtrack-baseline-head' : '' },
        runHead(this.who.get(id)!), i === 0 ? h('span', { class: 'nbtrack-baseline-mark' }, 'baseline') : null)))),
      h('tbody', {}, ...rows.map(row => {
        const tr = h('tr', { class: [row.differs ? 'nbtrack-differs' : '', ...(row.classes ?? [])].join(' ').trim(), attrs: row.attrs },
          h('td', {}, row.key), ...row.cells.map(v => h('td', {}, v)));
        return tr;
      })));
    table.style.width = `${KEY_WIDTH + RUN_WIDTH * ids.length}em`;
    return table;
  }

  /**
   * The series: the charts panel itself (its plot and control bar: x axis, smoothing, log y, points,
   * zoom, min/max bands, live appends) over the compared runs, each line in its run's colour, keyed by
   * run id. Made once: a new baseline moves it into the new page with its controls and zoom as they were.
   */
  private overlay(details: IRunDetail[]): void {
    const keys = [...new Set(details.flatMap(d => Object.entries(d.summaries).filter(([, s]) => s.count > 1).map(([k]) => k)))].sort();
    if (!keys.length) {
      this.seriesHost.replaceChildren('no metric series');
      return;
    }
    // The curves only (last values are in Metrics); a key with a dot may be a quoted field.
    const metrics = keys.flatMap(k => [`metrics.${k}`, `metrics.\`${k}\``]);
    this.seriesPanel ??= new ChartsPanel({ ids: this.order, metrics }, { openRun: () => undefined });
    this.seriesHost.replaceChildren(this.seriesPanel.node);
  }

  /** Each PNG figure by name, a column per run under the same run headers as every other table. */
  private async figures(c: IComparison, details: IRunDetail[]): Promise<void> {
    const names = [...new Set(details.flatMap(d => d.artifact_list.filter(a => a.media_type === 'image/png').map(a => a.name)))].sort();
    if (!names.length) {
      this.figuresHost.replaceChildren('no figures');
      return;
    }
    const host = this.figuresHost;
    const rows = await Promise.all(names.map(async name => ({
      key: name,
      cells: await Promise.all(details.map(async d => {
        if (!(name in d.artifacts)) {
          return MISSING;
        }
        const cached = `${d.id}\n${name}`;
        let url = this.urls.get(cached);
        if (url === undefined) {
          const blob = await requestBlob(`runs/${d.id}/artifacts/${name.split('/').map(encodeURIComponent).join('/')}`);
          url = URL.createObjectURL(blob);
          this.urls.set(cached, url);
        }
        const img = h('img', { class: 'nbtrack-figure', attrs: { alt: `${name} of ${this.who.get(d.id)!.label}` } });
        img.src = url;
        return img;
      }))
    })));
    if (host === this.figuresHost) {
      this.figuresHost.replaceChildren(this.grid(c.ids, 'figure', rows));
    }
  }

  private error(e: unknown): HTMLElement {
    return h('div', { class: 'nbtrack-error' }, (e as Error).message);
  }

  dispose(): void {
    this.charts.dispose();
    this.seriesPanel?.dispose();
    this.urls.forEach(u => URL.revokeObjectURL(u));
    super.dispose();
  }

  private readonly charts: Charts;
  private details = new Map<string, IRunDetail>();
  private order: string[] = [];
  private who = new Map<string, IRunIdentity>();
  private shown = 0;
  private onlyDifferences = false;
  private seriesHost = h('div', { class: 'nbtrack-series' });
  private figuresHost = h('div', { class: 'nbtrack-figures' });
  private seriesPanel: ChartsPanel | null = null; // the series section, kept across baselines
  private readonly urls = new Map<string, string>(); // run id + figure name -> object URL
}
