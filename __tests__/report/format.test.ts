import { percent, percentRange, pValue } from '../../src/report/format.js';

describe('pValue', () => {
  it('never prints a figure on the other side of α = 0.05 than p itself', () => {
    // 0.0496 is significant (Real gain); two decimals would round it to "p = 0.05".
    expect(pValue(0.0496)).toBe('p = 0.0496');
    expect(pValue(0.04999)).toBe('p = 0.04999');
    expect(pValue(0.0504)).toBe('p = 0.05');
    expect(pValue(0.05)).toBe('p = 0.05');
    expect(pValue(0.26)).toBe('p = 0.26');
    expect(pValue(0.0071)).toBe('p = 0.0071');
  });
});

describe('percent', () => {
  it('uses a real minus sign and never signs a figure that rounds to zero', () => {
    expect(percent(-0.383, 1)).toBe('−38.3%');
    expect(percent(-0.00001, 1)).toBe('0.0%');
    expect(percent(0.8711)).toBe('87.11%');
    expect(percentRange([-0.0001, 0.05])).toBe('0.0–5.0%');
    expect(percentRange([-0.02, 0.05])).toBe('−2.0–5.0%');
  });
});
