/** A stored notebook artifact (the executed one or any other .ipynb) shown read-only, untrusted, never written to disk. */

import { IEditorServices } from '@jupyterlab/codeeditor';
import { NotebookModel, StaticNotebook } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Widget } from '@lumino/widgets';

import { h } from './dom';
import { shortIds } from './format';
import { requestAPI } from './request';
import { IRun } from './types';

/** The artifact the engine stores a run's executed notebook as. */
const EXECUTED = 'notebook.ipynb';

export class StoredNotebook extends Widget {
  constructor(
    readonly runId: string,
    private readonly artifact: string,
    rendermime: IRenderMimeRegistry,
    editorServices: IEditorServices
  ) {
    super();
    this.addClass('nbtrack-panel');
    this.addClass('nbtrack-stored-notebook');
    // one tab per stored notebook; the executed one keeps its id of before
    this.id = `nbtrack-notebook-${runId}` + (artifact === EXECUTED ? '' : `-${artifact.replace(/[^\w-]/g, c => `_${c.charCodeAt(0).toString(16)}`)}`);
    this.title.label = `${this.what()} ${shortIds([runId]).get(runId)} (read-only)`;
    this.title.caption = `${artifact === EXECUTED ? 'executed notebook' : artifact} of run ${runId}`;
    this.title.closable = true;
    this.notebook = new StaticNotebook({
      rendermime,
      contentFactory: new StaticNotebook.ContentFactory({ editorFactory: editorServices.factoryService.newInlineEditor }),
      mimeTypeService: editorServices.mimeTypeService,
      notebookConfig: { ...StaticNotebook.defaultNotebookConfig, windowingMode: 'none' }
    });
    this.node.append(h('div', { class: 'nbtrack-readonly-banner' },
      `Read-only copy of the notebook ${artifact === EXECUTED ? '' : `${artifact} `}stored with run ${runId}. Outputs are untrusted.`));
    void this.load(artifact);
  }

  private async load(artifact: string): Promise<void> {
    try {
      void this.loadName();
      const content = await requestAPI<any>(`runs/${encodeURIComponent(this.runId)}/artifacts/${artifact.split('/').map(encodeURIComponent).join('/')}`);
      const model = new NotebookModel();
      model.fromJSON(joinMultilineStrings(content));
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

  /** The tab reads as the sidebar row does: the run's name and its short id. */
  private async loadName(): Promise<void> {
    try {
      const run = await requestAPI<IRun>(`runs/${this.runId}`);
      const short = shortIds([run.id]).get(run.id);
      this.title.label = `${this.what()} ${run.name ? `${run.name} · ${short}` : short} (read-only)`;
    } catch {
      // the id stays in the title
    }
  }

  /** "executed" for the executed notebook, else the artifact's file name. */
  private what(): string {
    return this.artifact === EXECUTED ? 'executed' : this.artifact.split('/').pop()!;
  }

  dispose(): void {
    this.notebook.model?.dispose();
    this.notebook.dispose();
    super.dispose();
  }

  private readonly notebook: StaticNotebook;
}

/**
 * The notebook as Lab's model takes it: nbformat stores multi-line strings (cell sources, stream
 * text, text/* and other string outputs) as lists of lines, which are joined with "" (each line
 * keeps its newline), as nbformat.reads does for the contents API. JSON outputs stay as they are.
 */
export function joinMultilineStrings(notebook: any): any {
  const join = (value: unknown): unknown =>
    Array.isArray(value) && value.every(line => typeof line === 'string') ? value.join('') : value;
  const joinBundle = (bundle: Record<string, unknown> | undefined): void => {
    for (const [mime, value] of Object.entries(bundle ?? {})) {
      if (!/json$/.test(mime)) {
        bundle![mime] = join(value);
      }
    }
  };
  for (const cell of notebook?.cells ?? []) {
    cell.source = join(cell.source);
    for (const attachment of Object.values(cell.attachments ?? {})) {
      joinBundle(attachment as Record<string, unknown>);
    }
    for (const output of cell.outputs ?? []) {
      if ('text' in output) {
        output.text = join(output.text);
      }
      joinBundle(output.data);
    }
  }
  return notebook;
}
