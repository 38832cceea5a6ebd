/**
 * What the Export dialog offers, read from the contract (ExportRequestSchema), so a format or quantisation the
 * engine gains appears here without a change: each gets its line of explanation when one is written, else its name.
 */
import { ExportRequestSchema } from '../../../../shared/contract';
import type { ExportFormat } from '../../../../shared/dto';

export type QuantizeMode = 'none' | 'float16' | 'uint8' | 'int8';

export const EXPORT_FORMATS = ExportRequestSchema.shape.format.unwrap().options as readonly ExportFormat[];
export const QUANTIZE_MODES = ExportRequestSchema.shape.quantize.unwrap().options as readonly QuantizeMode[];

/**
 * The engine's pairing rule (export/export-model.ts): int8 is full-integer TFLite only; TFLite quantises to int8,
 * not uint8; the other formats take float16 or uint8 weights.
 */
export function quantizeAllowed(format: ExportFormat, mode: QuantizeMode): boolean {
  if (mode === 'int8') return format === 'tflite';
  if (mode === 'uint8') return format !== 'tflite';
  return true;
}

/** The folder `runs.export` writes to by default, under the run's export/: what the download route zips. */
export function exportFolderName(format: ExportFormat, mode: QuantizeMode): string {
  return mode === 'none' ? format : `${format}-${mode}`;
}

/** The zip download of a run's export folder on `lab serve` (src/main/server/export-zip.ts). */
export function exportZipUrl(runId: string, format: ExportFormat, mode: QuantizeMode): string {
  return `/api/export/${encodeURIComponent(runId)}/${encodeURIComponent(exportFolderName(format, mode))}.zip`;
}
