/** The models panel: each registered model's versions, aliases and their history, gates, monitoring, lineage. */

import { Dialog, showDialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { IDataFacts, IGate, ILineage, IModelEntry, IModelLife, IModelVersion, IMonitoringRun } from './analysisTypes';
import { Child, h } from './dom';
import { formatNumber, formatValue } from './format';
import { requestAPI } from './request';

export interface IModelsActions {
  openRun(id: string): void;
}

const METRICS_SHOWN = 4;

export class ModelsPanel extends Widget {
  constructor(private readonly actions: IModelsActions) {
    super();
    this.id = 'nbtrack-models';
    this.addClass('nbtrack-panel');
    this.addClass('nbtrack-models');
    this.title.label = 'models';
    this.title.closable = true;
    this.list = h('div', { class: 'nbtrack-model-list', attrs: { role: 'list' } });
    this.status = h('div', { class: 'nbtrack-error nbtrack-models-error', attrs: { role: 'alert' } });
    this.detail = h('div', { class: 'nbtrack-model-detail' });
    this.lineage = h('div', { class: 'nbtrack-lineage' });
    this.node.append(h('div', { class: 'nbtrack-charts-head' }, h('h2', {}, 'Models')), this.status,
      h('div', { class: 'nbtrack-models-body' }, this.list, h('div', {}, this.detail, this.lineage)));
    void this.loadList();
  }

  async showModel(name: string): Promise<void> {
    this.current = name;
    this.lineage.replaceChildren();
    for (const item of Array.from(this.list.children)) {
      item.classList.toggle('nbtrack-active', (item as HTMLElement).dataset.model === name);
    }
    try {
      const life = await requestAPI<IModelLife>(`models/${encodeURIComponent(name)}/life`);
      this.status.textContent = '';
      this.drawLife(life);
    } catch (error) {
      this.status.textContent = (error as Error).message;
    }
  }

  private async loadList(): Promise<void> {
    try {
      const { models } = await requestAPI<{ models: IModelEntry[] }>('models');
      this.list.replaceChildren(...models.map(model => {
        const aliases = Object.entries(model.aliases).map(([a, v]) => `${a} v${v}`).join(', ');
        const active = model.name === this.current ? ' nbtrack-active' : '';
        const item = h('button', { class: `nbtrack-model-item${active}`, attrs: { role: 'listitem', 'data-model': model.name } },
          h('span', { class: 'nbtrack-model-name' }, model.name),
          h('span', { class: 'nbtrack-muted' }, `${model.versions} version${model.versions === 1 ? '' : 's'}`
            + (aliases ? ` · ${aliases}` : '')));
        item.addEventListener('click', () => void this.showModel(model.name));
        return item;
      }));
      if (!models.length) {
        this.detail.replaceChildren(h('p', { class: 'nbtrack-muted' },
          'No registered models yet: register one with run.log_model(model, registered_name="churn").'));
      } else if (!this.current) {
        await this.showModel(models[0].name);
      }
    } catch (error) {
      this.status.textContent = (error as Error).message;
    }
  }

  private drawLife(life: IModelLife): void {
    const aliases = Object.entries(life.aliases).map(([alias, at]) =>
      h('span', { class: 'nbtrack-alias', title: `since ${when(at.since_iso)}` }, `${alias} → v${at.version}`));
    const versions = life.versions.map(v => this.versionRow(life, v));
    const candidates = (life.candidates ?? []).map(c => h('tr', { attrs: { 'data-run-id': c.run_id } },
      h('td', {}, link(c.name ?? c.run_id, `open run ${c.run_id}`, () => this.actions.openRun(c.run_id))),
      h('td', {}, c.status ?? 'deleted'), h('td', {}, gateCell(c)), h('td', {}, when(c.checked_iso))));
    const history = [...life.history].reverse().map(m => h('tr', {},
      h('td', {}, m.alias), h('td', {}, m.previous === null ? '(new)' : `v${m.previous}`), h('td', {}, `v${m.version}`),
      h('td', { title: m.moved_iso }, when(m.moved_iso)), h('td', {}, m.moved_by ?? '-')));
    this.detail.replaceChildren(
      h('h3', { class: 'nbtrack-model-title' }, life.name, ' ', ...aliases),
      h('table', { class: 'nbtrack-table nbtrack-versions' },
        h('thead', {}, h('tr', {}, ...['version', 'aliases', 'run', 'metrics', 'data', 'quality gate', 'monitoring', '']
          .map(c => h('th', {}, c)))),
        h('tbody', {}, ...versions)),
      h('h3', {}, 'Candidates'),
      candidates.length ? h('table', { class: 'nbtrack-table nbtrack-candidates' },
        h('thead', {}, h('tr', {}, ...['run', 'status', 'quality gate', 'checked'].map(c => h('th', {}, c)))),
        h('tbody', {}, ...candidates)) : h('p', { class: 'nbtrack-muted' },
        `no run was checked against ${life.name} without becoming a version `
        + `(nbtrack check RUN --baseline ${life.name}@champion records one)`),
      h('h3', {}, 'Alias history'),
      history.length ? h('table', { class: 'nbtrack-table nbtrack-alias-history' },
        h('thead', {}, h('tr', {}, ...['alias', 'from', 'to', 'moved', 'by'].map(c => h('th', {}, c)))),
        h('tbody', {}, ...history)) : h('p', { class: 'nbtrack-muted' }, 'no alias was ever set'));
  }

  private versionRow(life: IModelLife, v: IModelVersion): HTMLTableRowElement {
    const run = v.run;
    const runCell: Child = run ? link(run.name, `open run ${run.id}`, () => this.actions.openRun(run.id))
      : h('span', { class: 'nbtrack-muted' }, `run ${v.run_id} (deleted)`);
    const metrics = run ? Object.entries(run.metrics).slice(0, METRICS_SHOWN)
      .map(([key, s]) => h('div', {}, `${key} ${formatValue(s.last)}`)) : [];
    const promote = h('button', { class: 'jp-mod-styled nbtrack-promote' }, 'Set alias…');
    promote.addEventListener('click', () => void this.promote(life, v));
    const lineage = h('button', { class: 'jp-mod-styled nbtrack-lineage-button' }, 'Lineage');
    lineage.addEventListener('click', () => void this.showLineage(life.name, v.version));
    return h('tr', { attrs: { 'data-version': String(v.version) } },
      h('td', {}, `v${v.version}`), h('td', {}, v.aliases.join(', ')), h('td', {}, runCell), h('td', {}, ...metrics),
      h('td', {}, ...v.data.map(dataLine)), h('td', {}, gateCell(v.gates[0] ?? null)),
      h('td', {}, ...monitoringLines(v.monitoring, this.actions)), h('td', {}, promote, lineage));
  }

  /** Move an alias to this version after the user confirms; a refusal (403, a moved alias) says why. */
  private async promote(life: IModelLife, v: IModelVersion): Promise<void> {
    const input = h('input', { class: 'nbtrack-alias-input jp-mod-styled', attrs: { value: 'champion',
      list: 'nbtrack-alias-names', spellcheck: 'false' } });
    const names = h('datalist', { attrs: { id: 'nbtrack-alias-names' } },
      ...Object.keys(life.aliases).map(a => h('option', { attrs: { value: a } })));
    const body = new Widget({ node: h('div', { class: 'nbtrack-promote-body' },
      h('p', {}, `Point an alias of ${life.name} at version ${v.version}`
        + (v.run ? ` (run ${v.run.name})` : '') + '. Whatever loads that alias uses this version from now on.'),
      h('label', {}, 'alias ', input), names) });
    const result = await showDialog({ title: `Set an alias to ${life.name} v${v.version}?`, body,
      buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Move alias' })] });
    if (!result.button.accept) {
      return;
    }
    const alias = input.value.trim();
    const expect = life.aliases[alias]?.version ?? 0;
    try {
      await requestAPI(`models/${encodeURIComponent(life.name)}/aliases`, 'POST', { alias, version: v.version, expect });
      this.status.textContent = '';
      await this.showModel(life.name);
      await this.loadList();
    } catch (error) {
      this.status.textContent = `${alias} was not moved: ${(error as Error).message}`;
    }
  }

  private async showLineage(name: string, version: number): Promise<void> {
    try {
      const found = await requestAPI<ILineage>(`models/${encodeURIComponent(name)}/versions/${version}/lineage`);
      this.drawLineage(found);
      this.lineage.scrollIntoView({ block: 'nearest' });
    } catch (error) {
      this.status.textContent = (error as Error).message;
    }
  }

  private drawLineage(found: ILineage): void {
    const step = (title: string, ...lines: Child[]): HTMLElement =>
      h('div', { class: 'nbtrack-lineage-step' }, h('div', { class: 'nbtrack-lineage-title' }, title), ...lines);
    const arrow = (): HTMLElement => h('div', { class: 'nbtrack-lineage-arrow', attrs: { 'aria-hidden': 'true' } }, '→');
    const run = found.run;
    this.lineage.replaceChildren(h('h3', {}, `Lineage of ${found.ref}`), h('div', { class: 'nbtrack-lineage-chain' },
      step('data', ...(found.data.length ? found.data.map(dataLine) : ['no data profile recorded'])), arrow(),
      step('training run', run ? link(run.name, `open run ${run.id}`, () => this.actions.openRun(run.id)) : 'deleted',
        ...(run ? Object.entries(run.metrics).slice(0, METRICS_SHOWN).map(([k, s]) => h('div', {},
          `${k} ${formatValue(s.last)}`)) : []), gateCell(found.gates[0] ?? null)), arrow(),
      step(`version ${found.version}`, found.aliases.length ? `aliases: ${found.aliases.join(', ')}` : 'no alias'),
      arrow(),
      step('alias moves', ...(found.alias_moves.length ? found.alias_moves.map(m => h('div', {},
        `${m.alias}: ${m.previous === null ? 'new' : `v${m.previous}`} → v${m.version}, ${when(m.moved_iso)}`))
        : ['never moved'])), arrow(),
      step('monitoring', ...(found.monitoring.length ? monitoringLines(found.monitoring, this.actions)
        : ['no monitoring run scored it yet']))));
  }

  private readonly list: HTMLElement;
  private readonly status: HTMLElement;
  private readonly detail: HTMLElement;
  private readonly lineage: HTMLElement;
  private current = '';
}

/** A stored time as the reader's local date and time. */
function when(iso: string | null): string {
  const date = iso ? new Date(iso) : null;
  return date && !Number.isNaN(date.getTime()) ? date.toLocaleString() : '-';
}

function link(text: string, title: string, open: () => void): HTMLButtonElement {
  const button = h('button', { class: 'nbtrack-link', title }, text);
  button.addEventListener('click', open);
  return button;
}

function dataLine(d: IDataFacts): HTMLElement {
  const size = [d.rows === null ? null : `${formatNumber(d.rows)} rows`,
    d.columns === null ? null : `${formatNumber(d.columns)} columns`].filter(Boolean).join(' × ');
  return h('div', { class: 'nbtrack-data-line', title: `fingerprint ${d.fingerprint ?? '-'}` },
    `${d.name}: ${size || '-'}`, d.fingerprint ? h('code', {}, ` ${d.fingerprint.slice(0, 12)}`) : null);
}

function gateCell(gate: IGate | null): HTMLElement {
  if (!gate) {
    return h('span', { class: 'nbtrack-muted' }, 'not checked');
  }
  const verdict = h('div', { class: gate.passed ? 'nbtrack-gate-pass' : 'nbtrack-gate-fail' },
    gate.passed ? '✓ passed' : '✗ failed', gate.baseline ? ` vs ${gate.baseline}` : '');
  return h('div', { class: 'nbtrack-gate', title: gate.checked_iso ? `checked ${gate.checked_iso}` : '' }, verdict,
    ...gate.results.map(r => h('div', { class: `nbtrack-gate-rule nbtrack-rule-${r.status}` },
      `${r.status === 'pass' || r.status === 'passed' ? '✓' : '✗'} ${r.rule}`, r.detail ? ` (${r.detail})` : '')));
}

function monitoringLines(runs: IMonitoringRun[], actions: IModelsActions): HTMLElement[] {
  if (!runs.length) {
    return [h('span', { class: 'nbtrack-muted' }, 'none')];
  }
  return runs.slice(0, 5).map(m => {
    const drift = m.drift.map(d => `${d.data} drift ${d.share === null ? '-' : `${formatNumber(d.share * 100)}%`}`
      + (d.drifted_columns.length ? ` (${d.drifted_columns.slice(0, 3).join(', ')})` : '')).join('; ');
    const fired = m.alerts.filter(a => a.fired);
    return h('div', { class: 'nbtrack-monitoring' },
      link(m.name ?? m.run_id, `open run ${m.run_id}`, () => actions.openRun(m.run_id)), ` ${drift}`,
      ...fired.map(a => h('div', { class: 'nbtrack-alert-fired' }, `alert ${a.rule ?? ''} fired`,
        ...a.actions.map(act => h('span', {}, ` → ${act.kind ?? 'action'} ${act.ok === false ? 'failed' : 'ran'}`,
          act.run_id ? ' ' : '', act.run_id ? link(`run ${act.run_id.slice(-6)}`, `open run ${act.run_id}`,
            () => actions.openRun(act.run_id!)) : null)))));
  });
}
