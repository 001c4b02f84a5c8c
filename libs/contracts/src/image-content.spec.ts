import { describe, expect, it } from 'vitest';
import { splitImages } from './image-content';

describe('splitImages', () => {
  it('takes image bytes out of a result, leaving their description', () => {
    const result = {
      chart: { id: 1 },
      previews: { ascii: 'x', png: { mime_type: 'image/png', width: 2, height: 3, bytes: 4, data: 'AAAA' } },
    };
    const { structured, images } = splitImages(result);
    expect(images).toEqual([{ data: 'AAAA', mimeType: 'image/png' }]);
    expect(structured).toEqual({
      chart: { id: 1 },
      previews: { ascii: 'x', png: { mime_type: 'image/png', width: 2, height: 3, bytes: 4 } },
    });
    expect(result.previews.png.data).toBe('AAAA');
  });

  it('leaves a result without images as it is, and ignores lookalikes', () => {
    const plain = {
      rows: [{ data: 'x', mime_type: 'image/png' }],
      note: { mime_type: 'text/csv', data: 'a,b' },
    };
    const { structured, images } = splitImages(plain);
    expect(images).toEqual([]);
    expect(structured).toBe(plain);
  });
});
