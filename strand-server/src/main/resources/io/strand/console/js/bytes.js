// Showing a record's bytes: as JSON (pretty), as UTF-8 text, or as a hex dump; "auto" picks JSON
// when the bytes parse as JSON, else text when they are valid UTF-8, else hex.

const strict = new TextDecoder('utf-8', {fatal: true});
const lenient = new TextDecoder('utf-8');

export const FORMATS = ['auto', 'json', 'text', 'hex'];

/** {text, as} for bytes (Uint8Array or null) in format; as is the format used. */
export function show(bytes, format = 'auto') {
  if (bytes === null) return {text: 'null', as: 'null'};
  if (format === 'hex') return {text: hexDump(bytes), as: 'hex'};
  let utf8 = null;
  try { utf8 = strict.decode(bytes); } catch { utf8 = null; }
  if (format === 'text') return {text: utf8 ?? lenient.decode(bytes), as: 'text'};
  if (utf8 !== null && (format === 'json' || format === 'auto')) {
    try {
      return {text: JSON.stringify(JSON.parse(utf8), null, 2), as: 'json'};
    } catch { /* not JSON */ }
  }
  if (format === 'json') return {text: (utf8 ?? lenient.decode(bytes)), as: 'text (not JSON)'};
  return utf8 !== null ? {text: utf8, as: 'text'} : {text: hexDump(bytes), as: 'hex'};
}

/** A short one-line form, for keys and headers. */
export function short(bytes) {
  if (bytes === null) return 'null';
  try { return strict.decode(bytes); } catch { return '0x' + hex(bytes.subarray(0, 32)) + (bytes.length > 32 ? '…' : ''); }
}

function hex(bytes) {
  return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
}

/** 16 bytes a line: offset, hex, printable ASCII. */
export function hexDump(bytes) {
  const lines = [];
  for (let i = 0; i < bytes.length; i += 16) {
    const chunk = bytes.subarray(i, i + 16);
    const hexes = Array.from(chunk, b => b.toString(16).padStart(2, '0')).join(' ').padEnd(47);
    const ascii = Array.from(chunk, b => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(i.toString(16).padStart(8, '0') + '  ' + hexes + '  ' + ascii);
  }
  return lines.join('\n') || '(empty)';
}
