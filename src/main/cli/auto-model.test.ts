// `lab train <folder of colour photos>` with no model picks frozen MobileNetV2 transfer, says why, records the
// reason in the run's config.json and trains the head on cached embeddings; small images get a CNN at their size.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from './test-support';

const root = mkdtempSync(path.join(os.tmpdir(), 'lab-auto-'));
const photos = path.join(root, 'photos');

beforeAll(async () => {
  process.env.LAB_HOME = path.join(root, 'home');
  // 2 classes × 5 colour "photos" of 120×100 px: warm and cool gradients.
  for (const [cls, tint] of [['warm', [200, 90, 40]], ['cool', [40, 90, 200]]] as const) {
    mkdirSync(path.join(photos, cls), { recursive: true });
    for (let i = 0; i < 5; i++) {
      const px = Buffer.alloc(120 * 100 * 3);
      for (let p = 0; p < 120 * 100; p++) for (let c = 0; c < 3; c++) px[p * 3 + c] = Math.min(255, tint[c]! + ((p * (i + 1)) % 50));
      await sharp(px, { raw: { width: 120, height: 100, channels: 3 } }).jpeg().toFile(path.join(photos, cls, `${i}.jpg`));
    }
  }
});
afterEach(() => vi.restoreAllMocks());

describe('lab train with model auto', () => {
  it('picks transfer for colour photos, says why, keeps the reason in config.json and trains on cached embeddings', async () => {
    const r = await runCli(['train', photos, '--epochs', '2', '--json']);
    expect(r.code, JSON.stringify(r.lines.filter((l) => l.type === 'error'))).toBe(0);
    const infos = r.lines.filter((l) => l.type === 'info').map((l) => String(l.message));
    expect(infos.find((m) => m.startsWith('Model (auto):'))).toMatch(/transfer from builtin:mobilenetv2 \(frozen\) at 224×224×3\. Colour photos \(typically 120×100, 5 per class\)/);
    const result = r.lines.find((l) => l.type === 'result') as unknown as { runDir: string; status: string };
    expect(result.status).toBe('completed');
    const saved = JSON.parse(readFileSync(path.join(result.runDir, 'config.json'), 'utf8')) as { config: { model: { kind: string }; input: { size: number }; modelChoice: { code: string; reason: string } } };
    expect(saved.config.model.kind).toBe('transfer');
    expect(saved.config.input.size).toBe(224);
    expect(saved.config.modelChoice.code).toBe('model.auto.transferPhotos');
    expect(r.lines.filter((l) => l.type === 'epoch')).toHaveLength(2);
    // The backbone ran once per image into the workspace's embedding cache.
    const [dataset] = readdirSync(path.join(root, 'home', 'datasets'));
    expect(readdirSync(path.join(root, 'home', 'datasets', dataset!, 'embeddings')).some((f) => f.endsWith('.f32'))).toBe(true);
  }, 240_000);
});
