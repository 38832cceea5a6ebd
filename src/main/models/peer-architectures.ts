/**
 * The CNNs of the PyTorch peer (../shared/peers/torch_ref.py) as lab model configs, so the lab and the peer
 * train the same network: conv3×3 without bias → BN → ReLU blocks, PyTorch's BN momentum 0.1 = α 0.9, ε 1e-5.
 *   bench: conv16–BN–ReLU–maxpool2 – conv32–BN–ReLU–maxpool2 – flatten – dropout 0.5 – dense(C)
 *   ref:   2× conv32–BN–ReLU, maxpool2, 2× conv64–BN–ReLU, maxpool2, dropout 0.5, dense128–BN–ReLU, dropout 0.5, dense(C)
 * Both use Adam 1e-3, batch 64 in the peer.
 */
import type { ModelConfig } from '../../shared/config';

const conv = (filters: number, pool: 'max' | 'none') => ({ filters, kernel: 3, stride: 1 as const, batchNorm: true, activation: 'relu' as const, pool, dropout: 0 });

export const PEER_ARCHITECTURES: Record<'bench' | 'ref', ModelConfig> = {
  bench: { kind: 'cnn', blocks: [conv(16, 'max'), conv(32, 'max')], globalPool: false, headDropout: 0.5, dense: [] },
  ref: {
    kind: 'cnn',
    blocks: [conv(32, 'none'), conv(32, 'max'), conv(64, 'none'), conv(64, 'max')],
    globalPool: false,
    headDropout: 0.5,
    dense: [{ units: 128, batchNorm: true, activation: 'relu', dropout: 0.5 }],
  },
};
