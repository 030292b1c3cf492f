/** "Run with parameters": a dialog pre-filled with the notebook's declared params, then live progress. */

import { Dialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { h } from './dom';
import { shortIds } from './format';
import { executionLabel } from './identity';
import { query, requestAPI } from './request';
import { IDeclaredParam, IExecution } from './types';

const POLL_MS = 1000;

/** The form: one input per declared parameter, text as written for strings, JSON for the rest. */
class ParamsForm extends Widget implements Dialog.IBodyWidget<IExecution | null> {
  constructor(private readonly params: IDeclaredParam[]) {
    super();
    this.addClass('nbtrack-params-form');
    this.node.append(this.error); // on top: a refusal is seen without scrolling the form
    if (!params.length) {
      this.node.append(h('p', {}, 'This notebook declares no parameters (no cell tagged "parameters"); it runs as is.'));
    }
    for (const p of params) {
      const input = h('input', { class: 'jp-mod-styled', attrs: { name: p.name, 'data-kind': p.kind, spellcheck: 'false' } });
      input.value = typeof p.default === 'string' && p.kind === 'str' ? p.default : p.default_source;
      this.inputs.set(p.name, input);
      const choices = listedChoices(p.help);
      const list = choices.length ? h('datalist', { attrs: { id: `nbtrack-param-choices-${p.name}` } },
        ...choices.map(c => h('option', { attrs: { value: c } }))) : null;
      if (list) {
        input.setAttribute('list', list.id); // suggestions from the help text; any other value can still be typed
      }
      this.node.append(h('label', { class: 'nbtrack-param' },
        h('span', { class: 'nbtrack-param-name' }, p.name),
        h('span', { class: 'nbtrack-param-kind' }, p.kind === 'None' ? '' : p.kind),
        input,
        p.help ? h('span', { class: 'nbtrack-param-help' }, p.help) : null,
        list));
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

  /** The server's refusal, under the inputs; the inputs it names are marked. Typed values stay. */
  showError(message: string): void {
    this.error.textContent = message;
    for (const [name, input] of this.inputs) {
      const named = new RegExp(`\\b${name}\\b`).test(message); // declared names are identifiers
      input.classList.toggle('nbtrack-invalid', named);
      input.setAttribute('aria-invalid', String(named));
    }
    const first = [...this.inputs.values()].find(i => i.classList.contains('nbtrack-invalid'));
    this.error.scrollIntoView({ block: 'nearest' });
    first?.focus();
    first?.scrollIntoView({ block: 'nearest' });
  }

  getValue(): IExecution | null {
    return this.launched;
  }

  launched: IExecution | null = null;
  private readonly inputs = new Map<string, HTMLInputElement>();
  private readonly error = h('div', { class: 'nbtrack-launch-error', attrs: { role: 'alert' } });
}

/**
 * Lab's dialog, except that "Run" launches before it closes: a refusal (a bad value, four
 * executions already running) shows in the dialog, which stays open with every typed value.
 */
class LaunchDialog extends Dialog<IExecution | null> {
  constructor(
    private readonly form: ParamsForm,
    private readonly send: (values: Record<string, unknown>) => Promise<IExecution>,
    title: string
  ) {
    super({ title, body: form, buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Run' })], defaultButton: 1 });
  }

  resolve(index?: number): void {
    if ((index ?? RUN_BUTTON) !== RUN_BUTTON || this.form.launched) {
      super.resolve(index);
      return;
    }
    if (this.sending) {
      return;
    }
    this.sending = true;
    const run = this.node.querySelector<HTMLButtonElement>('.jp-Dialog-footer .jp-mod-accept');
    if (run) {
      run.disabled = true;
    }
    this.send(this.form.values()).then(
      execution => {
        this.form.launched = execution;
        super.resolve(RUN_BUTTON);
      },
      error => {
        this.sending = false;
        if (run) {
          run.disabled = false;
        }
        this.form.showError((error as Error).message);
      });
  }

  private sending = false;
}

const RUN_BUTTON = 1;

/** The choices a help text lists as `a | b | c`, in its order; none when it lists none. */
export function listedChoices(help: string | null | undefined): string[] {
  const listed = (help ?? '').match(/[\w.+-]+(?:\s*\|\s*[\w.+-]+)+/);
  return listed ? [...new Set(listed[0].split('|').map(c => c.trim()).filter(Boolean))] : [];
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

/** A main-area panel that follows one execution cell by cell until it ends; Stop ends it as killed. */
export class ExecutionProgress extends Widget {
  constructor(
    private execution: IExecution,
    private readonly openRun: (id: string) => void
  ) {
    super();
    this.addClass('nbtrack-panel');
    this.addClass('nbtrack-progress');
    this.id = `nbtrack-execution-${execution.id}`;
    this.title.closable = true;
    this.open.addEventListener('click', () => this.execution.run && this.openRun(this.execution.run.id));
    this.stop.addEventListener('click', () => void this.requestStop());
    this.node.append(this.heading,
      h('div', { class: 'nbtrack-facts' }, `notebook ${execution.notebook} · params ${JSON.stringify(execution.params)}`),
      this.bar, this.status, this.error, h('div', { class: 'nbtrack-progress-actions' }, this.open, this.stop));
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
  }

  /** DELETE the execution: the server stops its process and the run ends as killed. */
  private async requestStop(): Promise<void> {
    this.stop.disabled = true;
    this.stop.textContent = 'Stopping…';
    try {
      this.execution = await requestAPI<IExecution>(`executions/${this.execution.id}`, 'DELETE');
    } catch (error) {
      this.error.textContent = (error as Error).message;
    }
    this.stop.textContent = 'Stop';
    this.draw();
  }

  private draw(): void {
    const e = this.execution;
    // N is the executed notebook's code cells, known before the kernel starts: the count only grows.
    const total = Math.max(e.cells_total, e.cells_done, 1);
    const done = e.failed_cell ?? Math.min(e.cells_done, total);
    // a sweep's tabs differ by their run's name and short id, not by the notebook or the state
    const label = executionLabel(e, shortIds([e.run_id]).get(e.run_id) ?? '');
    this.title.label = label;
    this.title.caption = `${e.state}: ${label}\n${e.notebook}`;
    this.heading.textContent = `Run ${label}`;
    this.bar.max = total;
    this.bar.value = done;
    // Running: the cell executing now (the one after those done); ended: where it stopped.
    const where = e.state === 'running' ? `code cell ${Math.min(done + 1, total)} of ${total}`
      : e.failed_cell ? `${e.state} in code cell ${e.failed_cell} of ${total}` : `code cell ${done} of ${total}`;
    this.status.textContent = (e.failed_cell && e.state !== 'running' ? where : `${e.state}: ${where}`)
      + (e.run ? ` · run ${e.run.status}` : ' · starting kernel');
    this.status.dataset.state = e.state;
    this.open.disabled = !e.run;
    this.stop.disabled = e.state !== 'running' || this.stop.textContent !== 'Stop';
    this.stop.hidden = e.state !== 'running';
    if (e.message) {
      this.error.textContent = e.message;
    }
    if (e.run?.error) {
      const cell = e.failed_cell ?? e.run.error.cell;
      // the CLI's words: "run <id> failed in code cell N: ename: evalue" (RunError.cell)
      const where = cell !== null && cell !== undefined ? ` in code cell ${cell}` : '';
      this.error.textContent = e.state === 'killed'
        ? `${e.run.status}${where}: stopped before it finished (${e.run.error.ename})`
        : `${e.run.status}${where}: ${e.run.error.ename}: ${e.run.error.evalue}`;
    }
    if (e.state !== 'running') {
      window.clearInterval(this.timer);
    }
  }

  dispose(): void {
    window.clearInterval(this.timer);
    super.dispose();
  }

  private readonly heading = h('h2', {});
  private readonly bar = h('progress', { class: 'nbtrack-progress-bar' });
  private readonly status = h('div', { class: 'nbtrack-progress-status', attrs: { 'aria-live': 'polite' } });
  private readonly error = h('div', { class: 'nbtrack-error' });
  private readonly open = h('button', { class: 'jp-mod-styled jp-mod-accept nbtrack-open-run' }, 'Open run');
  private readonly stop = h('button', {
    class: 'jp-mod-styled jp-mod-warn nbtrack-stop', title: 'stop the notebook: its run ends as killed'
  }, 'Stop');
  private timer = 0;
}

/** Ask for parameters and launch; null when the user cancels. The dialog closes only once a launch succeeds. */
export async function runWithParameters(path: string): Promise<IExecution | null> {
  const { params } = await requestAPI<{ params: IDeclaredParam[] }>('notebooks/params' + query({ path }));
  const form = new ParamsForm(params);
  const dialog = new LaunchDialog(form,
    values => requestAPI<IExecution>('executions', 'POST', { notebook: path, params: values }),
    `Run ${path} with parameters`);
  const result = await dialog.launch();
  return result.button.accept ? result.value : null;
}
