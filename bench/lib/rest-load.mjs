// bench/lib/rest-load.mjs - the REST ingest load client, run as its own process: POSTs pre-built requests over keep-alive TCP sockets with up to `depth` requests pipelined on each (HTTP/1.1), phase after phase, and prints what the node answered (for POST /entities batches, each item's status too) plus its own CPU time as one JSON line. Plain JS (no TypeScript loader) so the client costs the machine as little as it can.
//
// Why not node:http: its client costs about as much CPU per request as the server it measures, and on a
// 2-core machine that CPU is taken from the node (bench/ingest.ts measured REST that way first). This client
// writes request bytes built once and only frames the answers (status line, Content-Length), which is all a
// load generator needs; the node answers every entity POST with a Content-Length body (api/respond.ts).
import fs from 'node:fs';
import net from 'node:net';

const [, , port, file, conns, depth] = process.argv;
/** @type {{ path: string, bodies: string[] }[]} */
const phases = JSON.parse(fs.readFileSync(file, 'utf8'));
const CONNS = Number(conns);
const DEPTH = Number(depth);

function request(path, body) {
  return Buffer.from(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

/** Send `reqs` over one socket, at most DEPTH unanswered at a time; resolves with the status counts. */
function drive(reqs, statuses, batch) {
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(port), '127.0.0.1');
    s.setNoDelay(true);
    let sent = 0;
    let answered = 0;
    let buf = Buffer.alloc(0);
    const fill = () => {
      const out = [];
      while (sent < reqs.length && sent - answered < DEPTH) out.push(reqs[sent++]);
      if (out.length) s.write(out.length === 1 ? out[0] : Buffer.concat(out));
    };
    s.on('connect', fill);
    s.on('error', reject);
    s.on('close', () => (answered < reqs.length ? reject(new Error(`connection closed after ${answered} of ${reqs.length} answers`)) : undefined));
    s.on('data', (d) => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) break;
        const head = buf.toString('latin1', 0, end);
        const m = /\r\ncontent-length: *(\d+)/i.exec(head);
        if (!m) return reject(new Error(`an answer without Content-Length: ${head.slice(0, 200)}`));
        const total = end + 4 + Number(m[1]);
        if (buf.length < total) break;
        const status = Number(head.slice(9, 12));
        statuses[status] = (statuses[status] ?? 0) + 1;
        // A POST /entities answer: count its items' statuses too (every item must be accounted for, not only the request).
        if (batch) for (const m of buf.toString('latin1', end + 4, total).matchAll(/"httpStatus":(\d{3})/g)) itemStatuses[m[1]] = (itemStatuses[m[1]] ?? 0) + 1;
        buf = buf.subarray(total);
        answered++;
      }
      if (answered === reqs.length) {
        s.end();
        resolve();
      } else fill();
    });
  });
}

const built = phases.map((p) => p.bodies.map((b) => request(p.path, b)));
const statuses = {};
/** Statuses of the items of POST /entities answers (docs/PROTOCOL.md 10.1), by status. */
const itemStatuses = {};
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (const [p, reqs] of built.entries()) {
  // Round-robin over the connections, in order within each.
  const per = Array.from({ length: CONNS }, () => []);
  reqs.forEach((r, i) => per[i % CONNS].push(r));
  const batch = phases[p].path === '/entities';
  await Promise.all(per.filter((x) => x.length).map((x) => drive(x, statuses, batch)));
}
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
process.stdout.write(`${JSON.stringify({ seconds, statuses, itemStatuses, clientCpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`);
