/** "Open executed notebook": the stored notebook artifact shown read-only, untrusted, never written to disk. */

import { IEditorServices } from '@jupyterlab/codeeditor';
import { NotebookModel, StaticNotebook } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Widget } from '@lumino/widgets';

import { h } from './dom';
import { requestAPI } from './request';

export class StoredNotebook extends Widget {
  constructor(
    readonly runId: string,
    artifact: string,
    rendermime: IRenderMimeRegistry,
    editorServices: IEditorServices
  ) {
    super();
    this.addClass('nbtrack-panel');
    this.addClass('nbtrack-stored-notebook');
    this.id = `nbtrack-notebook-${runId}`;
    this.title.label = `executed ${runId.slice(0, 8)} (read-only)`;
    this.title.closable = true;
    this.notebook = new StaticNotebook({
      rendermime,
      contentFactory: new StaticNotebook.ContentFactory({ editorFactory: editorServices.factoryService.newInlineEditor }),
      mimeTypeService: editorServices.mimeTypeService,
      notebookConfig: { ...StaticNotebook.defaultNotebookConfig, windowingMode: 'none' }
    });
    this.node.append(h('div', { class: 'nbtrack-readonly-banner' },
      `Read-only copy of the notebook stored with run ${runId}. Outputs are untrusted.`));
    void this.load(artifact);
  }

  private async load(artifact: string): Promise<void> {
    try {
      const content = await requestAPI<any>(`runs/${this.runId}/artifacts/${encodeURIComponent(artifact)}`);
      const model = new NotebookModel();
      model.fromJSON(content);
      model.readOnly = true;
      for (const cell of model.cells) {
        cell.trusted = false; // outputs from a stored file render sanitized
      }
      this.notebook.model = model;
      for (const cell of this.notebook.widgets) {
        cell.readOnly = true;
      }
      Widget.attach(this.notebook, this.node);
    } catch (error) {
      this.node.append(h('div', { class: 'nbtrack-error' }, (error as Error).message));
    }
  }

  dispose(): void {
    this.notebook.model?.dispose();
    this.notebook.dispose();
    super.dispose();
  }

  private readonly notebook: StaticNotebook;
}
