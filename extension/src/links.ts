/** Deep links into Lab: ?nbtrack-run=, ?nbtrack-compare=, ?nbtrack-view= open a run, a comparison or a saved view. */

import { JupyterFrontEnd, IRouter } from '@jupyterlab/application';
import { Clipboard, Notification } from '@jupyterlab/apputils';
import { PageConfig, URLExt } from '@jupyterlab/coreutils';

export const ROUTE_COMMAND = 'nbtrack:route-link';
const PARAMS = ['nbtrack-run', 'nbtrack-compare', 'nbtrack-view'] as const;
type LinkKind = (typeof PARAMS)[number];

/** The absolute Lab URL that opens a run (id), a comparison (ids joined by commas) or a view (its name). */
export function labLink(kind: LinkKind, value: string): string {
  return `${URLExt.join(PageConfig.getBaseUrl(), 'lab')}?${kind}=${encodeURIComponent(value)}`;
}

/** Put a link on the clipboard and say so. */
export function copyLink(url: string): void {
  Clipboard.copyToSystem(url);
  Notification.success(`Link copied: ${url}`, { autoClose: 4000 });
}

/** Register the router pattern and the command it runs: the link's query parameter picks the command. */
export function registerLinks(app: JupyterFrontEnd, router: IRouter): void {
  app.commands.addCommand(ROUTE_COMMAND, {
    label: 'Open an nbtrack link',
    execute: args => {
      const search = new URLSearchParams(String((args as IRouter.ILocation).search ?? ''));
      const run = search.get('nbtrack-run');
      const compare = search.get('nbtrack-compare');
      const view = search.get('nbtrack-view');
      // Drop the parameters once followed: a reload of the page does not open the panel again.
      const url = new URL(window.location.href);
      PARAMS.forEach(name => url.searchParams.delete(name));
      window.history.replaceState(window.history.state, '', url.toString());
      if (run) {
        return app.commands.execute('nbtrack:open-run', { id: run });
      }
      if (compare) {
        return app.commands.execute('nbtrack:compare', { ids: compare.split(',').filter(Boolean) });
      }
      if (view !== null) {
        return app.commands.execute('nbtrack:open-table', { view });
      }
    }
  });
  router.register({ command: ROUTE_COMMAND, pattern: /[?&]nbtrack-(run|compare|view)=/, rank: 60 });
}
