// Formatting of the API's values: Instants (ISO-8601, up to nanoseconds), Durations (ISO-8601, PT10S), milliseconds.

/** Jackson writes Instants with up to 9 fraction digits; Date.parse is only sure of 3. Null stays null. */
export function parseInstant(s) {
  if (!s) return null;
  const t = Date.parse(String(s).replace(/(\.\d{3})\d+/, '$1'));
  return Number.isNaN(t) ? null : t;
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

/** 2026-01-02 10:00:00Z (UTC: coordinators, agents and people in several DCs compare times). */
export function fmtDateTime(s) {
  const t = typeof s === 'number' ? s : parseInstant(s);
  if (t === null) return '–';
  const d = new Date(t);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}Z`;
}

/** 10:00:00.123Z */
export function fmtTime(s) {
  const t = typeof s === 'number' ? s : parseInstant(s);
  if (t === null) return '–';
  const d = new Date(t);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}Z`;
}

/** 0.4 ms, 12.3 ms, 1.25 s, 2 min 3 s */
export function fmtMs(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '–';
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** PT1M30.5S -> 90500; null when not an ISO duration of hours/minutes/seconds. */
export function parseDuration(s) {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$/.exec(s || '');
  if (!m) return null;
  return ((+(m[1] || 0) * 60 + +(m[2] || 0)) * 60 + +(m[3] || 0)) * 1000;
}

/** PT10S -> "10 s"; unknown forms as given. */
export function fmtDuration(s) {
  if (s === null || s === undefined) return '–';
  const ms = parseDuration(s);
  return ms === null ? String(s) : fmtMs(ms);
}

/** "3 s ago" for ages the page shows live. */
export function ago(ms) {
  if (ms === null || ms === undefined) return '–';
  if (ms < 1000) return 'just now';
  return `${fmtMs(ms)} ago`;
}

export function lower(s) {
  return String(s ?? '').toLowerCase();
}

/** Host and port of the API's Endpoint / plan Address records. */
export function addr(a) {
  return a ? `${a.host}:${a.port}` : '–';
}
