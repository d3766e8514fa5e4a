import { describe, expect, it } from 'vitest';
import { copyRecord, createRecord } from '../../src/capture/index.js';

describe('copyRecord', () => {
  it('copies the packet bytes even when the chunk is a Node Buffer (whose slice() is a view)', () => {
    const chunk = Buffer.from([0, 1, 2, 3, 4, 5, 6, 7]);
    const rec = createRecord();
    rec.buf = chunk;
    rec.offset = 2;
    rec.caplen = 4;
    rec.len = 4;
    const owned = copyRecord(rec);
    expect([...owned.data]).toEqual([2, 3, 4, 5]);
    chunk.fill(0xee); // the reader reuses or drops its chunks
    expect([...owned.data]).toEqual([2, 3, 4, 5]);
  });
});
