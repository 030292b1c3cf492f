/** A run's Markdown note: edited as text, shown through Lab's sanitizing Markdown renderer, saved with PATCH /runs/<id>. */

import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { Widget } from '@lumino/widgets';

import { h } from './dom';
import { requestAPI } from './request';

const NOTE_MAX = 100_000;

interface INoted {
  id: string;
  name: string;
  note: string;
}

export class NoteEditor extends Widget {
  /** Called with the note after each save (the table shows it at once). */
  readonly saved: ((note: string) => void)[] = [];

  constructor(private readonly runId: string, private readonly rendermime: IRenderMimeRegistry) {
    super();
    this.id = `nbtrack-note-${runId}`;
    this.title.label = `Note ${runId.slice(-6)}`;
    this.title.closable = true;
    this.addClass('nbtrack-panel');
    this.addClass('nbtrack-note-editor');
    this.text = h('textarea', { class: 'nbtrack-note-text jp-mod-styled',
      attrs: { spellcheck: 'true', 'aria-label': 'note (Markdown)', maxlength: String(NOTE_MAX),
        placeholder: 'What this run tried, what came out of it (Markdown)' } });
    this.text.addEventListener('input', () => {
      this.status.textContent = this.text.value === this.savedText ? '' : 'unsaved';
      this.schedulePreview();
    });
    this.text.addEventListener('keydown', event => {
      if ((event.ctrlKey || event.metaKey) && (event.key === 's' || event.key === 'Enter')) {
        event.preventDefault();
        event.stopPropagation();
        void this.save();
      }
    });
    this.saveButton = h('button', { class: 'jp-mod-styled jp-mod-accept nbtrack-note-save' }, 'Save note');
    this.saveButton.addEventListener('click', () => void this.save());
    this.status = h('span', { class: 'nbtrack-note-status', attrs: { role: 'status' } });
    this.error = h('div', { class: 'nbtrack-error', attrs: { role: 'alert' } });
    this.preview = h('div', { class: 'nbtrack-note-preview' });
    this.heading = h('h2', {}, runId);
    this.node.append(this.heading,
      h('div', { class: 'nbtrack-note-panes' },
        h('div', { class: 'nbtrack-note-edit' }, this.text,
          h('div', { class: 'nbtrack-toolbar' }, this.saveButton, this.status, h('span', { class: 'nbtrack-muted' },
            'Ctrl+S saves'))),
        this.preview),
      this.error);
    void this.load();
  }

  focusText(): void {
    this.text.focus();
  }

  private async load(): Promise<void> {
    try {
      const run = await requestAPI<INoted>(`runs/${encodeURIComponent(this.runId)}`);
      this.heading.textContent = `Note on ${run.name}`;
      this.title.label = `Note: ${run.name}`;
      this.savedText = run.note ?? '';
      this.text.value = this.savedText;
      await this.renderPreview();
    } catch (error) {
      this.error.textContent = (error as Error).message;
    }
  }

  private async save(): Promise<void> {
    const note = this.text.value;
    this.saveButton.disabled = true;
    try {
      await requestAPI(`runs/${encodeURIComponent(this.runId)}`, 'PATCH', { note });
      this.savedText = note;
      this.error.textContent = '';
      this.status.textContent = 'saved';
      this.saved.forEach(call => call(note));
    } catch (error) {
      this.error.textContent = (error as Error).message; // the text stays, to fix and save again
      this.status.textContent = 'not saved';
    } finally {
      this.saveButton.disabled = false;
    }
  }

  private schedulePreview(): void {
    window.clearTimeout(this.previewTimer);
    this.previewTimer = window.setTimeout(() => void this.renderPreview(), 250);
  }

  /** Markdown through Lab's renderer, untrusted: its sanitizer strips scripts, handlers and unsafe links. */
  private async renderPreview(): Promise<void> {
    const renderer = this.rendermime.createRenderer('text/markdown');
    const model = this.rendermime.createModel({ data: { 'text/markdown': this.text.value || '*No note yet.*' },
      trusted: false });
    await renderer.renderModel(model);
    this.preview.replaceChildren(renderer.node);
  }

  private readonly text: HTMLTextAreaElement;
  private readonly saveButton: HTMLButtonElement;
  private readonly status: HTMLSpanElement;
  private readonly error: HTMLDivElement;
  private readonly preview: HTMLDivElement;
  private readonly heading: HTMLHeadingElement;
  private savedText = '';
  private previewTimer = 0;
}
