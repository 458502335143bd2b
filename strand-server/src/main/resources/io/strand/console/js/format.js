// Formatting of numbers, sizes, rates and times for display.

const integer = new Intl.NumberFormat(undefined, {maximumFractionDigits: 0});
const decimal = new Intl.NumberFormat(undefined, {maximumFractionDigits: 1});

export function count(n) {
  return n === undefined || n === null || n < 0 ? '–' : integer.format(n);
}

export function bytes(n) {
  if (n === undefined || n === null || !isFinite(n)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (Math.abs(n) >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? integer.format(n) : decimal.format(n)) + ' ' + units[i];
}

export function rate(n, unit = '/s') {
  if (n === undefined || n === null || !isFinite(n)) return '–';
  const abs = Math.abs(n);
  if (abs >= 1e6) return decimal.format(n / 1e6) + ' M' + unit;
  if (abs >= 1e3) return decimal.format(n / 1e3) + ' k' + unit;
  return decimal.format(n) + ' ' + unit;
}

export function byteRate(n) {
  return isFinite(n) ? bytes(n) + '/s' : '–';
}

export function time(ms) {
  if (ms === undefined || ms === null || ms < 0) return '–';
  const d = new Date(ms);
  return d.toLocaleString(undefined, {hour12: false}) + '.' + String(d.getMilliseconds()).padStart(3, '0');
}
