/** oracle-daemon/schedule.ts - which events a capability has: maturity times in a window (daily, every n seconds, a list) and the event id of each, from the config's template. Pure. Imports oracle-daemon types only. */
import type { EventConfig, MaturityConfig } from './config.ts';

const DAY_S = 86400;

/** Maturities (epoch seconds) of a schedule in (from, to], ascending, at most `limit`. */
export function maturitiesIn(m: MaturityConfig, from: number, to: number, limit = 1000): number[] {
  const out: number[] = [];
  if (to <= from) return out;
  switch (m.type) {
    case 'daily': {
      const [h, min] = m.time.split(':').map(Number) as [number, number];
      const offset = h * 3600 + min * 60;
      for (let t = Math.floor((from - offset) / DAY_S) * DAY_S + offset; t <= to && out.length < limit; t += DAY_S) if (t > from) out.push(t);
      return out;
    }
    case 'every': {
      for (let t = Math.floor((from - m.offsetSeconds) / m.seconds) * m.seconds + m.offsetSeconds; t <= to && out.length < limit; t += m.seconds) if (t > from) out.push(t);
      return out;
    }
    case 'list':
      return m.times
        .map((s) => Math.floor(Date.parse(s) / 1000))
        .filter((t) => t > from && t <= to)
        .sort((a, b) => a - b)
        .slice(0, limit);
  }
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** The event id of a maturity: the template with {capability}, {epoch}, {date}, {datetime} filled in. */
export function eventIdFor(template: string, capability: string, maturityEpoch: number): string {
  const d = new Date(maturityEpoch * 1000);
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const datetime = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
  return template.replace(/\{(capability|epoch|date|datetime)\}/g, (_, k: string) => (k === 'capability' ? capability : k === 'epoch' ? String(maturityEpoch) : k === 'date' ? date : datetime));
}

/** The events to announce now: maturities in (now, now + announceBeforeSec]. */
export function dueForAnnouncement(ev: EventConfig, nowEpoch: number): number[] {
  return maturitiesIn(ev.maturity, nowEpoch, nowEpoch + ev.announceBeforeSec);
}
