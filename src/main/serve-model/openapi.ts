/** The prediction API's OpenAPI 3.0 document, served at /openapi.json. */
import type { Preprocessing } from '../../shared/dto';

export function openApiDocument(args: { name: string; labels: string[]; preprocessing: Preprocessing; maxImageBytes: number; maxBatchImages: number; tokenRequired: boolean }): Record<string, unknown> {
  const error = { $ref: '#/components/schemas/Error' };
  const errors = {
    '400': { description: 'Not an image, or an empty or malformed body', content: { 'application/json': { schema: error } } },
    ...(args.tokenRequired ? { '401': { description: 'Missing or wrong token', content: { 'application/json': { schema: error } } } } : {}),
    '413': { description: `Image larger than ${args.maxImageBytes} bytes, or too many images`, content: { 'application/json': { schema: error } } },
    '415': { description: 'Unsupported content type', content: { 'application/json': { schema: error } } },
  };
  const imageBody = {
    required: true,
    content: {
      'image/*': { schema: { type: 'string', format: 'binary' } },
      'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
      'multipart/form-data': { schema: { type: 'object', properties: { image: { type: 'string', format: 'binary' } } } },
    },
  };
  return {
    openapi: '3.0.3',
    info: {
      title: `${args.name} — image classification`,
      version: '1',
      description: `Classifies images into: ${args.labels.join(', ')}. Images are decoded, resized to ${args.preprocessing.input.size}×${args.preprocessing.input.size} (${args.preprocessing.input.fit}) and normalised exactly as in training.`,
    },
    ...(args.tokenRequired ? { security: [{ bearer: [] }] } : {}),
    paths: {
      '/v1/health': { get: { summary: 'Liveness', responses: { '200': { description: 'Serving', content: { 'application/json': { schema: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } } } } } } } } },
      '/v1/model': { get: { summary: 'The model: name, labels, input', responses: { '200': { description: 'Model information', content: { 'application/json': { schema: { $ref: '#/components/schemas/ModelInfo' } } } } } } },
      '/v1/predict': {
        post: {
          summary: 'Classify one image (raw bytes, or multipart with one file)',
          parameters: [{ name: 'top', in: 'query', required: false, schema: { type: 'integer', minimum: 1 }, description: 'Return only the K most likely labels' }],
          requestBody: imageBody,
          responses: { '200': { description: 'Labels, most likely first', content: { 'application/json': { schema: { $ref: '#/components/schemas/Prediction' } } } }, ...errors },
        },
      },
      '/v1/predict/batch': {
        post: {
          summary: `Classify up to ${args.maxBatchImages} images sent as multipart/form-data files`,
          parameters: [{ name: 'top', in: 'query', required: false, schema: { type: 'integer', minimum: 1 } }],
          requestBody: { required: true, content: { 'multipart/form-data': { schema: { type: 'object', properties: { images: { type: 'array', items: { type: 'string', format: 'binary' } } } } } } },
          responses: { '200': { description: 'One result per file, in order', content: { 'application/json': { schema: { $ref: '#/components/schemas/BatchPrediction' } } } }, ...errors },
        },
      },
    },
    components: {
      ...(args.tokenRequired ? { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } } : {}),
      schemas: {
        Label: { type: 'object', required: ['label', 'confidence'], properties: { label: { type: 'string', enum: args.labels }, confidence: { type: 'number', minimum: 0, maximum: 1 } } },
        Prediction: { type: 'object', required: ['predictions', 'model', 'ms'], properties: { predictions: { type: 'array', items: { $ref: '#/components/schemas/Label' } }, model: { type: 'string' }, ms: { type: 'number' } } },
        BatchPrediction: {
          type: 'object',
          required: ['results', 'model', 'ms'],
          properties: {
            results: { type: 'array', items: { type: 'object', properties: { file: { type: 'string' }, predictions: { type: 'array', items: { $ref: '#/components/schemas/Label' } }, error: error } } },
            model: { type: 'string' },
            ms: { type: 'number' },
          },
        },
        ModelInfo: { type: 'object', properties: { name: { type: 'string' }, labels: { type: 'array', items: { type: 'string' } }, input: { type: 'object' }, normalization: { type: 'string' } } },
        Error: { type: 'object', required: ['error'], properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } } },
      },
    },
  };
}
