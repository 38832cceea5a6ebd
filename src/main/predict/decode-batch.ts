/**
 * A batch of image files to model pixels: bytes read synchronously one file after another, then the lab's one
 * preprocessing path (preprocess: the PNG fast path or sharp). For folders of small images reading is most of the
 * cost, and a synchronous read costs a third of fs/promises' readFile (measured on 10,000 Fashion-MNIST PNGs: about
 * 20 µs against 80 µs a file), so a batch of 64 holds the event loop for about a millisecond. Sharp's decodes
 * (photos) run on its own threads and overlap with the model. Errors carry decodeForModel's messages, naming the file.
 * (Reading on a worker thread instead was measured too: no faster on two cores, where onnxruntime's threads already
 * use both during a batch.)
 * Files are read into slices of one shared chunk (FileReader) rather than readFileSync's fresh buffer per file:
 * no fstat and no allocation per file, which for 300-byte PNGs is a large share of the read.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import type { InputConfig } from '../../shared/config';
import { LabError } from '../../shared/errors';
import { msg } from '../../shared/messages';
import { preprocess } from '../datasets/preprocess';

/** Pixels of one file, or the reason it could not be used. */
export type Decoded = { pixels: Uint8Array } | { error: LabError };

/** A chunk this large is shared by the small files of many batches; a new one starts when less than ROOM is left. */
const CHUNK_BYTES = 1 << 20;
const ROOM_BYTES = 64 << 10;

/**
 * Reads whole files into consecutive slices of a shared chunk. A slice is never written again once handed out
 * (sharp may still be reading it on its threads), so the chunk is simply dropped when it is used up. A file that
 * fills the room left is finished with readFileSync on the same descriptor and returned as its own buffer.
 */
export class FileReader {
  private chunk = Buffer.allocUnsafeSlow(CHUNK_BYTES);
  private used = 0;

  read(file: string): Buffer {
    if (this.chunk.length - this.used < ROOM_BYTES) {
      this.chunk = Buffer.allocUnsafeSlow(CHUNK_BYTES);
      this.used = 0;
    }
    const room = this.chunk.length - this.used;
    const fd = openSync(file, 'r');
    try {
      // A short read of a regular file is its end; position null reads from (and advances) the file position.
      const n = readSync(fd, this.chunk, this.used, room, null);
      if (n < room) {
        const bytes = this.chunk.subarray(this.used, this.used + n);
        this.used += n;
        return bytes;
      }
      return Buffer.concat([this.chunk.subarray(this.used, this.used + n), readFileSync(fd)]);
    } finally {
      closeSync(fd);
    }
  }
}

function readBytes(file: string, reader: FileReader): Buffer | LabError {
  try {
    return reader.read(file);
  } catch (err) {
    return new LabError('UNREADABLE', msg('error.predict.cannotRead', { path: file, detail: (err as NodeJS.ErrnoException).code ?? (err as Error).message }), { path: file });
  }
}

function notAnImage(file: string, err: unknown): Decoded {
  if (err instanceof LabError) return { error: err };
  return { error: new LabError('UNREADABLE', msg('error.predict.notAnImage', { path: file, detail: (err as Error).message }), { path: file }) };
}

/** One promise per file (preprocess's own), no async wrapper around it. */
function decodeOne(file: string, input: InputConfig, reader: FileReader): Promise<Decoded> {
  const bytes = readBytes(file, reader);
  if (bytes instanceof LabError) return Promise.resolve({ error: bytes });
  return preprocess(bytes, input).then(
    (pixels): Decoded => ({ pixels }),
    (err: unknown) => notAnImage(file, err),
  );
}

/** Reads every file now and starts its decode (sharp's share on its threads); resolves in the files' order. */
export function decodeBatch(files: string[], input: InputConfig, reader = new FileReader()): Promise<Decoded[]> {
  return Promise.all(files.map((f) => decodeOne(f, input, reader)));
}
