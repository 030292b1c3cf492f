/**
 * Compare panel: what RunComparison shows. The table of nbtrack.compare (params with differences on
 * demand, metrics with the best marked), overlaid series, figures side by side, and the data,
 * environment and notebook differences computed by nbtrack.analyze.differences on the server.
 */

import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Widget } from '@lumino/widgets';

import { chart, confusion, lines } from './charts';
import { section } from './detail';
import { h } from './dom';
import { formatValue } from './format';
import { query, requestAPI, requestBlob } from './request';
import { ICellChange, IComparison, IDataDifference, IDifferences, IRunDetail, ISeries } from './types';

const SERIES_POINTS = 200;

export class ComparePanel extends Widget {
  constructor(
    readonly ids: string[],
    private readonly rendermime: IRenderMimeRegistry
  ) {
    super();
    this.addClass('nbtrack-panel');
    this.addClass('nbtrack-compare');
    this.id = `nbtrack-compare-${ids.join('-').slice(0, 80)}`;
    this.title.label = `compare ${ids.length} runs`;
    this.title.closable = true;
    void this.load();
  }

  async load(): Promise<void> {
    try {
      const comparison = await requestAPI<IComparison>('compare' + query({ ids: this.ids.join(',') }));
      const details = await Promise.all(comparison.ids.map(id => requestAPI<IRunDetail>(`runs/${id}`)));
      this.node.replaceChildren(...this.render(comparison, details));
      void this.overlay(comparison, details);
      void this.figures(details);
    } catch (error) {
      this.node.replaceChildren(h('div', { class: 'nbtrack-error' }, (error as Error).message));
    }
  }

  private render(c: IComparison, details: IRunDetail[]): HTMLElement[] {
    const names = c.runs.map(r => r.name || r.id.slice(0, 10));
    const onlyDiff = h('input', { attrs: { type: 'checkbox' }, class: 'nbtrack-only-differences' });
    const paramHost = h('div');
    const drawParams = (): void => {
      const keys = Object.keys(c.columns).filter(k => k.startsWith('params.') && (!onlyDiff.checked || c.differs[k]));
      paramHost.replaceChildren(this.grid(names, keys.map(k => [k.slice(7), c.columns[k].map(v => formatValue(v)), c.differs[k]])));
    };
    onlyDiff.addEventListener('change', drawParams);
    drawParams();
    const metricKeys = Object.keys(c.columns).filter(k => k.startsWith('metrics.'));
    const metricTable = h('table', { class: 'nbtrack-table nbtrack-compare-table' },
      h('thead', {}, h('tr', {}, h('th', {}, 'metric'), ...names.map(n => h('th', {}, n)))),
      h('tbody', {}, ...metricKeys.map(k => h('tr', {}, h('td', {}, k.slice(8)),
        ...c.columns[k].map((v, i) => {
          const best = c.best[k] === c.ids[i];
          return h('td', { class: best ? 'nbtrack-best' : '', title: best ? 'best' : '' }, formatValue(v), best ? ' ★' : '');
        })))));
    const facts = [
      ['status', c.runs.map(r => r.status)],
      ['experiment', c.runs.map(r => r.experiment)],
      ['notebook', details.map(d => d.notebook ? `${d.notebook.path} @ ${d.notebook.sha256.slice(0, 10)}` : '—')]
    ] as [string, string[]][];
    return [
      h('h2', {}, `Compare ${c.ids.length} runs`),
      section('Runs', this.grid(names, facts.map(([k, v]) => [k, v, new Set(v).size > 1]))),
      section('Params', h('label', {}, onlyDiff, ' only differences'), paramHost),
      section('Metrics', metricTable),
      section('Series', this.seriesHost),
      section('Figures', this.figuresHost),
      this.evaluations(details, names),
      this.data(c, names),
      this.environment(c, names),
      this.notebook(c.differences, names)
    ];
  }

  /** Confusion matrices of each evaluated split, a column per run (as RunComparison's Evaluations tab). */
  private evaluations(details: IRunDetail[], names: string[]): HTMLElement {
    const matrices = details.map(d => new Map(d.records
      .filter(r => r.kind === 'evaluation' && Array.isArray(r.body.confusion_matrix?.matrix))
      .map(r => [r.name, r.body.confusion_matrix])));
    const splits = [...new Set(matrices.flatMap(m => [...m.keys()]))].sort();
    if (!splits.length) {
      return section('Evaluations', 'no evaluations with a confusion matrix');
    }
    return section('Evaluations', h('table', { class: 'nbtrack-table nbtrack-compare-evaluations' },
      h('thead', {}, h('tr', {}, h('th', {}, 'split'), ...names.map(n => h('th', {}, n)))),
      h('tbody', {}, ...splits.map(split => h('tr', {}, h('td', {}, split), ...matrices.map((m, i) => {
        const cm = m.get(split);
        return h('td', {}, cm ? chart(this.rendermime, confusion(cm.labels ?? [], cm.matrix, `${split}: ${names[i]}`),
          'nbtrack-chart nbtrack-confusion') : '—');
      }))))));
  }

  /** Per data set: fingerprint against the first run, rows, missing share; shift per column, changed ones marked. */
  private data(c: IComparison, names: string[]): HTMLElement {
    const found = c.differences.data;
    if (!found.length) {
      return section('Data', 'no data profiles');
    }
    const shown = (values: unknown[]): string[] => values.map(v => formatValue(v));
    const one = (d: IDataDifference): HTMLElement[] => [
      h('h4', {}, d.name),
      this.grid(names, [
        ['fingerprint', shown(d.fingerprint), d.fingerprint.some(v => v !== null && v !== 'same')],
        ['rows', shown(d.rows), new Set(d.rows).size > 1],
        ['missing share', shown(d.missing_share), new Set(d.missing_share).size > 1]
      ]),
      d.columns.length
        ? h('table', { class: 'nbtrack-table nbtrack-compare-table nbtrack-data-shift' },
          h('thead', {}, h('tr', {}, h('th', {}, 'column shift'), ...names.map(n => h('th', {}, n)))),
          h('tbody', {}, ...d.columns.map(col => h('tr', { attrs: { 'data-column': col.column } },
            h('td', {}, col.column),
            ...col.shift.map((v, i) => h('td', { class: col.changed[i] ? 'nbtrack-shifted' : '', title: col.changed[i] ? 'shifted' : '' },
              formatValue(v))))))
        )
        : h('div', { class: 'nbtrack-note' }, 'no columns')
    ];
    return section('Data', h('div', { class: 'nbtrack-note' },
      `against ${names[0]}: standardized mean difference (numeric) or total variation of top values (categorical); ` +
      'marked from 0.1'), ...found.flatMap(one));
  }

  /** Python, platform and git per run, then packages added, removed or changed against the first run. */
  private environment(c: IComparison, names: string[]): HTMLElement {
    const env = c.differences.environment;
    if (!env.captured) {
      return section('Environment', 'no environment captured');
    }
    const nameOf = new Map(c.ids.map((id, i) => [id, names[i]]));
    const packages = env.packages.length
      ? h('table', { class: 'nbtrack-table nbtrack-packages' },
        h('thead', {}, h('tr', {}, ...['run', 'package', 'change', names[0], 'this run'].map(t => h('th', {}, t)))),
        h('tbody', {}, ...env.packages.map(p => h('tr', { class: `nbtrack-package-${p.change}` },
          h('td', {}, nameOf.get(p.run) ?? p.run), h('td', {}, p.package), h('td', {}, p.change),
          h('td', {}, p.before ?? '—'), h('td', {}, p.after ?? '—')))))
      : h('div', { class: 'nbtrack-note' }, 'the same packages in every run');
    return section('Environment',
      this.grid(names, env.facts.map(f => [f.name, f.values.map(v => formatValue(v)), f.differs])), packages);
  }

  /** Each run's source notebook against the first run's: cells added, removed and changed, with their text. */
  private notebook(d: IDifferences, names: string[]): HTMLElement {
    if (!d.notebook.length) {
      return section('Notebook', 'fewer than two runs kept their source notebook');
    }
    const nameOf = new Map(this.ids.map((id, i) => [id, names[i]]));
    const label = (id: string): string => nameOf.get(id) ?? id.slice(0, 10);
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

  private grid(names: string[], rows: [string, string[], boolean][]): HTMLTableElement {
    return h('table', { class: 'nbtrack-table nbtrack-compare-table' },
      h('thead', {}, h('tr', {}, h('th', {}, ''), ...names.map(n => h('th', {}, n)))),
      h('tbody', {}, ...rows.map(([key, values, differs]) =>
        h('tr', { class: differs ? 'nbtrack-differs' : '' }, h('td', {}, key), ...values.map(v => h('td', {}, v))))));
  }

  private async overlay(c: IComparison, details: IRunDetail[]): Promise<void> {
    const keys = [...new Set(details.flatMap(d => Object.entries(d.summaries).filter(([, s]) => s.count > 1).map(([k]) => k)))];
    if (!keys.length) {
      this.seriesHost.replaceChildren('no metric series');
      return;
    }
    const all = await Promise.all(details.map(d => requestAPI<ISeries>(`runs/${d.id}/metrics?points=${SERIES_POINTS}` +
      keys.filter(k => k in d.summaries).map(k => `&key=${encodeURIComponent(k)}`).join(''))));
    const row = h('div', { class: 'nbtrack-chart-row' });
    for (const key of keys) {
      const points = all.flatMap((s, i) => (s.series[key] ?? []).map(p =>
        ({ ...p, series: details[i].name || details[i].id.slice(0, 10) })));
      row.append(chart(this.rendermime, lines(points, key)));
    }
    this.seriesHost.replaceChildren(row);
  }

  private async figures(details: IRunDetail[]): Promise<void> {
    const names = [...new Set(details.flatMap(d => d.artifact_list.filter(a => a.media_type === 'image/png').map(a => a.name)))];
    if (!names.length) {
      this.figuresHost.replaceChildren('no figures');
      return;
    }
    const rows = await Promise.all(names.map(async name => {
      const cells = await Promise.all(details.map(async d => {
        if (!(name in d.artifacts)) {
          return h('td', {}, '—');
        }
        const blob = await requestBlob(`runs/${d.id}/artifacts/${name.split('/').map(encodeURIComponent).join('/')}`);
        const img = h('img', { class: 'nbtrack-figure', attrs: { alt: `${name} of ${d.id}` } });
        img.src = URL.createObjectURL(blob);
        this.urls.push(img.src);
        return h('td', {}, img);
      }));
      return h('tr', {}, h('td', {}, name), ...cells);
    }));
    this.figuresHost.replaceChildren(h('table', { class: 'nbtrack-table' }, h('tbody', {}, ...rows)));
  }

  dispose(): void {
    this.urls.forEach(u => URL.revokeObjectURL(u));
    super.dispose();
  }

  private readonly seriesHost = h('div', { class: 'nbtrack-series' });
  private readonly figuresHost = h('div', { class: 'nbtrack-figures' });
  private readonly urls: string[] = [];
}
