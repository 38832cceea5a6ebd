import { describe, expect, it } from 'vitest';
import { torchBackendMessage } from '../../shared/engine-options';
import { formatMessage, msg } from '../../shared/messages';
import { LineSplitter, logMessage, parseLabLine } from './lab-lines';

describe("a PyTorch job's LAB lines", () => {
  it('become batch, epoch, log and done events; free text and broken lines are ignored', () => {
    expect(parseLabLine('LAB {"kind":"batch","epoch":1,"batch":2,"batchesPerEpoch":3,"loss":0.5,"accuracy":0.75,"lr":0.001}')).toEqual({ kind: 'batch', epoch: 1, batch: 2, batchesPerEpoch: 3, loss: 0.5, accuracy: 0.75, lr: 0.001 });
    expect(parseLabLine('LAB {"kind":"epoch","epoch":1,"loss":0.5,"accuracy":0.7,"valLoss":null,"valAccuracy":null,"lr":0.001,"durationS":1,"imagesPerS":900,"bestEpoch":null,"patienceLeft":null}')?.kind).toBe('epoch');
    expect(parseLabLine('LAB {"kind":"done","bestEpoch":3,"stoppedEarly":true,"reason":"early-stopped"}')).toEqual({ kind: 'done', bestEpoch: 3, stoppedEarly: true, reason: 'early-stopped' });
    expect(parseLabLine('epoch 1 done')).toBeNull();
    expect(parseLabLine('LAB {"kind":"batch","epoch":1')).toBeNull();
    expect(parseLabLine('LAB {"kind":"batch","epoch":"one"}')).toBeNull();
    const lines: string[] = [];
    const split = new LineSplitter((l) => lines.push(l));
    split.push('LAB {"a"');
    split.push(':1}\r\nfree text\nLAB');
    split.end();
    expect(lines).toEqual(['LAB {"a":1}', 'free text', 'LAB']);
  });

  it("turn the job's log codes into the lab's messages (shown in Chinese too), else keep the English text", () => {
    const said = logMessage({ code: 'torchJob.batchNotDivisible', params: { batchSize: 30, worldSize: 4 }, text: 'The batch size 30 …' });
    expect(formatMessage(said, 'en')).toBe('The batch size 30 cannot be shared by 4 processes: choose a batch size divisible by 4, or another number of processes.');
    expect(formatMessage(said, 'zh-CN')).toContain('批大小 30 无法平分给 4 个进程');
    expect(formatMessage(logMessage({ code: 'torchJob.batchNotDivisible', params: {}, text: 'as the job said' }), 'zh-CN')).toBe('as the job said');
    expect(formatMessage(logMessage({ code: 'torchJob.somethingNew', text: 'new words' }), 'en')).toBe('new words');
  });
});

describe("a PyTorch run's backend words", () => {
  it('read back as the message they were written from, so the Runs page shows them in Chinese too', () => {
    const label = formatMessage(msg('torch.label', { torch: '1.13.0', device: 'cuda:0', n: 2 }), 'en');
    expect(label).toBe('PyTorch 1.13.0 on cuda:0, 2 processes');
    expect(formatMessage(torchBackendMessage(label)!, 'zh-CN')).toBe('PyTorch 1.13.0，设备 cuda:0，2 个进程');
    expect(formatMessage(torchBackendMessage('PyTorch, 1 process')!, 'zh-CN')).toBe('PyTorch，1 个进程');
    expect(torchBackendMessage('CPU (oneDNN native kernels, all cores; WebAssembly for the rest)')).toBeNull();
  });
});
