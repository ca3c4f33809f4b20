import { providerFallback } from '../../src/engine/provider-note.js';

const CUDA_NOTE = 'CUDA EP unavailable (libcudart.so.12: cannot open shared object file); ran on CPU';

describe('providerFallback (issue 13, item 6)', () => {
  test('a CPU-only runner: a footer note, no warning', () => {
    expect(providerFallback(CUDA_NOTE, null)).toEqual({
      note: 'no NVIDIA GPU on this runner (nvidia-smi did not answer), so auto ran on CPU',
      warn: false,
    });
  });

  test('a GPU that nvidia-smi names but CUDA could not load: a warning that names the GPU', () => {
    expect(providerFallback(CUDA_NOTE, 'Tesla T4')).toEqual({ note: `Tesla T4 present, but ${CUDA_NOTE}`, warn: true });
  });

  test('nothing fell back: no note', () => {
    expect(providerFallback(null, null)).toEqual({ note: null, warn: false });
    expect(providerFallback(null, 'Tesla T4')).toEqual({ note: null, warn: false });
  });
});
