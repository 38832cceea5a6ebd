import { describe, expect, it } from 'vitest';
import type { Prediction } from './dto';
import { csvField, labelsFromPredictions, predictionsToCsv } from './predictions-csv';

/** A minimal RFC 4180 reader, to check that what we write reads back as the same fields. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    }
    else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

describe('prediction CSV', () => {
  it('quotes only fields that need it', () => {
    expect(csvField('plain.png')).toBe('plain.png');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(' lead')).toBe('" lead"');
    expect(csvField(0.5)).toBe('0.5');
  });

  it('recovers labels in output order, even with tied probabilities', () => {
    const p: Prediction = {
      path: 'x',
      top: [
        { label: 'b', probability: 0.5 },
        { label: 'a', probability: 0.25 },
        { label: 'c', probability: 0.25 },
      ],
      probabilities: [0.25, 0.5, 0.25],
    };
    expect(labelsFromPredictions([p])).toEqual(['a', 'b', 'c']);
    expect(labelsFromPredictions([{ ...p, top: p.top.slice(0, 2) }])).toBeNull();
  });

  it('writes a header and one row per image that read back as the same fields', () => {
    const preds: Prediction[] = [
      { path: '/img/cat, "tabby".png', top: [{ label: 'cat', probability: 0.9 }], probabilities: [0.9, 0.1] },
      { path: '/img/broken.png', top: [], error: { code: 'UNREADABLE', message: 'Cannot decode /img/broken.png, is it an image?' } },
    ];
    const rows = parseCsv(predictionsToCsv(preds, ['cat', 'dog']));
    expect(rows).toEqual([
      ['path', 'top1', 'probability', 'cat', 'dog', 'error'],
      ['/img/cat, "tabby".png', 'cat', '0.9', '0.9', '0.1', ''],
      ['/img/broken.png', '', '', '', '', 'Cannot decode /img/broken.png, is it an image?'],
    ]);
  });
});
