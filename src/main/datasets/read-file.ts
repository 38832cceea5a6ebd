import { readFile } from 'node:fs/promises';

/** A dataset file's bytes (read only; the user's folders are never opened for writing). */
export async function readImageFile(file: string, _size?: number): Promise<Buffer> {
  return readFile(file);
}
