/** One record of a SMART-format file: its `.I` number and its fields' text by letter. */
export interface SmartRecord {
  id: string;
  fields: Record<string, string>;
}

/**
 * Parses the SMART format shared by Cranfield, MED and CACM: `.I n` starts a record, a line
 * `.X` (one capital letter) starts its field X, and the lines up to the next marker are that
 * field's text, joined by single spaces. CRLF files are read like LF ones (MED's are CRLF,
 * and a marker anchored at the line's end would otherwise match nothing); trailing padding is
 * trimmed. Record ids lose their leading zeros (`.I 001` is "1").
 */
export function smartRecords(text: string): SmartRecord[] {
  const out: SmartRecord[] = [];
  let field = '';
  for (const line of text.split(/\r?\n/)) {
    const start = /^\.I\s+(\d+)/.exec(line);
    if (start) {
      out.push({ id: String(Number(start[1])), fields: {} });
      field = '';
      continue;
    }
    const marker = /^\.([A-Z])\s*$/.exec(line);
    const current = out[out.length - 1];
    if (marker) field = marker[1]!;
    else if (current && field) current.fields[field] = `${current.fields[field] ?? ''} ${line.trim()}`.trim();
  }
  return out;
}
