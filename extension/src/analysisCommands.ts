/** The commands of issue 20's panels: nbtrack:open-charts, nbtrack:open-analysis, nbtrack:open-models. */

import { JupyterFrontEnd } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { AnalysisPanel } from './analysisPanel';
import { ChartsPanel } from './chartsPanel';
import { ModelsPanel } from './modelsPanel';

export const OPEN_CHARTS = 'nbtrack:open-charts';
export const OPEN_ANALYSIS = 'nbtrack:open-analysis';
export const OPEN_MODELS = 'nbtrack:open-models';

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) ? value.map(String) : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}

/** The runs table on this filter, split below the panel that asked (so both stay in view), the panel active. */
async function showTableBeside(app: JupyterFrontEnd, where: string, panel: Widget): Promise<void> {
  await app.commands.execute('nbtrack:open-table', { where });
  if (!panel.isVisible && !panel.isDisposed) {
    const table = Array.from(app.shell.widgets('main')).find(w => w.id === 'nbtrack-table');
    if (table) {
      app.shell.add(table, 'main', { mode: 'split-bottom', ref: panel.id });
    }
  }
  app.shell.activateById(panel.id);
}

export function registerAnalysis(app: JupyterFrontEnd, palette: ICommandPalette | null): void {
  const add = (widget: Widget): Widget => {
    app.shell.add(widget, 'main');
    app.shell.activateById(widget.id);
    return widget;
  };
  const openRun = (id: string): void => void app.commands.execute('nbtrack:open-run', { id });
  app.commands.addCommand(OPEN_CHARTS, {
    label: 'Chart nbtrack runs',
    caption: 'Overlay metrics of the chosen runs (args: ids or where, group, metrics)',
    execute: args => add(new ChartsPanel(
      { ids: strings(args.ids), where: text(args.where), group: text(args.group), metrics: strings(args.metrics),
        points: typeof args.points === 'number' ? args.points : undefined },
      { openRun }))
  });
  app.commands.addCommand(OPEN_ANALYSIS, {
    label: 'Analyse an nbtrack sweep',
    caption: 'Parallel coordinates, parameter importance and scatter of a metric (args: ids, where or sweep)',
    execute: args => add(new AnalysisPanel(
      { ids: strings(args.ids), where: text(args.where), sweep: text(args.sweep), metric: text(args.metric) },
      { openRun, filterTable: (where, panel) => void showTableBeside(app, where, panel) }))
  });
  let models: ModelsPanel | null = null;
  app.commands.addCommand(OPEN_MODELS, {
    label: 'Show nbtrack models',
    caption: 'Registered models: versions, aliases, gates, monitoring and lineage',
    execute: args => {
      if (!models || models.isDisposed) {
        models = new ModelsPanel({ openRun });
        add(models);
      }
      app.shell.activateById(models.id);
      if (text(args.name)) {
        void models.showModel(text(args.name)!);
      }
      return models;
    }
  });
  if (palette) {
    for (const command of [OPEN_CHARTS, OPEN_ANALYSIS, OPEN_MODELS]) {
      palette.addItem({ command, category: 'nbtrack' });
    }
  }
}
