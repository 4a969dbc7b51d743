/** api/listeners.ts - the HTTP(S) servers the Express apps run on: a connection limit and timeouts so no client holds unbounded connections or a request hangs, plain-HTTP answers to malformed requests, connection tracking for a bounded stop, TLS certificate files read at start and on reload. Imports api only. */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Express } from 'express';
import type { Logger } from '../log.ts';
import { apiServerClasses } from './server-classes.ts';

/** Limits shared by every listener. */
export interface ListenerOptions {
  /** A request must fully arrive within this (headers within min(this, 20 s)). */
  requestTimeoutMs: number;
  /** Most open connections (keep-alive and WebSocket included); past it a new one is closed at once (config httpMaxConnections). */
  maxConnections: number;
}

/** At most one warning per this many ms about connections closed for the connection limit. */
const DROP_WARN_INTERVAL_MS = 60_000;

/** PEM files of the HTTPS listener. */
export interface TlsFiles {
  certPath: string;
  keyPath: string;
}

/** Read a certificate and its key; throws an Error naming the file that cannot be read or the pair that does not match. */
export function readTls(files: TlsFiles): { cert: Buffer; key: Buffer } {
  const read = (p: string, what: string): Buffer => {
    try {
      return fs.readFileSync(p);
    } catch (e) {
      throw new Error(`cannot read the TLS ${what} ${p}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  const cert = read(files.certPath, 'certificate');
  const key = read(files.keyPath, 'key');
  try {
    // Throws when the files are not PEM or the key does not belong to the certificate.
    https.createServer({ cert, key }).close();
  } catch (e) {
    throw new Error(`TLS certificate ${files.certPath} and key ${files.keyPath} cannot be used together: ${(e as Error).message}`);
  }
  return { cert, key };
}

/** A listening server with its open connections (so stop() can cut the ones still busy). */
export class Listener {
  readonly name: string;
  readonly server: http.Server | https.Server;
  private readonly sockets = new Set<Socket>();
  /** Connections closed at once because {@link ListenerOptions.maxConnections} were open. */
  dropped = 0;
  private droppedWarned = 0;
  private lastDropWarn = -Infinity;

  /** `tls`: serve HTTPS with these PEM files (already read with {@link readTls}); omitted for plain HTTP. */
  constructor(name: string, app: Express, opts: ListenerOptions, log: Logger, tls?: { cert: Buffer; key: Buffer }) {
    this.name = name;
    const serverOpts = {
      // Requests born with the app's prototypes: Express's per-request prototype swap would
      // otherwise give every req/res new hidden classes in the old generation (api/server-classes.ts).
      ...apiServerClasses(app),
      requestTimeout: opts.requestTimeoutMs,
      headersTimeout: Math.min(opts.requestTimeoutMs, 20_000),
      connectionsCheckingInterval: 1000,
      keepAliveTimeout: 5_000,
    };
    this.server = tls ? https.createServer({ ...serverOpts, ...tls }, app) : http.createServer(serverOpts, app);
    // Node closes a connection past the limit before reading anything from it and emits 'drop'.
    this.server.maxConnections = opts.maxConnections;
    this.server.on('drop', () => {
      this.dropped++;
      const now = Date.now();
      if (now - this.lastDropWarn < DROP_WARN_INTERVAL_MS) return;
      this.lastDropWarn = now;
      log.warn({ listener: name, maxConnections: opts.maxConnections, dropped: this.dropped - this.droppedWarned }, 'HTTP connections closed at once: httpMaxConnections are open');
      this.droppedWarned = this.dropped;
    });
    // The TCP socket, also for HTTPS: a connection stuck in its TLS handshake is cut at stop too.
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      // Malformed or too-slow requests never reach Express; answer them the plain HTTP way and close.
      const status =
        err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
      if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      else socket.destroy();
      log.debug({ listener: name, code: err.code, err: err.message }, 'bad HTTP client request');
    });
    if (tls) this.server.on('tlsClientError', (err: Error) => log.debug({ listener: name, err: err.message }, 'TLS handshake failed'));
  }

  /** Bind; rejects when the port cannot be bound. */
  async listen(port: number, address: string): Promise<AddressInfo> {
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      server.once('error', onError);
      server.listen(port, address, () => {
        server.off('error', onError);
        resolve();
      });
    });
    return server.address() as AddressInfo;
  }

  /** Port bound (0 before listen). */
  get port(): number {
    return (this.server.address() as AddressInfo | null)?.port ?? 0;
  }

  /** Serve a new certificate to new connections (HTTPS only); connections already open keep theirs. */
  setTls(tls: { cert: Buffer; key: Buffer }): void {
    (this.server as https.Server).setSecureContext(tls);
  }

  /** Stop accepting; idle connections close at once, busy ones get `graceMs` to finish their answer, then are cut. */
  close(graceMs = 1000): Promise<void> {
    return new Promise<void>((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
      setTimeout(() => {
        for (const s of this.sockets) s.destroy();
      }, graceMs).unref();
    });
  }
}
