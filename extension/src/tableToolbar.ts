/** The runs table's toolbar: filter, experiment, archived toggle, grouping, columns, "never change", views, count. */

import { ColumnLayout, columnPicker } from './columns';
import { h } from './dom';
import { FilterBox } from './filterBox';
import { closePopup, openPopup } from './popup';
import { requestAPI } from './request';
import { isGroupable, TableModel } from './tableModel';
import { Archived, ISavedView } from './tableTypes';
import { IExperiment } from './types';
import { viewsMenu } from './views';

export interface IToolbarOwner {
  readonly model: TableModel;
  /** The name of the saved view shown, '' for none. */
  readonly viewName: string;
  readonly columnLayout: ColumnLayout;
  /** The filter, experiment or archived choice changed. */
  filtered(): void;
  groupBy(field: string): void;
  setColumns(columns: string[]): void;
  relayout(): void;
  applyView(view: ISavedView): void;
  named(name: string): void;
}

export class TableToolbar {
  readonly node: HTMLElement;
  readonly filter: FilterBox;

  constructor(private readonly owner: IToolbarOwner, selectionBar: HTMLElement,
              open: { charts: () => void; analyse: () => void }) {
    const { model } = owner;
    this.filter = new FilterBox(where => {
      model.state.where = where.trim();
      owner.filtered();
    });
    this.experimentSelect = h('select', { class: 'nbtrack-experiment', attrs: { 'aria-label': 'experiment' } },
      h('option', { attrs: { value: '' } }, 'all experiments'));
    this.experimentSelect.addEventListener('change', () => {
      model.state.experiment = this.experimentSelect.value;
      owner.filtered();
    });
    this.archivedSelect = h('select', { class: 'nbtrack-archived-select', attrs: { 'aria-label': 'archived runs' } },
      h('option', { attrs: { value: 'hide' } }, 'hide archived'),
      h('option', { attrs: { value: 'include' } }, 'with archived'),
      h('option', { attrs: { value: 'only' } }, 'archived only'));
    this.archivedSelect.addEventListener('change', () => {
      model.state.archived = this.archivedSelect.value as Archived;
      owner.filtered();
    });
    this.groupSelect = h('select', { class: 'nbtrack-group-select', attrs: { 'aria-label': 'group rows by' } });
    this.groupSelect.addEventListener('change', () => owner.groupBy(this.groupSelect.value));
    const columnsButton = h('button', { class: 'jp-mod-styled nbtrack-columns-button' }, 'Columns');
    columnsButton.addEventListener('click', () => {
      openPopup(columnsButton, columnPicker({
        get fields() { return model.fields; },
        get columns() { return model.state.columns; },
        get defaults() { return model.defaultColumns; },
        set: columns => owner.setColumns(columns)
      }), 'nbtrack-columns-popup');
    });
    this.constantBox = h('input', { class: 'nbtrack-hide-constant', attrs: { type: 'checkbox' } });
    this.constantBox.addEventListener('change', () => owner.relayout());
    const viewsButton = h('button', { class: 'jp-mod-styled nbtrack-views-button' }, 'Views');
    viewsButton.addEventListener('click', () => {
      openPopup(viewsButton, viewsMenu({
        current: owner.viewName,
        state: () => ({ ...model.state, columns: model.state.columns.slice(), order: model.state.order.slice(),
          pinned: [...owner.columnLayout.pinned], widths: Object.fromEntries(owner.columnLayout.widths) }),
        apply: view => owner.applyView(view),
        saved: name => owner.named(name)
      }, () => closePopup()), 'nbtrack-views-popup');
    });
    const chartsButton = h('button', { class: 'jp-mod-styled nbtrack-open-charts',
      title: 'overlay the metrics of the ticked runs (none ticked: the runs of this filter)' }, 'Charts');
    chartsButton.addEventListener('click', open.charts);
    const analyseButton = h('button', { class: 'jp-mod-styled nbtrack-open-analysis',
      title: 'parallel coordinates and parameter importance of the ticked runs, this filter\'s runs, '
        + 'or the sweep filtered or grouped by' }, 'Analyse');
    analyseButton.addEventListener('click', open.analyse);
    this.countLine = h('span', { class: 'nbtrack-count', attrs: { role: 'status' } });
    this.staleNote = h('span', { class: 'nbtrack-stale-note' }, 'showing the last results');
    this.groupCaption = h('span', { class: 'nbtrack-group-caption',
      title: 'group rows show the mean of each metric over the group\'s runs, ± their sample standard deviation' },
    'group rows: mean ± sd');
    this.node = h('div', { class: 'nbtrack-table-head' },
      h('div', { class: 'nbtrack-toolbar' }, this.filter.node, this.experimentSelect, this.archivedSelect,
        h('label', { class: 'nbtrack-labelled' }, 'group ', this.groupSelect)),
      h('div', { class: 'nbtrack-toolbar' }, this.countLine, this.staleNote, this.groupCaption, columnsButton,
        h('label', { class: 'nbtrack-labelled nbtrack-constant-label',
          title: 'hide columns whose value is the same in every run shown' },
        this.constantBox, 'hide unchanging columns'),
        viewsButton, chartsButton, analyseButton, selectionBar));
  }

  get hideConstant(): boolean {
    return this.constantBox.checked;
  }

  /** Show the state as it is now (a view applied, a grouping chosen from a column's menu, new counts). */
  sync(): void {
    const { model } = this.owner;
    this.filter.fields = model.fields;
    this.experimentSelect.value = model.state.experiment;
    this.archivedSelect.value = model.state.archived;
    const total = model.state.group ? model.groups.reduce((n, g) => n + g.count, 0) : Math.max(0, model.main.total);
    const groups = model.state.group ? ` in ${model.truncated ? 'the biggest ' : ''}${model.groups.length} groups` : '';
    this.countLine.textContent = model.main.total < 0 ? 'loading...'
      : `${total.toLocaleString()} run${total === 1 ? '' : 's'}${groups}`;
    const wanted = ['', ...model.fields.filter(isGroupable).map(f => f.field)];
    if (model.state.group && !wanted.includes(model.state.group)) {
      wanted.push(model.state.group);
    }
    const signature = wanted.join('\n');
    if (signature !== this.groupOptions) {
      this.groupOptions = signature;
      this.groupSelect.replaceChildren(...wanted.map(f => h('option', { attrs: { value: f } }, f || 'no grouping')));
    }
    this.groupSelect.value = model.state.group;
    this.groupCaption.hidden = !model.state.group;
  }

  async loadExperiments(): Promise<void> {
    try {
      const { experiments } = await requestAPI<{ experiments: IExperiment[] }>('experiments');
      this.experimentSelect.replaceChildren(h('option', { attrs: { value: '' } }, 'all experiments'),
        ...experiments.map(e => h('option', { attrs: { value: e.name } }, `${e.name} (${e.runs})`)));
      this.experimentSelect.value = this.owner.model.state.experiment;
    } catch {
      // the list of experiments is a convenience; the filter still takes experiment = '...'
    }
  }

  private readonly experimentSelect: HTMLSelectElement;
  private readonly archivedSelect: HTMLSelectElement;
  private readonly groupSelect: HTMLSelectElement;
  private readonly constantBox: HTMLInputElement;
  private readonly countLine: HTMLSpanElement;
  private readonly staleNote: HTMLSpanElement;
  private readonly groupCaption: HTMLSpanElement;
  private groupOptions = '';
}
