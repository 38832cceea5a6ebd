/**
 * TensorFlow Lite model metadata, written against TFLite Support's published schema (metadata_schema.fbs,
 * version 1.1.0, file identifier "M001"): a ModelMetadata flatbuffer stored in the model's "TFLITE_METADATA"
 * metadata buffer, and the files it names (labels.txt) packed as an uncompressed zip appended to the .tflite file,
 * as TFLite's metadata populator does. Android Studio's ML binding, the TFLite Task Library's ImageClassifier and
 * the metadata extractor read the input's colour space, size and normalisation, and the output's labels from it.
 * Slots follow declaration order in the schema; a union takes two slots (its type byte, then the value).
 */
import * as flatbuffers from 'flatbuffers';
import zlib from 'node:zlib';
import type { Preprocessing } from '../../../shared/dto';

export const METADATA_BUFFER_NAME = 'TFLITE_METADATA';
export const METADATA_FILE_IDENTIFIER = 'M001';
/** Nothing written here is newer than schema 1.0.0 (no vocabulary files, tokenizers or subgraph process units). */
export const MIN_PARSER_VERSION = '1.0.0';
export const LABELS_FILE = 'labels.txt';

const Slot = {
  AssociatedFile: { name: 0, description: 1, type: 2, locale: 3, count: 4 },
  ImageSize: { width: 0, height: 1, count: 2 },
  ImageProperties: { color_space: 0, default_size: 1, count: 2 },
  Content: { content_properties_type: 0, content_properties: 1, range: 2, count: 3 },
  NormalizationOptions: { mean: 0, std: 1, count: 2 },
  ProcessUnit: { options_type: 0, options: 1, count: 2 },
  Stats: { max: 0, min: 1, count: 2 },
  TensorMetadata: { name: 0, description: 1, dimension_names: 2, content: 3, process_units: 4, stats: 5, associated_files: 6, count: 7 },
  SubGraphMetadata: { name: 0, description: 1, input_tensor_metadata: 2, output_tensor_metadata: 3, associated_files: 4, input_process_units: 5, output_process_units: 6, count: 7 },
  ModelMetadata: { name: 0, description: 1, version: 2, subgraph_metadata: 3, author: 4, license: 5, associated_files: 6, min_parser_version: 7, count: 8 },
} as const;
export const AssociatedFileType = { UNKNOWN: 0, DESCRIPTIONS: 1, TENSOR_AXIS_LABELS: 2 } as const;
export const ColorSpaceType = { UNKNOWN: 0, RGB: 1, GRAYSCALE: 2 } as const;
/** Union type indices (0 = NONE). */
const ContentProperties = { FeatureProperties: 1, ImageProperties: 2 } as const;
const ProcessUnitOptions = { NormalizationOptions: 1 } as const;

export interface ModelMetadataInput {
  name: string;
  description: string;
  version: string;
  author: string;
  labels: string[];
  preprocessing: Preprocessing;
}

/** The model's normalisation as the schema's (x − mean) / std on 0…255 pixels. */
export function meanStd(pre: Preprocessing): { mean: number; std: number } {
  return pre.normalization === 'unit' ? { mean: 0, std: 255 } : { mean: 127.5, std: 127.5 };
}

type B = flatbuffers.Builder;

function floats(b: B, values: number[]): flatbuffers.Offset {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addFloat32(values[i]!);
  return b.endVector();
}

function offsets(b: B, list: flatbuffers.Offset[]): flatbuffers.Offset {
  b.startVector(4, list.length, 4);
  for (let i = list.length - 1; i >= 0; i--) b.addOffset(list[i]!);
  return b.endVector();
}

/** A table field: an offset (a string, vector or table made before the table), or a scalar of the given width. */
type Field = [slot: number, offset: flatbuffers.Offset] | [slot: number, value: number, width: 'int8' | 'int32'];

/** A table of `count` slots with these fields (a scalar equal to the default 0 is left out, as flatbuffers does). */
function table(b: B, count: number, fields: Field[]): flatbuffers.Offset {
  b.startObject(count);
  for (const [slot, value, width] of fields) {
    if (width === 'int8') b.addFieldInt8(slot, value, 0);
    else if (width === 'int32') b.addFieldInt32(slot, value, 0);
    else b.addFieldOffset(slot, value, 0);
  }
  return b.endObject();
}

function stats(b: B, min: number, max: number): flatbuffers.Offset {
  return table(b, Slot.Stats.count, [
    [Slot.Stats.max, floats(b, [max])],
    [Slot.Stats.min, floats(b, [min])],
  ]);
}

/** A Content table: which properties (the union's type), and the properties table. */
function content(b: B, type: number, properties: flatbuffers.Offset): flatbuffers.Offset {
  const C = Slot.Content;
  return table(b, C.count, [[C.content_properties_type, type, 'int8'], [C.content_properties, properties]]);
}

/** The ModelMetadata flatbuffer (with its "M001" identifier) for an image classifier with one input and one output. */
export function buildModelMetadata(m: ModelMetadataInput): Uint8Array {
  const b = new flatbuffers.Builder(4096);
  const { size, channels } = m.preprocessing.input;
  const { mean, std } = meanStd(m.preprocessing);
  const T = Slot.TensorMetadata;

  // Input: an image of size×size in RGB or grey, normalised as (x − mean) / std.
  const sizeT = table(b, Slot.ImageSize.count, [[Slot.ImageSize.width, size, 'int32'], [Slot.ImageSize.height, size, 'int32']]);
  const imageProps = table(b, Slot.ImageProperties.count, [
    [Slot.ImageProperties.color_space, channels === 1 ? ColorSpaceType.GRAYSCALE : ColorSpaceType.RGB, 'int8'],
    [Slot.ImageProperties.default_size, sizeT],
  ]);
  const normOpts = table(b, Slot.NormalizationOptions.count, [
    [Slot.NormalizationOptions.mean, floats(b, [mean])],
    [Slot.NormalizationOptions.std, floats(b, [std])],
  ]);
  const normUnit = table(b, Slot.ProcessUnit.count, [
    [Slot.ProcessUnit.options_type, ProcessUnitOptions.NormalizationOptions, 'int8'],
    [Slot.ProcessUnit.options, normOpts],
  ]);
  const inputMeta = table(b, T.count, [
    [T.name, b.createString('image')],
    [T.description, b.createString(`Input image to be classified: ${size}×${size}, ${channels === 1 ? 'greyscale' : 'RGB'}, pixels 0…255 normalised as (x − ${mean}) / ${std}.`)],
    [T.content, content(b, ContentProperties.ImageProperties, imageProps)],
    [T.process_units, offsets(b, [normUnit])],
    [T.stats, stats(b, (0 - mean) / std, (255 - mean) / std)],
  ]);

  // Output: one probability per label, labels in labels.txt (one per line, in output order).
  const featureProps = table(b, 0, []); // FeatureProperties has no fields
  const labelsFile = table(b, Slot.AssociatedFile.count, [
    [Slot.AssociatedFile.name, b.createString(LABELS_FILE)],
    [Slot.AssociatedFile.description, b.createString('Labels for the categories the model can recognise, one per line, in output order.')],
    [Slot.AssociatedFile.type, AssociatedFileType.TENSOR_AXIS_LABELS, 'int8'],
  ]);
  const outputMeta = table(b, T.count, [
    [T.name, b.createString('probability')],
    [T.description, b.createString(`Probabilities of the ${m.labels.length} labels respectively.`)],
    [T.content, content(b, ContentProperties.FeatureProperties, featureProps)],
    [T.stats, stats(b, 0, 1)],
    [T.associated_files, offsets(b, [labelsFile])],
  ]);

  const subgraph = table(b, Slot.SubGraphMetadata.count, [
    [Slot.SubGraphMetadata.input_tensor_metadata, offsets(b, [inputMeta])],
    [Slot.SubGraphMetadata.output_tensor_metadata, offsets(b, [outputMeta])],
  ]);
  const M = Slot.ModelMetadata;
  const root = table(b, M.count, [
    [M.name, b.createString(m.name)],
    [M.description, b.createString(m.description)],
    [M.version, b.createString(m.version)],
    [M.subgraph_metadata, offsets(b, [subgraph])],
    [M.author, b.createString(m.author)],
    [M.min_parser_version, b.createString(MIN_PARSER_VERSION)],
  ]);
  b.finish(root, METADATA_FILE_IDENTIFIER);
  return b.asUint8Array().slice();
}

// ---- Reading it back (the test's check, and for anyone inspecting a .tflite file) ----

export interface ParsedMetadata {
  name: string | null;
  description: string | null;
  version: string | null;
  author: string | null;
  minParserVersion: string | null;
  input: { name: string | null; colorSpace: number; width: number; height: number; mean: number[]; std: number[] };
  output: { name: string | null; files: { name: string | null; type: number }[] };
}

/** Position of a table field, or 0 when absent. */
function field(bb: flatbuffers.ByteBuffer, table: number, slot: number): number {
  const o = bb.__offset(table, 4 + 2 * slot);
  return o ? table + o : 0;
}
const str = (bb: flatbuffers.ByteBuffer, table: number, slot: number): string | null => {
  const at = field(bb, table, slot);
  return at ? (bb.__string(at) as string) : null;
};
const child = (bb: flatbuffers.ByteBuffer, table: number, slot: number): number => {
  const at = field(bb, table, slot);
  return at ? bb.__indirect(at) : 0;
};
function tables(bb: flatbuffers.ByteBuffer, table: number, slot: number): number[] {
  const at = field(bb, table, slot);
  if (!at) return [];
  const start = bb.__vector(at);
  return Array.from({ length: bb.__vector_len(at) }, (_, i) => bb.__indirect(start + 4 * i));
}
function floatsAt(bb: flatbuffers.ByteBuffer, table: number, slot: number): number[] {
  const at = field(bb, table, slot);
  if (!at) return [];
  const start = bb.__vector(at);
  return Array.from({ length: bb.__vector_len(at) }, (_, i) => bb.readFloat32(start + 4 * i));
}
const byteAt = (bb: flatbuffers.ByteBuffer, table: number, slot: number): number => {
  const at = field(bb, table, slot);
  return at ? bb.readInt8(at) : 0;
};
const uintAt = (bb: flatbuffers.ByteBuffer, table: number, slot: number): number => {
  const at = field(bb, table, slot);
  return at ? bb.readUint32(at) : 0;
};

/** A ModelMetadata flatbuffer read field by field (throws on a missing "M001" identifier). */
export function parseModelMetadata(bytes: Uint8Array): ParsedMetadata {
  const bb = new flatbuffers.ByteBuffer(bytes);
  if (!bb.__has_identifier(METADATA_FILE_IDENTIFIER)) throw new Error(`not a TFLite metadata flatbuffer (no "${METADATA_FILE_IDENTIFIER}" identifier)`);
  const S = Slot;
  const root = bb.readInt32(bb.position()) + bb.position();
  const sub = tables(bb, root, S.ModelMetadata.subgraph_metadata)[0] ?? 0;
  const input = sub ? (tables(bb, sub, S.SubGraphMetadata.input_tensor_metadata)[0] ?? 0) : 0;
  const output = sub ? (tables(bb, sub, S.SubGraphMetadata.output_tensor_metadata)[0] ?? 0) : 0;
  const content = input ? child(bb, input, S.TensorMetadata.content) : 0;
  const image = content && byteAt(bb, content, S.Content.content_properties_type) === ContentProperties.ImageProperties ? child(bb, content, S.Content.content_properties) : 0;
  const imageSize = image ? child(bb, image, S.ImageProperties.default_size) : 0;
  const norm = (input ? tables(bb, input, S.TensorMetadata.process_units) : [])
    .filter((u) => byteAt(bb, u, S.ProcessUnit.options_type) === ProcessUnitOptions.NormalizationOptions)
    .map((u) => child(bb, u, S.ProcessUnit.options))[0];
  return {
    name: str(bb, root, S.ModelMetadata.name),
    description: str(bb, root, S.ModelMetadata.description),
    version: str(bb, root, S.ModelMetadata.version),
    author: str(bb, root, S.ModelMetadata.author),
    minParserVersion: str(bb, root, S.ModelMetadata.min_parser_version),
    input: {
      name: input ? str(bb, input, S.TensorMetadata.name) : null,
      colorSpace: image ? byteAt(bb, image, S.ImageProperties.color_space) : 0,
      width: imageSize ? uintAt(bb, imageSize, S.ImageSize.width) : 0,
      height: imageSize ? uintAt(bb, imageSize, S.ImageSize.height) : 0,
      mean: norm ? floatsAt(bb, norm, S.NormalizationOptions.mean) : [],
      std: norm ? floatsAt(bb, norm, S.NormalizationOptions.std) : [],
    },
    output: {
      name: output ? str(bb, output, S.TensorMetadata.name) : null,
      files: (output ? tables(bb, output, S.TensorMetadata.associated_files) : []).map((f) => ({ name: str(bb, f, S.AssociatedFile.name), type: byteAt(bb, f, S.AssociatedFile.type) })),
    },
  };
}

// ---- Associated files: a zip appended to the model ----

/**
 * `model` with `files` appended as a zip archive of stored (uncompressed) entries, the layout TFLite's metadata
 * populator writes and its extractors read: offsets count from the start of the whole file, so the .tflite stays
 * a valid flatbuffer at offset 0 and the result is also a valid zip.
 */
export function appendAssociatedFiles(model: Uint8Array, files: { name: string; data: Uint8Array }[]): Uint8Array {
  const parts: Uint8Array[] = [model];
  let at = model.length;
  const central: Buffer[] = [];
  for (const f of files) {
    const name = Buffer.from(f.name, 'utf8');
    const crc = zlib.crc32(f.data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(10, 4); // version needed: 1.0
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt32LE(0x00210000, 10); // 1980-01-01 00:00 (fixed, so exports are reproducible)
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(f.data.length, 18);
    local.writeUInt32LE(f.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(10, 6);
    entry.writeUInt16LE(0x0800, 8);
    entry.writeUInt16LE(0, 10);
    entry.writeUInt32LE(0x00210000, 12);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(f.data.length, 20);
    entry.writeUInt32LE(f.data.length, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(at, 42); // local header offset from the start of the file
    central.push(entry, name);
    parts.push(local, name, f.data);
    at += local.length + name.length + f.data.length;
  }
  const dir = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(at, 16);
  parts.push(dir, end);
  return Buffer.concat(parts);
}

/** The stored files of a zip at the end of `bytes` (only what appendAssociatedFiles writes: stored, no zip64). */
export function readAssociatedFiles(bytes: Uint8Array): Map<string, Uint8Array> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Map<string, Uint8Array>();
  const endAt = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (endAt < 0) return out;
  const count = buf.readUInt16LE(endAt + 10);
  let p = buf.readUInt32LE(endAt + 16);
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('damaged zip central directory');
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extra = buf.readUInt16LE(p + 30);
    const comment = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    const dataAt = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    out.set(name, buf.subarray(dataAt, dataAt + size));
    p += 46 + nameLen + extra + comment;
  }
  return out;
}

/** The data of a named metadata buffer in a .tflite file (Model.metadata → Model.buffers), or null. */
export function tfliteMetadataBuffer(tflite: Uint8Array, name: string): Uint8Array | null {
  const bb = new flatbuffers.ByteBuffer(tflite);
  const root = bb.readInt32(bb.position()) + bb.position();
  // tflite schema.fbs: Model { version, operator_codes, subgraphs, description, buffers, metadata_buffer, metadata }
  const buffers = tables(bb, root, 4);
  for (const m of tables(bb, root, 6)) {
    if (str(bb, m, 0) !== name) continue;
    const at = field(bb, m, 1);
    const buffer = buffers[at ? bb.readUint32(at) : 0];
    const dataAt = buffer !== undefined ? field(bb, buffer, 0) : 0;
    if (!dataAt) return null;
    const start = bb.__vector(dataAt);
    return tflite.subarray(start, start + bb.__vector_len(dataAt));
  }
  return null;
}
