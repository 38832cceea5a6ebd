import { isActive, type AugmentParams, type ResolvedAugment } from '../../shared/augment-config';

export type { AugmentParams, EraseParams } from '../../shared/augment-config';
import { rngFor, STREAM } from './prng';

export const IDENTITY_PARAMS: AugmentParams = {
  hflip: false,
  vflip: false,
  scale: 1,
  cropX: 0.5,
  cropY: 0.5,
  rotate: 0,
  translateX: 0,
  translateY: 0,
  shear: 0,
  stretchX: 1,
  stretchY: 1,
  brightness: 1,
  contrast: 1,
  saturation: 1,
  hue: 0,
  erase: null,
  fill: { mode: 'constant', value: 0 },
};

export interface DrawOptions {
  /** Test/evaluation time: transforms that only make sense for training (erasing) are never drawn. */
  training?: boolean;
}

/**
 * Draw one image's parameters. Pure: the same (config, seed, epoch, imageId) always gives the same result,
 * and each transform reads its own stream, so toggling one leaves the others' draws unchanged.
 */
export function drawParams(r: ResolvedAugment, seed: number, epoch: number, imageId: number, opts: DrawOptions = {}): AugmentParams {
  const training = opts.training ?? true;
  const p: AugmentParams = { ...IDENTITY_PARAMS, fill: { ...r.fill } };

  const hf = rngFor(seed, epoch, imageId, STREAM.hflip);
  if (isActive(r, 'hflip') && hf.chance(r.hflip.p)) p.hflip = true;
  const vf = rngFor(seed, epoch, imageId, STREAM.vflip);
  if (isActive(r, 'vflip') && vf.chance(r.vflip.p)) p.vflip = true;

  const sc = rngFor(seed, epoch, imageId, STREAM.scaleCrop);
  if (isActive(r, 'scaleCrop') && sc.chance(r.scaleCrop.p)) {
    p.scale = sc.uniform(r.scaleCrop.scale[0], r.scaleCrop.scale[1]);
    p.cropX = sc.next();
    p.cropY = sc.next();
  }

  const ro = rngFor(seed, epoch, imageId, STREAM.rotate);
  if (isActive(r, 'rotate') && ro.chance(r.rotate.p)) p.rotate = ro.uniform(-r.rotate.degrees, r.rotate.degrees);

  const af = rngFor(seed, epoch, imageId, STREAM.affine);
  if (isActive(r, 'affine') && af.chance(r.affine.p)) {
    const a = r.affine;
    p.translateX = af.uniform(-a.translate, a.translate);
    p.translateY = af.uniform(-a.translate, a.translate);
    p.shear = af.uniform(-a.shear, a.shear);
    p.stretchX = af.uniform(1 - a.stretch, 1 + a.stretch);
    p.stretchY = af.uniform(1 - a.stretch, 1 + a.stretch);
  }

  const co = rngFor(seed, epoch, imageId, STREAM.color);
  if (isActive(r, 'color') && co.chance(r.color.p)) {
    const c = r.color;
    p.brightness = co.uniform(1 - c.brightness, 1 + c.brightness);
    p.contrast = co.uniform(1 - c.contrast, 1 + c.contrast);
    p.saturation = co.uniform(1 - c.saturation, 1 + c.saturation);
    p.hue = co.uniform(-c.hue, c.hue);
  }

  const er = rngFor(seed, epoch, imageId, STREAM.erasing);
  if (training && isActive(r, 'erasing') && er.chance(r.erasing.p)) {
    const e = r.erasing;
    // area and log-aspect uniform (random erasing, Zhong et al.); clip to the image
    const area = er.uniform(e.area[0], e.area[1]);
    const aspect = Math.exp(er.uniform(Math.log(e.aspect[0]), Math.log(e.aspect[1])));
    const w = Math.min(1, Math.sqrt(area * aspect));
    const h = Math.min(1, Math.sqrt(area / aspect));
    p.erase = {
      cx: w / 2 + er.next() * (1 - w),
      cy: h / 2 + er.next() * (1 - h),
      w,
      h,
      fill: e.fill,
      noiseSeed: Math.floor(er.next() * 4294967296) >>> 0,
    };
  }
  return p;
}

/** Parameters of the per-batch mixup: λ and the partner of each image. */
export interface MixupParams {
  lambda: number;
  partner: Int32Array;
}

/** Mixup for one batch (seeded by the batch's first image), or null when it does not fire. */
export function drawMixup(r: ResolvedAugment, seed: number, epoch: number, imageIds: Int32Array): MixupParams | null {
  if (!isActive(r, 'mixup') || imageIds.length < 2) return null;
  const rng = rngFor(seed, epoch, imageIds[0]! * 31 + imageIds.length, STREAM.mixup);
  if (!rng.chance(r.mixup.p)) return null;
  const lambda = rng.beta(r.mixup.alpha, r.mixup.alpha);
  return { lambda, partner: rng.permutation(imageIds.length) };
}
