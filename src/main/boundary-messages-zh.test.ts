/**
 * The refusals added for issue #17 carry a message code with its parameters, so each client shows them in its own
 * language: the same error renders in Simplified Chinese with the same numbers, names and paths as in English.
 */
import { describe, expect, it } from 'vitest';
import { TrainConfigSchema } from '../shared/config';
import { LabError, toLabErrorData } from '../shared/errors';
import { formatMessage, msg, type LabMessage } from '../shared/messages';
import { parseOrThrow } from '../shared/validation';
import { imageErrorReply } from './datasets/image-error';
import { weakTokenReason } from './server/auth';
import { parseWireRequest } from './server/wire';
import { assertFitsInMemory, memoryBudget } from './training/memory-estimate';

const GiB = 1024 ** 3;

function thrown(f: () => unknown): LabError {
  try {
    f();
  } catch (err) {
    return err as LabError;
  }
  throw new Error('expected a refusal');
}

const zh = (m: LabMessage | undefined): string => {
  expect(m, 'the error carries a message').toBeDefined();
  return formatMessage(m!, 'zh-CN');
};

describe('issue #17 refusals render in zh-CN with their parameters', () => {
  it('the memory refusal: the same numbers and batch size advice, in Chinese', () => {
    const c = TrainConfigSchema.parse({ datasetId: 'd', input: { size: 512, channels: 3 }, batchSize: 32 });
    const err = thrown(() => assertFitsInMemory(c, { classes: 10, images: 1000 }, memoryBudget('wasm', 24 * GiB)));
    expect(err.message).toMatch(/^These settings need more memory than this machine can give training: parameters [\d,]+ /);
    const suggested = err.details?.suggestedBatchSize as number;
    expect(suggested).toBeGreaterThanOrEqual(1);
    const text = zh(err.msg);
    expect(text).toContain('这些设置所需的内存超过了本机能提供给训练的内存');
    expect(text).toContain('× 批大小 32 =');
    expect(text).toContain('可用 3.0 GiB');
    expect(text).toContain(`请把 batchSize 设为 ${suggested} 或更小`);
    // Every number of the English sentence is in the Chinese one too.
    const numbers = (s: string) => (s.match(/\d[\d,.]*/g) ?? []).sort();
    expect(numbers(text)).toEqual(numbers(err.message));
    expect(formatMessage(err.msg!, 'en')).toBe(err.message);
  });

  it("the unknown setting: 'did you mean `epochs`' in Chinese, the English sentence unchanged", () => {
    const err = thrown(() => parseOrThrow(TrainConfigSchema, { datasetId: 'd', epochz: 3, optimizer: { name: 'adam', lr: 0.01, momentun: 0.9 } }, 'training config', 'BAD_CONFIG'));
    expect(err.message).toMatch(/^Invalid training config: .*\(value\): unknown setting "epochz" \(did you mean `epochs`\?\); valid settings here: name, datasetId, /);
    expect(err.message).toMatch(/optimizer: unknown setting "momentun" \(did you mean `momentum`\?\); valid settings here: name, /);
    expect(formatMessage(err.msg!, 'en')).toBe(err.message);
    const text = zh(err.msg);
    expect(text).toContain('未知的设置 "epochz"（你是想写 `epochs` 吗？）；此处有效的设置为：name、datasetId、');
    expect(text).toContain('optimizer：未知的设置 "momentun"（你是想写 `momentum` 吗？）');
  });

  it("an image changed since import is refused in the language the request asks for, with the message beside it", () => {
    const err = new LabError('NOT_FOUND', msg('image.changed.replaced', { path: '/photos/cat/1.png' }));
    expect(err.message).toBe('/photos/cat/1.png was replaced by another file since it was imported, so the lab does not show it. Import the folder again to see the file as it is now.');
    const zhReply = imageErrorReply(err, 'zh-CN,zh;q=0.9,en;q=0.8');
    expect(zhReply.status).toBe(404);
    expect(zhReply.body).toBe('/photos/cat/1.png 在导入后被另一个文件替换了，因此实验室不显示它。请重新导入该文件夹，以查看文件的当前状态。');
    expect(JSON.parse(decodeURIComponent(zhReply.headers['X-Lab-Message']!))).toEqual(err.msg);
    expect(imageErrorReply(err, 'en-US,en;q=0.9').body).toBe(err.message);
    expect(imageErrorReply(err, undefined).headers['Content-Language']).toBe('en');
  });

  it('a wire reply, a weak token and a system error carry their message too', () => {
    const wire = parseWireRequest(Buffer.from('[1, 2]'), false);
    expect('error' in wire && wire.error.message).toBe('The message is an array, not a request object. Send a JSON object {"id": <number>, "method": "<call name>", "args": [...]}.');
    expect('error' in wire && zh(wire.error.msg)).toBe('这条消息是一个数组，而不是请求对象。请发送一个 JSON 对象 {"id": <数字>, "method": "<调用名>", "args": [...]}。');

    expect(formatMessage(weakTokenReason('abc')!, 'zh-CN')).toBe('它只有 3 个字符；请至少使用 16 个');

    const data = toLabErrorData(Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE', port: 8080 }));
    expect(data.message).toBe('Port 8080 is already in use. Choose another --port, or leave it out to pick a free one.');
    expect(zh(data.msg)).toBe('端口 8080 已被占用。请换一个 --port，或不写它以自动选择空闲端口。');
  });
});
