/** Bulk actions on selected runs (tag, archive, restore, delete) through POST /runs/actions, with Lab's dialogs. */

import { Dialog, InputDialog, showDialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { h } from './dom';
import { requestAPI } from './request';
import { IActionResult } from './tableTypes';

export type BulkAction = 'archive' | 'restore' | 'delete' | 'tag';

const plural = (n: number): string => `${n} run${n === 1 ? '' : 's'}`;

/**
 * Ask what is needed (tags to set, or confirmation of a delete), send the action, and show the runs the
 * server refused with its reasons. Returns the result, or null when the person cancelled.
 */
export async function bulkAction(action: BulkAction, ids: string[]): Promise<IActionResult | null> {
  const body: Record<string, unknown> = { action, ids };
  if (action === 'tag') {
    const tags = await askTags(ids.length);
    if (!tags) {
      return null;
    }
    Object.assign(body, tags);
  }
  if (action === 'delete') {
    const answer = await showDialog({
      title: `Delete ${plural(ids.length)}?`,
      body: new Widget({ node: h('div', {},
        h('p', {}, `Delete ${plural(ids.length)} permanently? Their params, metrics, notes and records are removed `
          + 'at once; their artifact bytes are freed by nbtrack gc after its grace period.'),
        h('p', {}, 'To hide runs without losing them, archive them instead.')) }),
      buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: `Delete ${plural(ids.length)}` })]
    });
    if (!answer.button.accept) {
      return null;
    }
  }
  const result = await requestAPI<IActionResult>('runs/actions', 'POST', body);
  if (result.refused.length) {
    await showDialog({
      title: `${plural(result.done.length)} done, ${plural(result.refused.length)} refused`,
      body: new Widget({ node: h('ul', { class: 'nbtrack-refused' },
        ...result.refused.slice(0, 50).map(r => h('li', {}, h('code', {}, r.id), ': ', r.reason)),
        result.refused.length > 50 ? h('li', {}, `and ${result.refused.length - 50} more`) : null) }),
      buttons: [Dialog.okButton()]
    });
  }
  return result;
}

/** "stage=review, owner=ana" sets tags; "-stage" deletes one. */
async function askTags(count: number): Promise<{ tags: Record<string, string>; delete_tags: string[] } | null> {
  let error = '';
  for (;;) {
    const answer = await InputDialog.getText({
      title: `Tag ${plural(count)}`,
      label: (error ? `${error}\n` : '') + 'key=value to set, -key to remove; several separated by commas',
      placeholder: 'stage=review, -draft',
      okLabel: 'Apply'
    });
    if (!answer.button.accept || answer.value === null) {
      return null;
    }
    const tags: Record<string, string> = {};
    const remove: string[] = [];
    error = '';
    for (const part of answer.value.split(',').map(p => p.trim()).filter(Boolean)) {
      if (part.startsWith('-') && part.length > 1) {
        remove.push(part.slice(1).trim());
      } else if (part.indexOf('=') > 0) {
        const at = part.indexOf('=');
        tags[part.slice(0, at).trim()] = part.slice(at + 1).trim();
      } else {
        error = `"${part}" is neither key=value nor -key; write stage=review or -stage.`;
      }
    }
    if (!error && (Object.keys(tags).length || remove.length)) {
      return { tags, delete_tags: remove };
    }
    error = error || 'Nothing to do: write at least one key=value or -key.';
  }
}
