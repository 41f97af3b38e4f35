// The coordinator's Server-Sent Events (/api/v1/events). Every event has a type as its SSE event name,
// so each type must be listened for by name (onmessage only sees unnamed ones).
import {checkSession, isAbort} from './api.js';

// The types the coordinator emits (grep '"failover.' in orchestrator/core), and the openapi's list.
export const EVENT_TYPES = [
  'failover.started', 'failover.step.started', 'failover.step.finished', 'failover.step.failed', 'failover.step.retry',
  'failover.step', 'failover.shard', 'failover.rollback', 'failover.rollback-failed', 'failover.verify-failed',
  'failover.report', 'failover.approval-needed', 'failover.approved', 'failover.abort', 'failover.aborting',
  'failover.finished', 'failover.abandoned', 'failover.leadership-lost', 'failover.takeover', 'failover.takeover-failed',
  'failover.takeover.finished', 'failover.persist-failed', 'health.verdict', 'leadership', 'message',
];

/**
 * Follows the stream until signal aborts. The browser reconnects by itself (sending Last-Event-ID, so the
 * coordinator replays what was missed); a stream the server refused (401, 5xx) is closed: then the session is
 * checked (a 401 goes to login) and a new stream opened after a back-off, with onReconnect so the page can
 * reload what it may have missed (a new EventSource cannot send Last-Event-ID).
 *
 * @param onEvent  (event) => void, event = {seq, at, type, failoverId, shard, step, message}
 * @param onStatus ('open'|'reconnecting'|'closed') => void
 */
export function followEvents({onEvent, onStatus = () => {}, onReconnect = () => {}, signal}) {
  let es = null;
  let backoff = 2000;
  let timer = null;
  let reconnecting = false;

  const handle = e => {
    let event;
    try {
      event = JSON.parse(e.data);
    } catch {
      console.warn('malformed event', e.data);
      return;
    }
    if (!event.type) event.type = e.type;
    onEvent(event);
  };

  function open() {
    if (signal.aborted) return;
    es = new EventSource('/api/v1/events');
    for (const t of EVENT_TYPES) es.addEventListener(t, handle);
    es.onopen = () => {
      backoff = 2000;
      onStatus('open');
      if (reconnecting) {
        reconnecting = false;
        onReconnect();
      }
    };
    es.onerror = () => {
      if (signal.aborted) return;
      if (es.readyState !== EventSource.CLOSED) {
        onStatus('reconnecting');
        return;
      }
      onStatus('closed');
      es = null;
      reconnecting = true;
      checkSession(signal).then(() => {
        timer = setTimeout(open, backoff);
        backoff = Math.min(backoff * 2, 30_000);
      }, e => {
        if (isAbort(e) || signal.aborted) return;
        // Not a 401 (that navigates to login): the coordinator is unreachable; keep trying.
        timer = setTimeout(open, backoff);
        backoff = Math.min(backoff * 2, 30_000);
      });
    };
  }

  signal.addEventListener('abort', () => {
    clearTimeout(timer);
    if (es) es.close();
  });
  open();
}
