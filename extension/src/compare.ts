/** Compare panel: the table of nbtrack.compare, differences only on demand, best metrics marked, overlaid series. */

import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Widget } from '@lumino/widgets';

import { chart, lines } from './charts';
import { section } from './detail';
import { h, show } from './dom';
import { query, requestAPI, requestBlob } from './request';
import { IComparison, IRunDetail, ISeries } from './types';

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
      paramHost.replaceChildren(this.grid(names, keys.map(k => [k.slice(7), c.columns[k].map(v => show(v)), c.differs[k]])));
    };
    onlyDiff.addEventListener('change', drawParams);
    drawParams();
    const metricKeys = Object.keys(c.columns).filter(k => k.startsWith('metrics.'));
    const metricTable = h('table', { class: 'nbtrack-table nbtrack-compare-table' },
      h('thead', {}, h('tr', {}, h('th', {}, 'metric'), ...names.map(n => h('th', {}, n)))),
      h('tbody', {}, ...metricKeys.map(k => h('tr', {}, h('td', {}, k.slice(8)),
        ...c.columns[k].map((v, i) => {
          const best = c.best[k] === c.ids[i];
          return h('td', { class: best ? 'nbtrack-best' : '', title: best ? 'best' : '' }, show(v), best ? ' ★' : '');
        })))));
    const facts = [
      ['status', c.runs.map(r => r.status)],
      ['experiment', c.runs.map(r => r.experiment)],
      ['notebook', details.map(d => d.notebook ? `${d.notebook.path} @ ${d.notebook.sha256.slice(0, 10)}` : '—')],
      ['data', details.map(d => d.records.filter(r => r.kind === 'data')
        .map(r => `${r.name} ${String(r.body.fingerprint ?? '').slice(0, 10)}`).join(', ') || '—')],
      ['environment', details.map(d => {
        const env = d.records.find(r => r.kind === 'environment')?.body ?? {};
        return [env.python, env.platform].filter(Boolean).map(show).join(' · ') || '—';
      })]
    ] as [string, string[]][];
    return [
      h('h2', {}, `Compare ${c.ids.length} runs`),
      section('Runs', this.grid(names, facts.map(([k, v]) => [k, v, new Set(v).size > 1]))),
      section('Params', h('label', {}, onlyDiff, ' only differences'), paramHost),
      section('Metrics', metricTable),
      section('Series', this.seriesHost),
      section('Figures', this.figuresHost)
    ];
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
