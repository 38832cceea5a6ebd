import { describe, expect, it } from 'vitest';
import { formatMessage } from '../../shared/messages';
import { checkImage } from './validate';

describe('file problems as messages', () => {
  it('say what is wrong and what to do in English and in Chinese', async () => {
    const empty = await checkImage(new Uint8Array(0), '/data/cats/empty.png');
    expect(empty.problem?.message).toBe('The file is empty (0 bytes). Delete it or copy it again from the source.');
    expect(formatMessage(empty.problem!.msg!, 'zh-CN')).toBe('文件为空（0 字节）。请删除它，或从来源重新复制。');

    const text = await checkImage(new TextEncoder().encode('not a picture at all'), '/data/cats/notes.png');
    expect(text.problem?.reason).toBe('not-an-image');
    expect(text.problem?.message).toContain('ends in .png but its content is not an image');
    expect(formatMessage(text.problem!.msg!, 'zh-CN')).toBe('文件名以 .png 结尾，但内容不是图片。请将其移出文件夹，或换成真正的图片。');
  });
});
