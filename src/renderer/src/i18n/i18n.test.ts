import { describe, expect, it } from 'vitest';
import en from './en';
import { features } from './features';
import { uiMessages } from './index';

const leaves = (o: unknown, prefix = ''): string[] =>
  typeof o === 'object' && o !== null ? Object.entries(o).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k)) : [prefix];

describe('the UI catalogs', () => {
  it('merge every feature module without two owning the same namespace', () => {
    const owners = new Map<string, string>(Object.keys(en).map((k) => [k, 'global']));
    features.forEach((f, i) => {
      for (const k of Object.keys(f.en)) {
        expect(owners.get(k), `namespace "${k}" of feature ${i}`).toBeUndefined();
        owners.set(k, `feature ${i}`);
      }
    });
  });

  it('have the same keys in English and Chinese, with Chinese words in the Chinese texts', () => {
    const enKeys = leaves(uiMessages.en).sort();
    expect(leaves(uiMessages['zh-CN']).sort()).toEqual(enKeys);
    const zh = uiMessages['zh-CN'] as unknown as Record<string, unknown>;
    const get = (key: string): unknown => key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], zh);
    const english = enKeys.filter((k) => {
      const v = get(k);
      const words = typeof v === 'string' ? v.replace(/\{[^{}]*\}/g, '') : '';
      return /[A-Za-z]{3,}/.test(words) && !/[\u4e00-\u9fff]/.test(words);
    });
    // Texts that are names in both languages (product and format names, units) may stay Latin.
    const names = /^(Adam|SGD|RMSprop|RMSProp|Adagrad|Nesterov|Momentum|ONNX|TFLite|TensorFlow\.js|Teachable Machine|PNG|CSV|JSON|ReLU|GELU|ELU|SELU|Tanh|Sigmoid|Softmax|MLP|CNN|ResNet|Ctrl\/⌘ \+ Enter|[A-Za-z]{1,3}|.*\bpx\b.*|F1|Dropout|BatchNorm|L1|L2|MobileNetV2.*|oneDNN.*|WebAssembly.*|float16|uint8|int8|Top-\d|top-\{k\}|.*\(x\/255\).*)$/;
    expect(english.filter((k) => !names.test(String(get(k)))), 'Chinese catalog entries still in English').toEqual([]);
  });
});
