import { z } from 'zod';

/**
 * Augmentation settings of a run. The augmentation work extends this schema (ranges per transform);
 * a preset expands to concrete parameters, and explicit fields override the preset.
 */
export const AugmentPresetSchema = z.enum(['none', 'light', 'standard', 'strong']);
export type AugmentPreset = z.infer<typeof AugmentPresetSchema>;

export const AugmentConfigSchema = z.object({
  preset: AugmentPresetSchema.default('none'),
});
export type AugmentConfig = z.infer<typeof AugmentConfigSchema>;
