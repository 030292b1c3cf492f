/** "Run with parameters": a dialog pre-filled with the notebook's declared params, then live progress. */

import { Dialog, showDialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { h } from './dom';
import { query, requestAPI } from './request';
import { IDeclaredParam, IExecution } from './types';

const POLL_MS = 1000;

/** The form: one input per declared parameter, text as written for strings, JSON for the rest. */
class ParamsForm extends Widget {
  constructor(private readonly params: IDeclaredParam[]) {
    super();
    this.addClass('nbtrack-params-form');
    if (!params.length) {
      this.node.append(h('p', {}, 'This notebook declares no parameters (no cell tagged "parameters"); it runs as is.'));
    }
    for (const p of params) {
      const input = h('input', { class: 'jp-mod-styled', attrs: { name: p.name, 'data-kind': p.kind, spellcheck: 'false' } });
      input.value = typeof p.default === 'string' && p.kind === 'str' ? p.default : p.default_source;
      this.inputs.set(p.name, input);
      this.node.append(h('label', { class: 'nbtrack-param' },
        h('span', { class: 'nbtrack-param-name' }, p.name),
        h('span', { class: 'nbtrack-param-kind' }, p.kind === 'None' ? '' : p.kind),
        input,
        p.help ? h('span', { class: 'nbtrack-param-help' }, p.help) : null));
    }
  }

  /** Only the values the user changed, parsed by their declared kind. */
  values(): Record<string, unknown> {
    const changed: Record<string, unknown> = {};
    for (const p of this.params) {
      const text = this.inputs.get(p.name)!.value;
      const original = typeof p.default === 'string' && p.kind === 'str' ? p.default : p.default_source;
      if (text === original) {
        continue;
      }
      changed[p.name] = p.kind === 'str' ? text : parse(text);
    }
    return changed;
  }

  private readonly inputs = new Map<string, HTMLInputElement>();
}

function parse(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === 'True' || trimmed === 'False') {
    return trimmed === 'True';
  }
  try {
    return JSON.parse(trimmed);
  } catch {
    return text.replace(/^'(.*)'$/, '$1');
  }
}

/** A main-area panel that follows one execution cell by cell until it ends. */
export class ExecutionProgress extends Widget {
  constructor(
    private execution: IExecution,
    private readonly openRun: (id: string) => void
  ) {
    super();
    this.addClass('nbtrack-panel');
    this.addClass('nbtrack-progress');
    this.id = `nbtrack-execution-${execution.id}`;
    this.title.label = `running ${execution.notebook}`;
    this.title.closable = true;
    this.open.addEventListener('click', () => this.execution.run && this.openRun(this.execution.run.id));
    this.node.append(h('h2', {}, `Run ${execution.notebook}`),
      h('div', { class: 'nbtrack-facts' }, `params ${JSON.stringify(execution.params)}`),
      this.bar, this.status, this.error, this.open);
    this.draw();
    this.timer = window.setInterval(() => void this.poll(), POLL_MS);
  }

  private async poll(): Promise<void> {
    try {
      this.execution = await requestAPI<IExecution>(`executions/${this.execution.id}`);
    } catch (error) {
      this.status.textContent = (error as Error).message;
      return;
    }
    this.draw();
    if (this.execution.state !== 'running') {
      window.clearInterval(this.timer);
    }
  }

  private draw(): void {
    const e = this.execution;
    const done = Math.min(e.cells_done, e.cells_total);
    this.title.label = `${e.state} ${e.notebook}`;
    this.bar.max = Math.max(e.cells_total, 1);
    this.bar.value = done;
    this.status.textContent = `${e.state}: cell ${done} of ${e.cells_total}` +
      (e.run ? ` · run ${e.run.status}` : ' · starting kernel');
    this.status.dataset.state = e.state;
    this.open.disabled = !e.run;
    if (e.message) {
      this.error.textContent = e.message;
    }
    if (e.run?.error) {
      this.error.textContent = `cell ${e.run.error.cell ?? '?'}: ${e.run.error.ename}: ${e.run.error.evalue}`;
    }
  }

  dispose(): void {
    window.clearInterval(this.timer);
    super.dispose();
  }

  private readonly bar = h('progress', { class: 'nbtrack-progress-bar' });
  private readonly status = h('div', { class: 'nbtrack-progress-status' });
  private readonly error = h('div', { class: 'nbtrack-error' });
  private readonly open = h('button', { class: 'jp-mod-styled jp-mod-accept' }, 'Open run');
  private timer = 0;
}

/** Ask for parameters and launch; null when the user cancels. */
export async function runWithParameters(path: string): Promise<IExecution | null> {
  const { params } = await requestAPI<{ params: IDeclaredParam[] }>('notebooks/params' + query({ path }));
  const form = new ParamsForm(params);
  const result = await showDialog({
    title: `Run ${path} with parameters`,
    body: form,
    buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Run' })]
  });
  if (!result.button.accept) {
    return null;
  }
  return requestAPI<IExecution>('executions', 'POST', { notebook: path, params: form.values() });
}
