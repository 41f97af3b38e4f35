// Lazy loading of the plotting libraries the coordinator serves from WebJars: only pages that plot import them.

const UPLOT = '/console/vendor/uplot/dist/uPlot.esm.js';
const UPLOT_CSS = '/console/vendor/uplot/dist/uPlot.min.css';
const ECHARTS = '/console/vendor/echarts/dist/echarts.esm.min.js';

let uplot = null;
let echarts = null;

export function loadUPlot() {
  if (!document.querySelector('link[data-uplot]')) {
    document.head.append(Object.assign(document.createElement('link'), {rel: 'stylesheet', href: UPLOT_CSS}));
    document.head.lastChild.dataset.uplot = '';
  }
  uplot ??= import(UPLOT).then(m => m.default).catch(e => {
    uplot = null;
    throw new Error(`cannot load uPlot from ${UPLOT}: ${e.message}`);
  });
  return uplot;
}

export function loadECharts() {
  echarts ??= import(ECHARTS).catch(e => {
    echarts = null;
    throw new Error(`cannot load ECharts from ${ECHARTS}: ${e.message}`);
  });
  return echarts;
}

// Distinguishable series colours with enough contrast on white (and not told apart by colour alone:
// every plot has a legend and a table beside it).
export const PALETTE = ['#1f5fbf', '#b3400b', '#2e7d32', '#7b1fa2', '#8d6e00', '#00796b', '#c2185b', '#455a64'];

/** Calls fn(width) when the element's width changes (debounced), until the signal aborts. */
export function onResize(el, fn, signal) {
  let timer = null;
  let last = el.clientWidth;
  const ro = new ResizeObserver(() => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const w = el.clientWidth;
      if (w !== last && w > 0) {
        last = w;
        fn(w);
      }
    }, 150);
  });
  ro.observe(el);
  signal.addEventListener('abort', () => {
    clearTimeout(timer);
    ro.disconnect();
  });
}
