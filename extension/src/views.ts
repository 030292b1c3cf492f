/** Saved views of the runs table: list, save, delete (GET/PUT/DELETE /views), and the menu that offers them. */

import { InputDialog, showErrorMessage } from '@jupyterlab/apputils';
import { linkIcon } from '@jupyterlab/ui-components';

import { h } from './dom';
import { copyLink, labLink } from './links';
import { requestAPI } from './request';
import { ISavedView, IViewLayout, IViewState } from './tableTypes';

const VIEW_NAME_MAX = 200;

export async function listViews(): Promise<ISavedView[]> {
  return (await requestAPI<{ views: ISavedView[] }>('views')).views;
}

export async function findView(name: string): Promise<ISavedView> {
  const found = (await listViews()).find(v => v.name === name);
  if (!found) {
    throw new Error(`no saved view named "${name}"; the Views menu of the runs table lists the saved ones`);
  }
  return found;
}

export function saveView(name: string, state: IViewState & IViewLayout): Promise<ISavedView> {
  return requestAPI<ISavedView>(`views/${encodeURIComponent(name)}`, 'PUT', state);
}

export async function deleteView(name: string): Promise<void> {
  await requestAPI<unknown>(`views/${encodeURIComponent(name)}`, 'DELETE').catch(error => {
    if (!(error instanceof SyntaxError)) {
      throw error; // a 204 has no JSON body: that is success
    }
  });
}

export interface IViewsMenu {
  current: string;
  state(): IViewState & IViewLayout;
  apply(view: ISavedView): void;
  saved(name: string): void;
}

/** The Views menu: save the table as it is, open, link or delete a saved view. */
export function viewsMenu(owner: IViewsMenu, close: () => void): HTMLElement {
  const list = h('ul', { class: 'nbtrack-views-list', attrs: { role: 'menu' } }, h('li', {}, 'loading...'));
  const save = h('button', { class: 'jp-mod-styled jp-mod-accept nbtrack-view-save' }, 'Save view as...');
  save.addEventListener('click', async () => {
    close();
    const answer = await InputDialog.getText({ title: 'Save the table as a view', label: 'Name',
      text: owner.current, placeholder: 'e.g. best rf runs', okLabel: 'Save' });
    const name = answer.value?.trim() ?? '';
    if (!answer.button.accept || !name) {
      return;
    }
    if (name.length > VIEW_NAME_MAX) {
      await showErrorMessage('View not saved', `A view name has at most ${VIEW_NAME_MAX} characters; choose a shorter one.`);
      return;
    }
    try {
      await saveView(name, owner.state());
      owner.saved(name);
    } catch (error) {
      await showErrorMessage('View not saved', (error as Error).message);
    }
  });
  const fill = async (): Promise<void> => {
    try {
      const views = await listViews();
      list.replaceChildren(...(views.length ? views.map(view => item(view)) : [h('li', { class: 'nbtrack-muted' },
        'No saved views yet.')]));
    } catch (error) {
      list.replaceChildren(h('li', { class: 'nbtrack-error' }, (error as Error).message));
    }
  };
  const item = (view: ISavedView): HTMLElement => {
    const open = h('button', { class: 'nbtrack-view-open', title: view.where || 'all runs' }, view.name);
    open.addEventListener('click', () => {
      close();
      owner.apply(view);
    });
    const link = h('button', { class: 'nbtrack-icon-button nbtrack-view-link', title: 'copy a link to this view' },
      linkIcon.element({ tag: 'span' }));
    link.addEventListener('click', () => copyLink(labLink('nbtrack-view', view.name)));
    const remove = h('button', { class: 'nbtrack-icon-button nbtrack-view-delete', title: `delete the view "${view.name}"` }, '✕');
    remove.addEventListener('click', async () => {
      try {
        await deleteView(view.name);
      } catch (error) {
        await showErrorMessage('View not deleted', (error as Error).message);
      }
      void fill();
    });
    return h('li', { attrs: { role: 'menuitem', 'data-view': view.name } }, open, link, remove);
  };
  void fill();
  return h('div', { class: 'nbtrack-views-menu' }, save, list);
}
