/** Run detail (main area): params, metric charts, evaluations, data, figures, environment, cell costs, tags. */

import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Widget } from '@lumino/widgets';

import { cellCosts, chart, confusion, curve, lines } from './charts';
import { duration, h, table } from './dom';
import { MISSING, formatValue } from './format';
import { requestAPI, requestBlob } from './request';
import { IRecord, IRunDetail, ISeries } from './types';

export const EXECUTED_NOTEBOOK = 'notebook.ipynb';
const SERIES_POINTS = 300;
const REFRESH_MS = 2000;

export interface IDetailActions {
  openNotebook(run: IRunDetail): void;
}

export class RunDetail extends Widget {
  constructor(
    readonly runId: string,
    private readonly rendermime: IRenderMimeRegistry,
    private readonly actions: IDetailActions
  ) {
    super();
    this.addClass('nbtrack-panel');
    this.addClass('nbtrack-detail');
    this.id = `nbtrack-run-${runId}`;
    this.title.label = `run ${runId.slice(0, 8)}`;
    this.title.closable = true;
    void this.load();
  }

  async load(): Promise<void> {
    try {
      const run = await requestAPI<IRunDetail>(`runs/${encodeURIComponent(this.runId)}`);
      this.title.label = `run ${run.name || run.id.slice(0, 8)}`;
      this.title.caption = `${run.experiment} / ${run.id}`;
      this.node.replaceChildren(...this.render(run));
      void this.loadSeries(run);
      void this.loadFigures(run);
      if (run.status === 'running' && !this.isDisposed) {
        window.clearTimeout(this.refresh);
        this.refresh = window.setTimeout(() => void this.load(), REFRESH_MS); // a live run updates itself
      }
    } catch (error) {
      this.node.replaceChildren(h('div', { class: 'nbtrack-error' }, (error as Error).message));
    }
  }

  private render(run: IRunDetail): HTMLElement[] {
    const open = h('button', { class: 'jp-mod-styled jp-mod-accept nbtrack-open-notebook' }, 'Open executed notebook');
    open.disabled = !(EXECUTED_NOTEBOOK in run.artifacts);
    open.addEventListener('click', () => this.actions.openNotebook(run));
    const head = h('div', { class: 'nbtrack-detail-head' },
      h('h2', {}, run.name || run.id),
      h('div', { class: 'nbtrack-facts' },
        h('span', { class: `nbtrack-status nbtrack-status-${run.status}` }, run.status),
        h('span', {}, `experiment ${run.experiment}`),
        h('span', {}, `id ${run.id}`),
        h('span', {}, `started ${new Date(run.started_at).toLocaleString()}`),
        h('span', {}, `duration ${duration(run.duration)}`),
        run.notebook ? h('span', {}, `notebook ${run.notebook.path}`) : null),
      run.error
        ? h('div', { class: 'nbtrack-error' }, `cell ${run.error.cell ?? '?'}: ${run.error.ename}: ${run.error.evalue}`)
        : null,
      open);
    const sections: HTMLElement[] = [head, this.tags(run)];
    sections.push(section('Params', Object.keys(run.params).length
      ? table(['name', 'value'], Object.entries(run.params).map(([k, v]) => [k, formatValue(v)]))
      : 'no params'));
    sections.push(section('Metrics', Object.keys(run.summaries).length
      ? table(['key', 'last', 'min', 'max', 'points'], Object.entries(run.summaries).map(([k, s]) =>
        [k, formatValue(s.last), formatValue(s.min), formatValue(s.max), s.count]))
      : 'no metrics', this.seriesHost));
    const evaluations = run.records.filter(r => r.kind === 'evaluation');
    if (evaluations.length) {
      sections.push(section('Evaluations', ...evaluations.map(r => this.evaluation(r))));
    }
    const data = run.records.filter(r => r.kind === 'data');
    if (data.length) {
      sections.push(section('Data', table(['name', 'rows', 'columns', 'missing', 'fingerprint'],
        data.map(r => [r.name, formatValue(r.body.rows), formatValue(r.body.columns), formatValue(r.body.missing_share),
          String(r.body.fingerprint ?? '').slice(0, 12)]))));
    }
    const models = run.records.filter(r => r.kind === 'model');
    if (models.length) {
      sections.push(section('Models', table(['name', 'class', 'details'],
        models.map(r => [r.name, formatValue(r.body.estimator ?? r.body.class), formatValue(r.body.params ?? '')]))));
    }
    sections.push(section('Figures', this.figuresHost));
    if (run.cells.length) {
      sections.push(section('Cells', chart(this.rendermime, cellCosts(run.cells)),
        table(['cell', 'wall (s)', 'cpu (s)', 'peak memory (MB)', 'status'], run.cells.map(c =>
          [c.index, formatValue(c.wall_s), formatValue(c.cpu_s),
            c.rss_peak === null ? MISSING : (c.rss_peak / 1e6).toFixed(1), c.status]))));
    }
    const environment = run.records.find(r => r.kind === 'environment');
    if (environment) {
      sections.push(section('Environment', table(['what', 'value'],
        Object.entries(environment.body).filter(([k]) => k !== 'packages').map(([k, v]) => [k, formatValue(v)]))));
    }
    sections.push(section('Artifacts', table(['name', 'type', 'size'],
      run.artifact_list.map(a => [a.name, a.media_type, `${a.size} B`]))));
    return sections;
  }

  private evaluation(record: IRecord): HTMLElement {
    const body = record.body;
    const parts: HTMLElement[] = [];
    const metrics = body.metrics ?? {};
    if (Object.keys(metrics).length) {
      parts.push(table(Object.keys(metrics), [Object.values(metrics).map(v => formatValue(v))]));
    }
    const charts = h('div', { class: 'nbtrack-chart-row' });
    const cm = body.confusion_matrix;
    if (cm && Array.isArray(cm.matrix)) {
      charts.append(chart(this.rendermime, confusion(cm.labels ?? [], cm.matrix, `confusion matrix (${record.name})`),
        'nbtrack-chart nbtrack-confusion'));
    }
    if (body.roc && typeof body.roc === 'object') {
      charts.append(chart(this.rendermime, curve(Object.entries<any>(body.roc).map(([label, c]) =>
        ({ label, x: c.fpr, y: c.tpr })), 'false positive rate', 'true positive rate', 'ROC'), 'nbtrack-chart nbtrack-roc'));
    }
    if (body.pr && typeof body.pr === 'object') {
      charts.append(chart(this.rendermime, curve(Object.entries<any>(body.pr).map(([label, c]) =>
        ({ label, x: c.recall, y: c.precision })), 'recall', 'precision', 'precision-recall'), 'nbtrack-chart nbtrack-pr'));
    }
    return h('div', { class: 'nbtrack-evaluation' }, h('h4', {}, `split ${record.name}`), ...parts, charts);
  }

  private tags(run: IRunDetail): HTMLElement {
    const list = h('span', { class: 'nbtrack-tags' });
    const draw = (tags: Record<string, string>): void => {
      list.replaceChildren(...Object.entries(tags).map(([k, v]) => {
        const remove = h('button', { class: 'nbtrack-tag-remove', title: `remove tag ${k}` }, '×');
        remove.addEventListener('click', () => void patch({ delete: [k] }));
        return h('span', { class: 'nbtrack-tag' }, `${k}=${v}`, remove);
      }));
    };
    const input = h('input', { class: 'jp-mod-styled nbtrack-tag-input', attrs: { placeholder: 'key=value, Enter to add' } });
    const error = h('span', { class: 'nbtrack-filter-error' });
    const patch = async (body: unknown): Promise<void> => {
      try {
        const reply = await requestAPI<{ tags: Record<string, string> }>(`runs/${run.id}/tags`, 'PATCH', body);
        error.textContent = '';
        draw(reply.tags);
      } catch (e) {
        error.textContent = (e as Error).message;
      }
    };
    input.addEventListener('keydown', event => {
      if (event.key !== 'Enter') {
        return;
      }
      const [key, ...rest] = input.value.split('=');
      if (!key.trim() || !rest.length) {
        error.textContent = 'write a tag as key=value';
        return;
      }
      input.value = '';
      void patch({ set: { [key.trim()]: rest.join('=').trim() } });
    });
    draw(run.tags);
    return h('div', { class: 'nbtrack-section nbtrack-tag-line' }, h('strong', {}, 'Tags '), list, input, error);
  }

  private async loadSeries(run: IRunDetail): Promise<void> {
    const keys = Object.entries(run.summaries).filter(([, s]) => s.count > 1).map(([k]) => k);
    if (!keys.length) {
      return;
    }
    const { series } = await requestAPI<ISeries>(`runs/${run.id}/metrics?points=${SERIES_POINTS}` +
      keys.map(k => `&key=${encodeURIComponent(k)}`).join(''));
    const row = h('div', { class: 'nbtrack-chart-row' });
    for (const [key, points] of Object.entries(series)) {
      row.append(chart(this.rendermime, lines(points.map(p => ({ ...p, series: key })), key)));
    }
    this.seriesHost.replaceChildren(row);
  }

  private async loadFigures(run: IRunDetail): Promise<void> {
    const images = run.artifact_list.filter(a => a.media_type === 'image/png' || a.media_type === 'image/jpeg');
    if (!images.length) {
      this.figuresHost.replaceChildren('no figures');
      return;
    }
    // A live run reloads every REFRESH_MS: an image already fetched (same bytes, same
    // sha256) keeps its object URL; URLs of images no longer listed are released.
    const figures = await Promise.all(images.map(async a => {
      let url = this.urls.get(a.sha256);
      if (url === undefined) {
        const blob = await requestBlob(`runs/${run.id}/artifacts/${a.name.split('/').map(encodeURIComponent).join('/')}`);
        url = URL.createObjectURL(blob);
        this.urls.set(a.sha256, url);
      }
      const img = h('img', { class: 'nbtrack-figure', attrs: { alt: a.name } });
      img.src = url;
      return h('figure', {}, img, h('figcaption', {}, a.name));
    }));
    const listed = new Set(images.map(a => a.sha256));
    for (const [sha256, url] of this.urls) {
      if (!listed.has(sha256)) {
        URL.revokeObjectURL(url);
        this.urls.delete(sha256);
      }
    }
    this.figuresHost.replaceChildren(...figures);
  }

  dispose(): void {
    window.clearTimeout(this.refresh);
    this.urls.forEach(url => URL.revokeObjectURL(url));
    super.dispose();
  }

  private readonly seriesHost = h('div', { class: 'nbtrack-series' });
  private readonly figuresHost = h('div', { class: 'nbtrack-figures' });
  private readonly urls = new Map<string, string>(); // figure sha256 -> object URL
  private refresh = 0;
}

export function section(title: string, ...content: (Node | string)[]): HTMLElement {
  return h('section', { class: 'nbtrack-section' }, h('h3', {}, title), ...content);
}
