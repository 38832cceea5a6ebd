import { describe, expect, it } from 'vitest';
import { dequantizeUint8, fromFloat16Bits, quantizeUint8, toFloat16Bits } from './quantize';

describe('float16', () => {
  it('encodes like IEEE 754 binary16, rounding to nearest even', () => {
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(toFloat16Bits(1e6)).toBe(0x7c00); // overflow → +Inf
    expect(toFloat16Bits(0.1)).toBe(0x2e66);
    expect(toFloat16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(toFloat16Bits(2 ** -26)).toBe(0); // underflow
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie → even
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    for (const v of [0.333, -7.25, 1234.5, 3e-5]) expect(Math.abs(fromFloat16Bits(toFloat16Bits(v)) - v)).toBeLessThanOrEqual(Math.max(Math.abs(v) * 2 ** -11, 2 ** -25)); // subnormals: half a step of 2^-24
  });
});

describe('uint8', () => {
  it('keeps 0 exact and every value within half a step', () => {
    const values = Float32Array.from([-0.7, -0.1, 0, 0.05, 0.3, 1.2]);
    const q = quantizeUint8(values);
    const back = dequantizeUint8(q);
    expect(back[2]).toBe(0);
    values.forEach((v, i) => expect(Math.abs(back[i] - v)).toBeLessThanOrEqual(q.scale / 2 + 1e-7));
    expect(q.min).toBeCloseTo(-q.zeroPoint * q.scale, 10);
  });
});
