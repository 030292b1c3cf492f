/** The one HTTP path to the nbtrack server API: token, XSRF and JSON handled by Jupyter's ServerConnection. */

import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

const settings = (): ServerConnection.ISettings => ServerConnection.makeSettings();

/** An error the server explained: its {"message"} is what the user sees. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number
  ) {
    super(message);
  }
}

export function apiUrl(path: string): string {
  return URLExt.join(settings().baseUrl, 'nbtrack/api', path);
}

async function send(path: string, init: RequestInit): Promise<Response> {
  const response = await ServerConnection.makeRequest(apiUrl(path), init, settings());
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = await response.json();
      if (body && typeof body.message === 'string') {
        message = body.message;
      }
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(message, response.status);
  }
  return response;
}

/** GET/POST/PATCH JSON; a body is sent as application/json. An aborted signal cancels the request. */
export async function requestAPI<T>(path: string, method = 'GET', body?: unknown, signal?: AbortSignal): Promise<T> {
  const init: RequestInit = { method, signal };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { 'Content-Type': 'application/json' };
  }
  const response = await send(path, init);
  return (await response.json()) as T;
}

/** An artifact's bytes as a Blob (images are fetched, then shown through an object URL). */
export async function requestBlob(path: string): Promise<Blob> {
  return (await send(path, { method: 'GET' })).blob();
}

/** Query string from a record of values; arrays repeat the key. */
export function query(values: Record<string, string | number | string[] | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined || value === '') {
      continue;
    }
    for (const one of Array.isArray(value) ? value : [value]) {
      params.append(key, String(one));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
