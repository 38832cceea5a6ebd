/** Where a dataset image is served from: addressed by (dataset, manifest index), never by a file path. */
export type ImageVariant = 'thumb' | 'full';

/** Browser mode: `lab serve` answers this path (the auth cookie rides along, same origin). */
export function browserImageUrl(datasetId: string, index: number, variant: ImageVariant = 'thumb'): string {
  return `/api/image/${encodeURIComponent(datasetId)}/${index}?variant=${variant}`;
}

/** Electron: the lab:// protocol, limited by the main process to the dataset roots the user chose. */
export function electronImageUrl(datasetId: string, index: number, variant: ImageVariant = 'thumb'): string {
  return `lab://image/${encodeURIComponent(datasetId)}/${index}?variant=${variant}`;
}
