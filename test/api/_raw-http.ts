// test/api/_raw-http.ts - serve a request listener on a loopback port and read answers byte for byte (status, raw headers in order, body), to compare two ways of serving.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One answer as sent: status, `name: value` header lines in order (Date and connection headers left out: they vary), body. */
export interface RawAnswer {
  status: number;
  headers: string[];
  body: string;
}

/** A listening server and a function to ask it. */
export interface RawServer {
  ask(method: string, path: string, opts?: { body?: string; headers?: Record<string, string> }): Promise<RawAnswer>;
  close(): Promise<void>;
}

const VARYING = /^(date|connection|keep-alive)$/i;

/** Listen on 127.0.0.1 with `server` (not yet listening); answers are read over fresh connections. */
export async function rawServer(server: http.Server): Promise<RawServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    ask: (method, path, opts = {}) =>
      new Promise((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, method, path, headers: opts.headers, agent: false }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const headers: string[] = [];
            for (let i = 0; i < res.rawHeaders.length; i += 2) {
              if (!VARYING.test(res.rawHeaders[i] as string)) headers.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
            }
            resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
          });
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(opts.body);
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
