/**
 * Run detail (main area): params, metric charts, evaluations, data, models, figures, cells, environment,
 * artifacts, tags. A live run refreshes every REFRESH_MS in place: each part is redrawn only when what
 * it shows changed, so typed text, focus, scroll and open charts stay as they are.
 */

import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { ArtifactList } from './artifacts';
import { cellCosts, ChartView, Charts, confusion, curve, runLines } from './charts';
import { duration, h, table } from './dom';
import { formatSize, formatValue, MISSING } from './format';
import { identities, IRunIdentity } from './identity';
import { requestAPI, requestBlob } from './request';
import { IRecord, IRunDetail, ISeries } from './types';

export const EXECUTED_NOTEBOOK = 'notebook.ipynb';
const SERIES_POINTS = 300;
const REFRESH_MS = 2000;
/** A package list longer than this gets a search box. */
const SEARCH_FROM = 12;

export interface IDetailActions {
  /** Open a stored notebook of the run read-only: the executed one, or the artifact named. */
  openNotebook(run: IRunDetail, artifact?: string): void;
  /** Edit the run's note (nbtrack:edit-note); saved() is called after each save. */
  editNote(id: string, saved: () => void): void;
}

/** GET /models/<name>: the versions of one model, with the run each points at and its aliases. */
interface IModelVersions {
  name: string;
  versions: { name: string; version: number; run_id: string; aliases: string[] }[];
}

/** One section: drawn again only when the value it is drawn from changed. */
interface IPart {
  node: HTMLElement;
  body: HTMLElement;
  drawn: string;
  charts: Charts;
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
    this.title.label = `run ${runId.slice(-6)}`;
    this.title.closable = true;
    this.seriesCharts = new Charts(rendermime);
    this.open.addEventListener('click', () => this.run && this.actions.openNotebook(this.run));
    this.renameButton.addEventListener('click', () => this.startRename());
    this.editNote.addEventListener('click', () => this.actions.editNote(this.runId, () => void this.load()));
    void this.load();
    void this.loadVersions();
  }

  /** Reopened (from the sidebar, the table or a tab): show what changed elsewhere meanwhile. */
  protected onActivateRequest(msg: Message): void {
    super.onActivateRequest(msg);
    if (this.run) {
      void this.load();
      void this.loadVersions();
    }
  }

  /**
   * The model versions registered from this run, as `churn v1 @champion`. No route answers "which
   * versions point at run X", so this reads /models, then /models/<name> of each model.
   */
  private async loadVersions(): Promise<void> {
    try {
      const { models } = await requestAPI<{ models: { name: string; versions: number }[] }>('models');
      const all = await Promise.all(models.filter(m => m.versions > 0)
        .map(m => requestAPI<IModelVersions>(`models/${encodeURIComponent(m.name)}`)));
      const mine = all.flatMap(m => m.versions).filter(v => v.run_id === this.runId || this.run?.id === v.run_id);
      this.versionsLine.replaceChildren(...(mine.length
        ? [h('span', { class: 'nbtrack-note' }, 'registered as '), ...mine.map(v => h('span', {
          class: 'nbtrack-model-version', attrs: { 'data-model': v.name, 'data-version': String(v.version) }
        }, [`${v.name} v${v.version}`, ...v.aliases.map(a => `@${a}`)].join(' ')))]
        : []));
    } catch {
      this.versionsLine.replaceChildren(); // a user who may not read models sees no versions
    }
  }

  /** The name becomes an input: Enter or leaving it saves (PATCH name), Escape keeps the old name. */
  private startRename(): void {
    const run = this.run;
    const heading = this.headHost.querySelector('h2');
    if (!run || !heading) {
      return;
    }
    const input = h('input', {
      class: 'jp-mod-styled nbtrack-rename-input',
      attrs: { type: 'text', 'aria-label': 'new name of the run', spellcheck: 'false' }
    });
    input.value = run.name ?? '';
    let done = false;
    const finish = async (save: boolean): Promise<void> => {
      if (done) {
        return;
      }
      done = true;
      const name = input.value.trim();
      if (save && name && name !== (run.name ?? '')) {
        try {
          await requestAPI(`runs/${encodeURIComponent(run.id)}`, 'PATCH', { name });
          this.problem.textContent = '';
        } catch (error) {
          this.problem.textContent = `rename: ${(error as Error).message}`;
        }
      }
      this.headDrawn = ''; // draw the heading again, renamed or not
      await this.load();
    };
    input.addEventListener('keydown', event => {
      if (event.key === 'Enter' || event.key === 'Escape') {
        event.preventDefault();
        void finish(event.key === 'Enter');
      }
    });
    input.addEventListener('blur', () => void finish(true));
    heading.replaceWith(input);
    input.focus();
    input.select();
  }

  /** The note through Lab's Markdown renderer, untrusted: its sanitizer strips scripts, handlers and unsafe links. */
  private async drawNote(note: string): Promise<void> {
    if (note === this.noteDrawn) {
      return;
    }
    this.noteDrawn = note;
    if (!note.trim()) {
      this.noteBody.replaceChildren(h('span', { class: 'nbtrack-note' }, 'no note'));
      return;
    }
    const renderer = this.rendermime.createRenderer('text/markdown');
    await renderer.renderModel(this.rendermime.createModel({ data: { 'text/markdown': note }, trusted: false }));
    if (this.noteDrawn === note) {
      this.noteBody.replaceChildren(renderer.node);
    }
  }

  async load(): Promise<void> {
    let running = this.run?.status === 'running';
    try {
      const run = await requestAPI<IRunDetail>(`runs/${encodeURIComponent(this.runId)}`);
      if (this.isDisposed) {
        return;
      }
      this.problem.textContent = '';
      this.showRun(run);
      running = run.status === 'running';
    } catch (error) {
      this.problem.textContent = (error as Error).message;
      if (!this.run) {
        this.node.replaceChildren(this.problem);
      }
    }
    if (running && !this.isDisposed) {
      window.clearTimeout(this.refresh);
      this.refresh = window.setTimeout(() => void this.load(), REFRESH_MS); // a live run updates itself
    }
  }

  /** Show run: build the parts once, then redraw only those whose content changed. */
  private showRun(run: IRunDetail): void {
    const first = this.run === null;
    this.run = run;
    this.who = identities([run]).get(run.id)!;
    this.title.label = this.who.name ? this.who.label : `run ${this.who.short}`;
    this.title.caption = `${run.experiment} / ${run.id}`;
    if (first) {
      this.node.replaceChildren(this.headHost, this.versionsLine, this.problem, this.tagLine(run),
        h('div', { class: 'nbtrack-detail-note' }, this.noteBody, this.editNote),
        ...['Params', 'Metrics', 'Evaluations', 'Data', 'Models', 'Figures', 'Cells', 'Environment', 'Artifacts']
          .map(title => this.part(title).node));
    }
    const head = JSON.stringify(run, ['name', 'status', 'experiment', 'id', 'started_at', 'duration', 'notebook', 'path',
      'error', 'cell', 'ename', 'evalue']) + (EXECUTED_NOTEBOOK in run.artifacts);
    if (head !== this.headDrawn) {
      this.headDrawn = head;
      this.headHost.replaceChildren(...this.head(run));
    }
    this.drawTags(run.tags);
    void this.drawNote(run.note ?? '');
    this.draw('Params', run.params, () => Object.keys(run.params).length
      ? [table(['name', 'value'], Object.entries(run.params).map(([k, v]) => [k, formatValue(v)]))]
      : ['no params']);
    const noMetrics = Object.keys(run.summaries).length === 0;
    this.draw('Metrics', [run.summaries, noMetrics && run.status === 'running'], () => [Object.keys(run.summaries).length
      ? table(['key', 'last', 'min', 'max', 'points'], Object.entries(run.summaries).map(([k, s]) =>
        [k, formatValue(s.last), formatValue(s.min), formatValue(s.max), s.count]), 'nbtrack-table nbtrack-summaries')
      : h('div', { class: 'nbtrack-note nbtrack-no-metrics' }, run.status === 'running' ? 'no metrics yet' : 'no metrics')]);
    const evaluations = run.records.filter(r => r.kind === 'evaluation');
    this.draw('Evaluations', evaluations, part => evaluations.length ? evaluations.map(r => this.evaluation(r, part)) : null);
    const data = run.records.filter(r => r.kind === 'data');
    this.draw('Data', data, () => data.length
      ? [table(['name', 'rows', 'columns', 'missing share', 'fingerprint'],
        data.map(r => [r.name, formatValue(r.body.rows), formatValue(r.body.columns), formatValue(r.body.missing_share),
          String(r.body.fingerprint ?? '').slice(0, 12)]))]
      : null);
    const models = run.records.filter(r => r.kind === 'model');
    this.draw('Models', models, () => models.length ? models.map(r => this.model(r)) : null);
    this.draw('Cells', run.cells, () => run.cells.length
      ? [this.cellsChart(run),
        table(['cell', 'wall (s)', 'cpu (s)', 'peak memory', 'status'], run.cells.map(c =>
          [c.index, formatValue(c.wall_s), formatValue(c.cpu_s), formatSize(c.rss_peak), c.status]))]
      : null);
    const environment = run.records.find(r => r.kind === 'environment');
    this.draw('Environment', environment ?? null, () => environment ? this.environment(environment) : null);
    this.artifactList.update(run.id, run.artifact_list); // in place: open previews stay open
    this.follow('series', () => this.loadSeries(run), this.seriesHost);
    this.follow('figures', () => this.loadFigures(run), this.figuresHost);
  }

  /** One fetch of a kind at a time; a refresh arriving meanwhile runs once the fetch ends (the last state is drawn). */
  private follow(kind: 'series' | 'figures', fetch: () => Promise<void>, host: HTMLElement): void {
    if (this.busy.has(kind)) {
      this.again.set(kind, fetch);
      return;
    }
    this.busy.add(kind);
    void fetch()
      .catch(e => host.replaceChildren(h('div', { class: 'nbtrack-error' }, (e as Error).message)))
      .finally(() => {
        this.busy.delete(kind);
        const next = this.again.get(kind);
        this.again.delete(kind);
        if (next && !this.isDisposed) {
          this.follow(kind, next, host);
        }
      });
  }

  /** The per-cell cost chart: one chart, drawn again as a live run's cells end (never a new chart). */
  private cellsChart(run: IRunDetail): HTMLElement {
    this.cellsView ??= this.seriesCharts.view();
    this.cellsView.render(cellCosts(run.cells, this.who!.colour));
    return this.cellsView.node;
  }

  private part(title: string): IPart {
    const body = h('div', { class: 'nbtrack-section-body' });
    const node = section(title, body);
    node.dataset.section = title;
    const part = { node, body, drawn: '', charts: new Charts(this.rendermime) };
    this.parts.set(title, part);
    if (title === 'Figures') {
      body.append(this.figuresHost);
      part.drawn = 'fixed';
    }
    if (title === 'Artifacts') {
      body.append(this.artifactList.node);
      part.drawn = 'fixed';
    }
    if (title === 'Metrics') {
      // the summary table is redrawn as values arrive; the charts below it are updated one by one
      body.after(this.seriesHost);
    }
    return part;
  }

  /** Redraw a part from make() when from changed since its last drawing; make() returning null hides it. */
  private draw(name: string, from: unknown, make: (part: IPart) => (Node | string)[] | null): void {
    const part = this.parts.get(name)!;
    const drawn = JSON.stringify(from);
    if (drawn === part.drawn) {
      return;
    }
    part.drawn = drawn;
    part.charts.dispose();
    const content = make(part);
    part.node.hidden = content === null;
    part.body.replaceChildren(...(content ?? []));
  }

  private head(run: IRunDetail): (Node | string)[] {
    this.open.disabled = !(EXECUTED_NOTEBOOK in run.artifacts);
    this.open.title = this.open.disabled ? 'this run kept no executed notebook (runs started by nbtrack run, execute() or Run with parameters do)' : '';
    const swatch = h('span', { class: 'nbtrack-swatch', attrs: { 'aria-hidden': 'true' } });
    swatch.style.background = this.who!.colour;
    return [
      h('div', { class: 'nbtrack-detail-title' }, h('h2', {}, run.name || run.id), this.renameButton),
      h('div', { class: 'nbtrack-facts' },
        h('span', { class: 'nbtrack-run-head', title: 'short id and colour of this run in every chart' }, swatch,
          h('span', { class: 'nbtrack-short-id' }, this.who!.short)),
        h('span', { class: `nbtrack-status nbtrack-status-${run.status}` }, run.status),
        h('span', {}, `experiment ${run.experiment}`),
        h('span', {}, `id ${run.id}`),
        h('span', {}, `started ${new Date(run.started_at).toLocaleString()}`),
        h('span', {}, `duration ${duration(run.duration)}`),
        run.notebook ? h('span', {}, `notebook ${run.notebook.path}`) : null),
      run.error
        // the CLI's words: "run <id> failed in code cell N: ename: evalue" (RunError.cell)
        ? h('div', { class: 'nbtrack-error' }, `${run.status}${run.error.cell !== null ? ` in code cell ${run.error.cell}` : ''}: `
          + `${run.error.ename}: ${run.error.evalue}`)
        : '',
      this.open
    ];
  }

  private evaluation(record: IRecord, part: IPart): HTMLElement {
    const body = record.body;
    const parts: HTMLElement[] = [];
    const metrics = body.metrics ?? {};
    if (Object.keys(metrics).length) {
      parts.push(table(Object.keys(metrics), [Object.values(metrics).map(v => formatValue(v))]));
    }
    const charts = h('div', { class: 'nbtrack-chart-row' });
    const cm = body.confusion_matrix;
    if (cm && Array.isArray(cm.matrix)) {
      charts.append(part.charts.chart(confusion(cm.labels ?? [], cm.matrix, `confusion matrix (${record.name})`),
        'nbtrack-chart nbtrack-confusion'));
    }
    if (body.roc && typeof body.roc === 'object') {
      charts.append(part.charts.chart(curve(Object.entries<any>(body.roc).map(([label, c]) =>
        ({ label, x: c.fpr, y: c.tpr })), 'false positive rate', 'true positive rate', 'ROC'), 'nbtrack-chart nbtrack-roc'));
    }
    if (body.pr && typeof body.pr === 'object') {
      charts.append(part.charts.chart(curve(Object.entries<any>(body.pr).map(([label, c]) =>
        ({ label, x: c.recall, y: c.precision })), 'recall', 'precision', 'precision-recall'), 'nbtrack-chart nbtrack-pr'));
    }
    return h('div', { class: 'nbtrack-evaluation' }, h('h4', {}, `split ${record.name}`), ...parts, charts);
  }

  /** A model record as a key/value table: class, each param, fitted facts, fit time, file. */
  private model(record: IRecord): HTMLElement {
    const rows = facts(record.body);
    return h('div', { class: 'nbtrack-model' },
      h('h4', {}, record.name),
      h('table', { class: 'nbtrack-table nbtrack-facts-table' },
        h('tbody', {}, ...rows.map(([k, v]) => h('tr', {}, h('th', { attrs: { scope: 'row' } }, k), h('td', {}, v))))));
  }

  /** Python, platform, machine and git as a key/value table; the packages in a collapsible, searchable list. */
  private environment(record: IRecord): (Node | string)[] {
    const { packages, ...rest } = record.body;
    const shown: (Node | string)[] = [h('table', { class: 'nbtrack-table nbtrack-facts-table nbtrack-environment' },
      h('tbody', {}, ...facts(rest).map(([k, v]) => h('tr', {}, h('th', { attrs: { scope: 'row' } }, k), h('td', {}, v)))))];
    if (packages && typeof packages === 'object') {
      const entries = Object.entries(packages as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
      const rows = entries.map(([name, version]) => h('tr', { attrs: { 'data-package': name } }, h('td', {}, name), h('td', {}, formatValue(version))));
      const body = h('tbody', {}, ...rows);
      const search = h('input', {
        class: 'jp-mod-styled nbtrack-package-search',
        attrs: { type: 'search', placeholder: `search ${entries.length} packages`, 'aria-label': 'search packages' }
      });
      const count = h('span', { class: 'nbtrack-note' });
      search.addEventListener('input', () => {
        const text = search.value.trim().toLowerCase();
        let matched = 0;
        rows.forEach((row, i) => {
          const hit = !text || entries[i][0].toLowerCase().includes(text);
          row.hidden = !hit;
          matched += hit ? 1 : 0;
        });
        count.textContent = text ? ` ${matched} of ${entries.length}` : '';
      });
      shown.push(h('details', { class: 'nbtrack-packages-list' },
        h('summary', {}, `${entries.length} packages`),
        entries.length > SEARCH_FROM ? h('div', {}, search, count) : null,
        h('table', { class: 'nbtrack-table' }, h('thead', {}, h('tr', {}, h('th', {}, 'package'), h('th', {}, 'version'))), body)));
    }
    return shown;
  }

  /** The tag line: built once (typed text and focus survive refreshes); its list redrawn when tags change. */
  private tagLine(run: IRunDetail): HTMLElement {
    const input = h('input', {
      class: 'jp-mod-styled nbtrack-tag-input',
      attrs: { placeholder: 'key=value, Enter to add', 'aria-label': 'add a tag as key=value' }
    });
    const patch = async (body: unknown): Promise<void> => {
      try {
        const reply = await requestAPI<{ tags: Record<string, string> }>(`runs/${encodeURIComponent(run.id)}/tags`, 'PATCH', body);
        this.tagError.textContent = '';
        this.drawTags(reply.tags);
      } catch (e) {
        this.tagError.textContent = (e as Error).message;
      }
    };
    this.patchTags = patch;
    input.addEventListener('keydown', event => {
      if (event.key !== 'Enter') {
        return;
      }
      const [key, ...rest] = input.value.split('=');
      if (!key.trim() || !rest.length) {
        this.tagError.textContent = 'write a tag as key=value';
        return;
      }
      input.value = '';
      void patch({ set: { [key.trim()]: rest.join('=').trim() } });
    });
    return h('div', { class: 'nbtrack-section nbtrack-tag-line' }, h('strong', {}, 'Tags '), this.tagList, input, this.tagError);
  }

  private drawTags(tags: Record<string, string>): void {
    const drawn = JSON.stringify(tags);
    if (drawn === this.tagsDrawn) {
      return;
    }
    this.tagsDrawn = drawn;
    this.tagList.replaceChildren(...Object.entries(tags).map(([k, v]) => {
      const remove = h('button', { class: 'nbtrack-tag-remove', title: `remove tag ${k}`, attrs: { 'aria-label': `remove tag ${k}` } }, '×');
      remove.addEventListener('click', () => void this.patchTags({ delete: [k] }));
      return h('span', { class: 'nbtrack-tag' }, `${k}=${v}`, remove);
    }));
  }

  /** One chart per metric with more than one point, in the run's colour; an unchanged series keeps its chart. */
  private async loadSeries(run: IRunDetail): Promise<void> {
    const keys = Object.entries(run.summaries).filter(([, s]) => s.count > 1).map(([k]) => k).sort();
    const drawn = JSON.stringify(keys.map(k => [k, run.summaries[k]]));
    if (drawn === this.seriesDrawn || !keys.length) {
      return;
    }
    const { series } = await requestAPI<ISeries>(`runs/${encodeURIComponent(run.id)}/metrics?points=${SERIES_POINTS}` +
      keys.map(k => `&key=${encodeURIComponent(k)}`).join(''));
    if (this.isDisposed) {
      return;
    }
    this.seriesDrawn = drawn; // only once drawn: a failed fetch is tried again on the next refresh
    const who = this.who!;
    for (const key of keys) {
      let view = this.seriesViews.get(key);
      if (!view) {
        view = this.seriesCharts.view();
        view.node.dataset.key = key;
        this.seriesViews.set(key, view);
      }
      view.render(runLines([{ run: run.id, label: who.label, colour: who.colour, points: series[key] ?? [] }], key));
    }
    for (const [key, view] of this.seriesViews) {
      if (!keys.includes(key)) {
        this.seriesCharts.drop(view);
        view.node.remove();
        this.seriesViews.delete(key);
      }
    }
    // in key order; nodes already in place are not moved (append of the same order is a no-op on screen)
    const row = this.seriesHost;
    keys.forEach((key, i) => {
      const node = this.seriesViews.get(key)!.node;
      if (row.children[i] !== node) {
        row.insertBefore(node, row.children[i] ?? null);
      }
    });
  }

  private async loadFigures(run: IRunDetail): Promise<void> {
    const images = run.artifact_list.filter(a => a.media_type === 'image/png' || a.media_type === 'image/jpeg');
    const drawn = JSON.stringify(images.map(a => [a.name, a.sha256]));
    if (drawn === this.figuresDrawn) {
      return;
    }
    if (!images.length) {
      this.figuresDrawn = drawn;
      this.figuresHost.replaceChildren('no figures');
      return;
    }
    // An image already fetched (same bytes, same sha256) keeps its object URL; URLs of images no
    // longer listed are released.
    const figures = await Promise.all(images.map(async a => {
      let url = this.urls.get(a.sha256);
      if (url === undefined) {
        const blob = await requestBlob(`runs/${encodeURIComponent(run.id)}/artifacts/${a.name.split('/').map(encodeURIComponent).join('/')}`);
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
    this.figuresDrawn = drawn;
    this.figuresHost.replaceChildren(...figures);
  }

  dispose(): void {
    window.clearTimeout(this.refresh);
    this.seriesCharts.dispose();
    this.parts.forEach(p => p.charts.dispose());
    this.urls.forEach(url => URL.revokeObjectURL(url));
    this.artifactList.dispose();
    super.dispose();
  }

  private run: IRunDetail | null = null;
  private who: IRunIdentity | null = null;
  private readonly parts = new Map<string, IPart>();
  private readonly headHost = h('div', { class: 'nbtrack-detail-head' });
  private headDrawn = '';
  private readonly problem = h('div', { class: 'nbtrack-error nbtrack-detail-problem' });
  private readonly open = h('button', { class: 'jp-mod-styled jp-mod-accept nbtrack-open-notebook' }, 'Open executed notebook');
  private readonly renameButton = h('button', {
    class: 'jp-mod-styled nbtrack-rename', title: 'rename this run', attrs: { 'aria-label': 'rename this run' }
  }, 'Rename');
  private readonly editNote = h('button', {
    class: 'jp-mod-styled nbtrack-edit-note', title: 'edit the note of this run (Markdown)'
  }, 'Edit note');
  private readonly noteBody = h('div', { class: 'nbtrack-detail-note-body' });
  private noteDrawn: string | null = null;
  private readonly versionsLine = h('div', { class: 'nbtrack-detail-versions' });
  private readonly tagList = h('span', { class: 'nbtrack-tags' });
  private readonly tagError = h('span', { class: 'nbtrack-filter-error' });
  private tagsDrawn = '';
  private patchTags: (body: unknown) => Promise<void> = async () => undefined;
  private readonly seriesHost = h('div', { class: 'nbtrack-series nbtrack-chart-row' });
  private readonly seriesCharts: Charts;
  private readonly seriesViews = new Map<string, ChartView>();
  private seriesDrawn = '';
  private cellsView: ChartView | null = null;
  private readonly artifactList = new ArtifactList({
    openNotebook: artifact => this.run && this.actions.openNotebook(this.run, artifact)
  });
  private readonly figuresHost = h('div', { class: 'nbtrack-figures' });
  private figuresDrawn = '';
  private readonly urls = new Map<string, string>(); // figure sha256 -> object URL
  private refresh = 0;
  private readonly busy = new Set<'series' | 'figures'>();
  private readonly again = new Map<'series' | 'figures', () => Promise<void>>();
}

export function section(title: string, ...content: (Node | string)[]): HTMLElement {
  return h('section', { class: 'nbtrack-section' }, h('h3', {}, title), ...content);
}

/** A record body as [key, shown value] rows: nested objects as dotted keys (two levels), sizes and seconds formatted. */
export function facts(body: Record<string, unknown>, prefix = '', depth = 0): [string, Node | string][] {
  const rows: [string, Node | string][] = [];
  for (const [k, v] of Object.entries(body)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v) && depth < 2 && Object.keys(v).length) {
      rows.push(...facts(v as Record<string, unknown>, key, depth + 1));
    } else {
      rows.push([key, shown(key, v)]);
    }
  }
  return rows;
}

function shown(key: string, v: unknown): Node | string {
  if (typeof v === 'number' && /bytes$/.test(key)) {
    return formatSize(v);
  }
  if (typeof v === 'number' && /seconds$/.test(key)) {
    return `${formatValue(v)} s`;
  }
  if (Array.isArray(v) && v.every(x => Array.isArray(x) && x.length === 2 && typeof x[0] === 'string')) {
    return v.map(([name, value]) => `${name} ${formatValue(value)}`).join(', '); // ranked pairs, such as importances
  }
  if (Array.isArray(v) && v.every(x => x === null || typeof x !== 'object')) {
    return v.length ? v.map(x => formatValue(x)).join(', ') : MISSING;
  }
  if (typeof v === 'string' && v.includes('\n')) {
    return h('details', {}, h('summary', {}, `${v.split('\n').length} lines`), h('pre', { class: 'nbtrack-cell-source' }, v));
  }
  return formatValue(v);
}
