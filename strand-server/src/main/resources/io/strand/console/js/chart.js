// Time-series charts with uPlot (the WebJar served under /ui/vendor): a chart fills its element's
// width and follows it when the window resizes.
import uPlot from 'uplot';

const COLORS = ['#1f6feb', '#bf3989', '#1a7f37', '#9a6700', '#8250df', '#cf222e', '#0550ae', '#6e7781'];

/**
 * A line chart in el. series: [{label}]; format: value -> text for the axis and legend.
 * Answers {update(columns), destroy()} where columns = [times (s), ...values per series].
 */
export function timeChart(el, series, format = v => String(v), height = 220) {
  // Axis text and grid in the page's colours, so that the charts read in dark mode too.
  const style = getComputedStyle(document.body);
  const axis = {stroke: style.color, grid: {stroke: style.getPropertyValue('--line').trim() || '#d0d7de', width: 1},
    ticks: {stroke: style.getPropertyValue('--line').trim() || '#d0d7de', width: 1}};
  const opts = {
    width: Math.max(el.clientWidth, 300),
    height,
    cursor: {drag: {x: false, y: false}},
    scales: {x: {time: true}, y: {range: (u, min, max) => [0, Math.max(max * 1.15, 1)]}},
    axes: [{...axis}, {...axis, values: (u, ticks) => ticks.map(format), size: 80}],
    series: [{}, ...series.map((s, i) => ({
      label: s.label,
      stroke: s.color || COLORS[i % COLORS.length],
      width: 2,
      fill: (s.color || COLORS[i % COLORS.length]) + '18',
      value: (u, v) => v === null || v === undefined ? '–' : format(v),
      points: {show: false},
    }))],
  };
  const data = [[], ...series.map(() => [])];
  const plot = new uPlot(opts, data, el);
  const resize = new ResizeObserver(() => plot.setSize({width: Math.max(el.clientWidth, 300), height}));
  resize.observe(el);
  return {
    update(columns) { plot.setData(columns); },
    destroy() { resize.disconnect(); plot.destroy(); },
  };
}

/** The palette, for charts whose series come and go. */
export function color(i) {
  return COLORS[i % COLORS.length];
}
