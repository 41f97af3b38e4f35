// Hash routing: #/path -> a page's mount(main, params, ctx). Each mount gets an AbortSignal and
// registers cleanups (timers, event streams, charts), all run before the next page mounts.

function safeDecode(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function createRouter({routes, container, guard, fallback, afterMount}) {
  let current = null;

  function match(path) {
    for (const r of routes) {
      const m = r.pattern.exec(path);
      if (m) return {route: r, params: m.slice(1).map(p => p === undefined ? undefined : safeDecode(p))};
    }
    return null;
  }

  function unmount() {
    if (!current) return;
    current.controller.abort();
    for (const fn of current.cleanups.splice(0)) {
      try {
        fn();
      } catch (e) {
        console.error('cleanup failed', e);
      }
    }
    current = null;
  }

  function resolve() {
    // Only the parameters are decoded (once), so an id with an encoded '/' stays one parameter.
    const path = location.hash.replace(/^#/, '') || '/';
    const found = match(path);
    const redirect = guard(path, found && found.route);
    if (redirect && redirect !== location.hash) {
      location.replace(redirect);
      return;
    }
    unmount();
    const controller = new AbortController();
    const cleanups = [];
    current = {controller, cleanups};
    const ctx = {
      signal: controller.signal,
      onCleanup: fn => cleanups.push(fn),
      alive: () => !controller.signal.aborted,
      navigate: hash => { location.hash = hash; },
    };
    container.replaceChildren();
    const page = found ? found.route : fallback;
    try {
      const done = page.mount(container, found ? found.params : [path], ctx);
      if (done && typeof done.catch === 'function') done.catch(e => console.error('page failed', e));
    } catch (e) {
      console.error('page failed', e);
    }
    afterMount(page, found ? found.params : []);
  }

  window.addEventListener('hashchange', resolve);
  return {resolve, unmount};
}
