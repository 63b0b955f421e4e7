/**
 * The local web server of `pnlopt serve`: `/` the run list, `/runs/<run id>` a run's report page.
 * The pages come from the injected handlers (the CLI wires them to the store, opened read-only
 * per request, so the list is current and nothing is ever written). Only GET and HEAD are
 * answered; a handler's `InputError` (an unknown run) is a 404 with its message, anything else a
 * 500.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InputError } from '../errors.js';

export interface ServePages {
  /** The run list page. */
  readonly runList: () => string | Promise<string>;
  /** A run's report page; an `InputError` when there is no such run. */
  readonly report: (runId: string) => string | Promise<string>;
}

export interface RunningServer {
  /** `http://host:port/`, the port the system chose when 0 was asked. */
  readonly url: string;
  close(): Promise<void>;
}

const RUN_PATH = /^\/runs\/([^/]+)\/?$/;

function send(res: ServerResponse, status: number, body: string, type: string, head: boolean): void {
  res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(head ? undefined : body);
}

async function answer(pages: ServePages, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const head = req.method === 'HEAD';
  if (req.method !== 'GET' && !head) {
    res.setHeader('allow', 'GET, HEAD');
    return send(res, 405, 'only GET and HEAD\n', 'text/plain', head);
  }
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  try {
    if (path === '/') return send(res, 200, await pages.runList(), 'text/html', head);
    const m = RUN_PATH.exec(path);
    if (m !== null) return send(res, 200, await pages.report(decodeURIComponent(m[1])), 'text/html', head);
    return send(res, 404, `no page ${path}: / lists the runs, /runs/<run id> shows one\n`, 'text/plain', head);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return send(res, err instanceof InputError ? 404 : 500, message + '\n', 'text/plain', head);
  }
}

/** Listen on `host:port` (0: a free port) and serve the pages until `close`. */
export function startServer(host: string, port: number, pages: ServePages): Promise<RunningServer> {
  const server = createServer((req, res) => void answer(pages, req, res));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const a = server.address() as AddressInfo;
      const shown = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      resolve({
        url: `http://${shown}:${a.port}/`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.closeAllConnections();
            server.close((err) => (err === undefined ? done() : fail(err)));
          }),
      });
    });
  });
}
