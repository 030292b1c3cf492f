/** Wires nbtrack into JupyterLab: the Runs sidebar, run/compare/notebook panels, and "Run with parameters". */

import { IRouter, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, IThemeManager, ToolbarButton } from '@jupyterlab/apputils';
import { IEditorServices } from '@jupyterlab/codeeditor';
import { DocumentRegistry } from '@jupyterlab/docregistry';
import { INotebookModel, INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { LabIcon } from '@jupyterlab/ui-components';
import { IDisposable } from '@lumino/disposable';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { OPEN_ANALYSIS, OPEN_CHARTS, registerAnalysis } from './analysisCommands';
import { followTheme } from './charts';
import { ComparePanel } from './compare';
import { EXECUTED_NOTEBOOK, RunDetail } from './detail';
import { ExecutionProgress, runWithParameters } from './launch';
import { registerLinks } from './links';
import { NoteEditor } from './notes';
import { RunsSidebar } from './sidebar';
import { RunsTable } from './table';
import { IExecution } from './types';
import { StoredNotebook } from './viewer';

const ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16" height="16">
<path class="jp-icon3" fill="#616161" d="M3 3h2v16h16v2H3zm4 12l4-5 3 3 5-7 1.6 1.2-6.4 9-3-3-2.7 3.4z"/></svg>`;

export const runsIcon = new LabIcon({ name: 'nbtrack:runs', svgstr: ICON_SVG });

namespace CommandIDs {
  export const openRun = 'nbtrack:open-run';
  export const compare = 'nbtrack:compare';
  export const openNotebook = 'nbtrack:open-executed-notebook';
  export const runWithParameters = 'nbtrack:run-with-parameters';
  export const showRuns = 'nbtrack:show-runs';
  export const openTable = 'nbtrack:open-table';
  export const editNote = 'nbtrack:edit-note';
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'nbtrack-labextension:plugin',
  description: 'nbtrack runs in JupyterLab: sidebar, run detail, compare, run with parameters.',
  autoStart: true,
  requires: [IRenderMimeRegistry, IEditorServices, INotebookTracker],
  optional: [ICommandPalette, IThemeManager],
  activate: (
    app: JupyterFrontEnd,
    rendermime: IRenderMimeRegistry,
    editorServices: IEditorServices,
    notebooks: INotebookTracker,
    palette: ICommandPalette | null,
    themes: IThemeManager | null
  ) => {
    if (themes) {
      followTheme(themes); // open charts restyle on a theme change
    }
    const open = new Map<string, Widget>();
    const show = (key: string, make: () => Widget): void => {
      let widget = open.get(key);
      if (!widget || widget.isDisposed) {
        const made = (widget = make());
        open.set(key, widget);
        widget.disposed.connect(() => open.delete(key));
        // A closed tab only detaches a plain widget: dispose it, so its polling stops and the next
        // open makes a new tab (a detached one cannot be activated: the click did nothing).
        MessageLoop.installMessageHook(made, (_handler, msg) => {
          if (msg.type === 'close-request') {
            queueMicrotask(() => made.dispose());
          }
          return true;
        });
        app.shell.add(widget, 'main');
      }
      app.shell.activateById(widget.id);
    };

    // One progress tab per execution: opening it again (the sidebar's entry) activates that tab.
    const showExecution = (execution: IExecution): void => show(`execution:${execution.id}`,
      () => new ExecutionProgress(execution, id => void app.commands.execute(CommandIDs.openRun, { id })));

    app.commands.addCommand(CommandIDs.openRun, {
      label: 'Open nbtrack run',
      execute: args => show(`run:${args.id}`, () => new RunDetail(String(args.id), rendermime, {
        openNotebook: (run, artifact) => void app.commands.execute(CommandIDs.openNotebook, { id: run.id, artifact }),
        editNote: (id, saved) => void app.commands.execute(CommandIDs.editNote, { id }).then(editor => {
          (editor as NoteEditor | undefined)?.saved.push(saved);
        })
      }))
    });
    app.commands.addCommand(CommandIDs.compare, {
      label: 'Compare nbtrack runs',
      execute: args => {
        const ids = (args.ids as string[]) ?? [];
        show(`compare:${ids.join(',')}`, () => new ComparePanel(ids, rendermime));
      }
    });
    app.commands.addCommand(CommandIDs.openNotebook, {
      label: 'Open executed notebook (read-only)',
      execute: args => {
        const artifact = String(args.artifact ?? EXECUTED_NOTEBOOK); // any stored .ipynb artifact of the run
        show(`notebook:${args.id}:${artifact}`, () => new StoredNotebook(String(args.id), artifact, rendermime, editorServices));
      }
    });
    app.commands.addCommand(CommandIDs.runWithParameters, {
      label: 'Run with parameters (nbtrack)',
      caption: 'Execute this notebook on the server as a tracked nbtrack run',
      icon: runsIcon,
      isEnabled: () => notebooks.currentWidget !== null,
      execute: async () => {
        const panel = notebooks.currentWidget;
        if (!panel) {
          return;
        }
        if (panel.context.model.dirty) {
          await panel.context.save(); // the server reads the parameters cell from disk
        }
        const execution = await runWithParameters(panel.context.path);
        if (execution) {
          sidebar.refresh();
          showExecution(execution);
        }
      }
    });

    let table: RunsTable | null = null;
    app.commands.addCommand(CommandIDs.openTable, {
      label: 'Open the nbtrack runs table',
      caption: 'All runs in a table: columns, sorting, grouping, saved views, notes, archive and delete',
      execute: async args => {
        if (!table || table.isDisposed) {
          table = new RunsTable({
            openRun: id => void app.commands.execute(CommandIDs.openRun, { id }),
            compare: ids => void app.commands.execute(CommandIDs.compare, { ids }),
            editNote: (id, saved) => void app.commands.execute(CommandIDs.editNote, { id }).then(editor => {
              (editor as NoteEditor | undefined)?.saved.push(saved);
            }),
            openCharts: scope => void app.commands.execute(OPEN_CHARTS, scope),
            openAnalysis: scope => void app.commands.execute(OPEN_ANALYSIS, scope)
          });
          table.title.icon = runsIcon;
          app.shell.add(table, 'main');
        }
        app.shell.activateById(table.id);
        await table.open({ view: args.view as string | undefined, where: args.where as string | undefined });
      }
    });
    app.commands.addCommand(CommandIDs.editNote, {
      label: 'Edit the note of an nbtrack run',
      execute: args => {
        const key = `note:${args.id}`;
        show(key, () => new NoteEditor(String(args.id), rendermime));
        const editor = open.get(key) as NoteEditor;
        editor.focusText();
        return editor;
      }
    });

    const sidebar = new RunsSidebar({
      openRun: id => void app.commands.execute(CommandIDs.openRun, { id }),
      compare: ids => void app.commands.execute(CommandIDs.compare, { ids }),
      openExecution: execution => showExecution(execution),
      openTable: () => void app.commands.execute(CommandIDs.openTable, {}),
      canOpenTable: () => app.commands.hasCommand(CommandIDs.openTable)
    });
    app.commands.commandChanged.connect(() => sidebar.updateTableButton()); // the table registers in its own plugin
    sidebar.title.icon = runsIcon;
    app.shell.add(sidebar, 'left', { rank: 650 });
    app.commands.addCommand(CommandIDs.showRuns, {
      label: 'Show nbtrack runs',
      execute: () => app.shell.activateById(sidebar.id)
    });

    registerAnalysis(app, palette);
    app.docRegistry.addWidgetExtension('Notebook', new RunButton(app));
    if (palette) {
      for (const command of [CommandIDs.showRuns, CommandIDs.openTable, CommandIDs.runWithParameters]) {
        palette.addItem({ command, category: 'nbtrack' });
      }
    }
  }
};

/** The "Run with parameters" button on every notebook's toolbar. */
class RunButton implements DocumentRegistry.IWidgetExtension<NotebookPanel, INotebookModel> {
  constructor(private readonly app: JupyterFrontEnd) {}

  createNew(panel: NotebookPanel): IDisposable {
    const button = new ToolbarButton({
      className: 'nbtrack-run-button',
      icon: runsIcon,
      label: 'Run with parameters',
      tooltip: 'Execute this notebook on the server as a tracked nbtrack run',
      onClick: () => {
        this.app.shell.activateById(panel.id);
        void this.app.commands.execute(CommandIDs.runWithParameters);
      }
    });
    panel.toolbar.insertItem(10, 'nbtrackRun', button);
    return button;
  }
}

/** Deep links (?nbtrack-run=, ?nbtrack-compare=, ?nbtrack-view=) through Lab's router. */
const links: JupyterFrontEndPlugin<void> = {
  id: 'nbtrack-labextension:links',
  description: 'Lab links that open an nbtrack run, a comparison or a saved view of the runs table.',
  autoStart: true,
  requires: [IRouter],
  activate: (app: JupyterFrontEnd, router: IRouter) => registerLinks(app, router)
};

export default [plugin, links];
