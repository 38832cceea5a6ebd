/**
 * A batch of image files to model pixels: bytes read synchronously one file after another, then the lab's one
 * preprocessing path (preprocess: the PNG fast path or sharp). For folders of small images reading is most of the
 * cost, and a synchronous read costs a third of fs/promises' readFile (measured on 10,000 Fashion-MNIST PNGs: about
 * 20 µs against 80 µs a file), so a batch of 64 holds the event loop for about a millisecond. Sharp's decodes
 * (photos) run on its own threads and overlap with the model. Errors carry decodeForModel's messages, naming the file.
 * (Reading on a worker thread instead was measured too: no faster on two cores, where onnxruntime's threads already
 * use both during a batch.)
 * Files are read into slices of one shared chunk (FileReader) rather than readFileSync's fresh buffer per file:
 * no fstat and no allocation per file, which for 300-byte PNGs is a large share of the read. Only small files are
 * read this way: at most SMALL_BYTES of a file is read synchronously, and a larger file (a photo) is read with
 * fs/promises instead, so the service's event loop (the desktop app's main process, `lab serve`) is never held by
 * a big read: a batch holds it for at most batch × SMALL_BYTES of reading.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { InputConfig } from '../../shared/config';
import { LabError } from '../../shared/errors';
import { msg } from '../../shared/messages';
import { preprocess } from '../datasets/preprocess';

/** Pixels of one file, or the reason it could not be used. */
export type Decoded = { pixels: Uint8Array } | { error: LabError };

/** A chunk this large is shared by the small files of many batches; a new one starts when less than SMALL_BYTES is left. */
const CHUNK_BYTES = 1 << 20;
/** Files below this size are read synchronously into the chunk; larger ones asynchronously. */
export const SMALL_BYTES = 64 << 10;

/**
 * Reads small files whole into consecutive slices of a shared chunk. A slice is never written again once handed
 * out (sharp may still be reading it on its threads), so the chunk is simply dropped when it is used up.
 */
export class FileReader {
  private chunk = Buffer.allocUnsafeSlow(CHUNK_BYTES);
  private used = 0;

  /** The file's bytes, or null when it is SMALL_BYTES or larger (nothing is kept of it: read it asynchronously). */
  readSmall(file: string): Buffer | null {
    if (this.chunk.length - this.used < SMALL_BYTES) {
      this.chunk = Buffer.allocUnsafeSlow(CHUNK_BYTES);
      this.used = 0;
    }
    const fd = openSync(file, 'r');
    try {
      // A short read of a regular file is its end; position null reads from the file's start.
      const n = readSync(fd, this.chunk, this.used, SMALL_BYTES, null);
      if (n === SMALL_BYTES) return null;
      const bytes = this.chunk.subarray(this.used, this.used + n);
      this.used += n;
      return bytes;
    } finally {
      closeSync(fd);
    }
  }

  /** The whole file: small ones from the chunk, larger ones read without holding the event loop. */
  read(file: string): Buffer | Promise<Buffer> {
    return this.readSmall(file) ?? readFile(file);
  }
}

function unreadable(file: string, err: unknown): LabError {
  return new LabError('UNREADABLE', msg('error.predict.cannotRead', { path: file, detail: (err as NodeJS.ErrnoException).code ?? (err as Error).message }), { path: file });
}

function notAnImage(file: string, err: unknown): Decoded {
  if (err instanceof LabError) return { error: err };
  return { error: new LabError('UNREADABLE', msg('error.predict.notAnImage', { path: file, detail: (err as Error).message }), { path: file }) };
}

function decodeBytes(file: string, bytes: Buffer, input: InputConfig): Promise<Decoded> {
  return preprocess(bytes, input).then(
    (pixels): Decoded => ({ pixels }),
    (err: unknown) => notAnImage(file, err),
  );
}

/** One promise per file (preprocess's own, after an asynchronous read for a large file), no async wrapper. */
function decodeOne(file: string, input: InputConfig, reader: FileReader): Promise<Decoded> {
  let bytes: Buffer | Promise<Buffer>;
  try {
    bytes = reader.read(file);
  } catch (err) {
    return Promise.resolve({ error: unreadable(file, err) });
  }
  if (Buffer.isBuffer(bytes)) return decodeBytes(file, bytes, input);
  return bytes.then(
    (b) => decodeBytes(file, b, input),
    (err: unknown): Decoded => ({ error: unreadable(file, err) }),
  );
}

/** Reads every small file now and starts its decode (sharp's share on its threads); resolves in the files' order. */
export function decodeBatch(files: string[], input: InputConfig, reader = new FileReader()): Promise<Decoded[]> {
  return Promise.all(files.map((f) => decodeOne(f, input, reader)));
}
