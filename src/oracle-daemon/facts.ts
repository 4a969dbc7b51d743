/** oracle-daemon/facts.ts - the daemon's fact services: the fact endpoint (with its payment gate and, optionally, the Oblivious HTTP gateway) and the report answerer, built from the config and the capabilities' keys and sources, as DaemonServices. Imports oracle-facts, ohttp, lightning and oracle. */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { LndClient } from '../lightning/lnd.ts';
import { generateGatewayKey, keyConfigFor } from '../ohttp/ohttp.ts';
import { writePrivateFile } from '../oracle/durable.ts';
import type { Signer } from '../oracle/signer.ts';
import { FactDesk, type CapabilityEntry } from '../oracle-facts/fact-desk.ts';
import { startFactServer, type FactServer } from '../oracle-facts/fact-server.ts';
import { deskAnswer, ReportAnswerer } from '../oracle-facts/report-answerer.ts';
import type { CapabilityHandle, DaemonService } from './daemon.ts';
import type { OracleDaemonConfig } from './config.ts';

/** The gateway key of the fact server: dataDir/ohttp-key.json (mode 0600), created once. Key id 1. */
export async function loadGatewayKey(dataDir: string): Promise<{ privateKey: Uint8Array; keyId: number; keyConfigHex: string }> {
  const file = path.join(dataDir, 'ohttp-key.json');
  if (!fs.existsSync(file)) {
    const k = await generateGatewayKey(1);
    writePrivateFile(file, `${JSON.stringify({ privateKey: Buffer.from(k.privateKey).toString('hex'), keyId: 1 })}\n`);
  }
  const st = fs.statSync(file);
  if ((st.mode & 0o077) !== 0) throw new Error(`${file} is readable by others (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it`);
  const v = JSON.parse(fs.readFileSync(file, 'utf8')) as { privateKey?: string; keyId?: number };
  if (typeof v.privateKey !== 'string' || !/^[0-9a-f]{64}$/.test(v.privateKey) || typeof v.keyId !== 'number') throw new Error(`${file} is not an Oblivious HTTP key file`);
  const privateKey = new Uint8Array(Buffer.from(v.privateKey, 'hex'));
  return { privateKey, keyId: v.keyId, keyConfigHex: Buffer.from(await keyConfigFor(privateKey, v.keyId)).toString('hex') };
}

/** Text of a source value as a fact answer. */
function answerText(v: string | number | boolean): string {
  return typeof v === 'string' ? v : String(v);
}

/** The fact server and report answerer of a daemon, per its config (none when neither is configured). */
export function factServices(cfg: OracleDaemonConfig, deps: { capabilities: Map<string, CapabilityHandle>; identity: Signer; gateway: { privateKey: Uint8Array; keyId: number } | null; log: Logger }): DaemonService[] {
  const fsCfg = cfg.factServer;
  if (!fsCfg && !cfg.reports) return [];
  const entries = new Map<string, CapabilityEntry>();
  for (const [key, h] of deps.capabilities) {
    if (!h.config.source || h.config.source.type === 'manual') continue;
    const entry: CapabilityEntry = {
      signer: h.signer,
      resolve: async (request, signal) => answerText(await h.resolve(request.arguments, signal)),
    };
    if (h.config.params.length) entry.params = h.config.params;
    if (h.config.answers.length) entry.answers = h.config.answers;
    if (h.config.priceMsat !== null) entry.priceMsat = BigInt(h.config.priceMsat);
    entries.set(key, entry);
  }
  const desk = new FactDesk({ capabilities: entries, resolveTimeoutMs: fsCfg?.resolveTimeoutMs ?? 10_000, maxRemembered: fsCfg?.rememberedFacts, maxRememberedBytes: fsCfg?.rememberedFactBytes });
  const services: DaemonService[] = [];
  if (fsCfg) {
    let server: FactServer | null = null;
    let lnd: LndClient | null = null;
    services.push({
      name: 'factServer',
      start: async () => {
        const p = cfg.payment;
        lnd = p ? new LndClient({ restHost: p.lnRestHost, macaroon: fs.readFileSync(p.lnMacaroonPath), tlsCert: fs.readFileSync(p.lnTlsCertPath), timeoutMs: p.timeoutMs }) : null;
        server = await startFactServer({
          host: fsCfg.host,
          port: fsCfg.port,
          desk,
          limits: { maxBodyBytes: fsCfg.maxBodyBytes, ratePerMinutePerClient: fsCfg.ratePerMinutePerClient, maxConcurrent: fsCfg.maxConcurrent, resolveTimeoutMs: fsCfg.resolveTimeoutMs },
          payment: lnd && p ? { lnd, invoiceExpirySeconds: p.invoiceExpirySeconds, maxRememberedPayments: p.maxRememberedPayments } : undefined,
          ohttp: deps.gateway ?? undefined,
          log: deps.log,
        });
        deps.log.info({ url: server.url, publicUrl: fsCfg.publicUrl, capabilities: entries.size, paid: lnd !== null, oblivious: deps.gateway !== null }, 'fact server listening');
      },
      stop: async () => {
        await server?.close();
        lnd?.close();
      },
      status: () => ({ url: server?.url ?? null, publicUrl: fsCfg.publicUrl, capabilities: entries.size, oblivious: deps.gateway !== null }),
    });
  }
  if (cfg.reports) {
    const r = cfg.reports;
    const answerer = new ReportAnswerer({ oraclePubKeys: [deps.identity.publicKey], nodes: cfg.nodes, answer: deskAnswer(desk), log: deps.log, ...r });
    services.push({ name: 'reports', start: async () => answerer.start(), stop: async () => answerer.stop(), status: () => answerer.status() });
  }
  return services;
}
