/**
 * The prediction API's OpenAPI 3.0 document, served at /openapi.json. Every object lists each field the server
 * sends and allows no others (additionalProperties: false), so a test can validate real responses against it.
 */
import type { Preprocessing } from '../../shared/dto';

export function openApiDocument(args: { name: string; labels: string[]; preprocessing: Preprocessing; maxImageBytes: number; maxBatchImages: number; tokenRequired: boolean }): Record<string, unknown> {
  const error = { $ref: '#/components/schemas/Error' };
  const errors = {
    '400': { description: 'Not an image, an empty or malformed body, or a bad `top`', content: { 'application/json': { schema: error } } },
    ...(args.tokenRequired ? { '401': { description: 'Missing or wrong token', content: { 'application/json': { schema: error } } } } : {}),
    '413': { description: `Image larger than ${args.maxImageBytes} bytes, or too many images`, content: { 'application/json': { schema: error } } },
    '415': { description: 'Unsupported content type', content: { 'application/json': { schema: error } } },
    default: { description: 'Wrong method (405) or an internal error (500)', content: { 'application/json': { schema: error } } },
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
      '/v1/health': {
        get: {
          summary: 'Liveness',
          responses: {
            '200': { description: 'Serving', content: { 'application/json': { schema: { type: 'object', required: ['status'], additionalProperties: false, properties: { status: { type: 'string', enum: ['ok'] } } } } } },
            ...(args.tokenRequired ? { '401': errors['401'] } : {}),
          },
        },
      },
      '/v1/model': {
        get: {
          summary: 'The model: name, labels, input',
          responses: { '200': { description: 'Model information', content: { 'application/json': { schema: { $ref: '#/components/schemas/ModelInfo' } } } }, ...(args.tokenRequired ? { '401': errors['401'] } : {}) },
        },
      },
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
        Label: {
          type: 'object',
          required: ['label', 'confidence'],
          additionalProperties: false,
          properties: { label: { type: 'string', enum: args.labels }, confidence: { type: 'number', minimum: 0, maximum: 1, description: 'Probability from the model (softmax), 0…1' } },
        },
        Prediction: {
          type: 'object',
          required: ['predictions', 'model', 'ms'],
          additionalProperties: false,
          properties: {
            predictions: { type: 'array', items: { $ref: '#/components/schemas/Label' }, description: 'Most likely first; every label unless `top` is given' },
            model: { type: 'string', description: 'The served model\'s name' },
            ms: { type: 'number', minimum: 0, description: 'Milliseconds from the request\'s start to the answer' },
          },
        },
        BatchResult: {
          type: 'object',
          required: ['file'],
          additionalProperties: false,
          description: 'One file: its predictions, or the error that file got (the others are still classified)',
          properties: { file: { type: 'string', description: 'The multipart file name (or field name)' }, predictions: { type: 'array', items: { $ref: '#/components/schemas/Label' } }, error: { $ref: '#/components/schemas/ErrorDetail' } },
        },
        BatchPrediction: {
          type: 'object',
          required: ['results', 'model', 'ms'],
          additionalProperties: false,
          properties: { results: { type: 'array', items: { $ref: '#/components/schemas/BatchResult' }, description: 'In the order the files were sent' }, model: { type: 'string' }, ms: { type: 'number', minimum: 0 } },
        },
        ModelInfo: {
          type: 'object',
          required: ['name', 'labels', 'input', 'normalization', 'maxImageBytes', 'maxBatchImages'],
          additionalProperties: false,
          properties: {
            name: { type: 'string' },
            labels: { type: 'array', items: { type: 'string' }, description: 'Class names in the model\'s output order' },
            input: {
              type: 'object',
              required: ['size', 'channels', 'fit'],
              additionalProperties: false,
              properties: { size: { type: 'integer', description: 'Images are resized to size×size' }, channels: { type: 'integer', enum: [1, 3] }, fit: { type: 'string', enum: ['squash', 'crop', 'letterbox'] } },
            },
            normalization: { type: 'string', enum: ['unit', 'symmetric'], description: 'unit: pixel / 255; symmetric: pixel / 127.5 − 1' },
            maxImageBytes: { type: 'integer', description: 'Largest image accepted, in bytes' },
            maxBatchImages: { type: 'integer', description: 'Most files one /v1/predict/batch request may carry' },
          },
        },
        Message: {
          type: 'object',
          required: ['code'],
          additionalProperties: false,
          description: 'The error as a message code with parameters, for a client that shows it in its own language (the lab has English and Simplified Chinese texts for every code)',
          properties: { code: { type: 'string' }, params: { type: 'object', additionalProperties: { $ref: '#/components/schemas/MessageParam' } } },
        },
        MessageParam: {
          oneOf: [
            { type: 'string' },
            { type: 'number' },
            { $ref: '#/components/schemas/Message' },
            { type: 'array', items: { oneOf: [{ type: 'string' }, { type: 'number' }, { $ref: '#/components/schemas/Message' }] } },
          ],
        },
        ErrorDetail: {
          type: 'object',
          required: ['code', 'message'],
          additionalProperties: false,
          properties: {
            code: { type: 'string', description: 'e.g. NOT_AN_IMAGE, TOO_LARGE, UNSUPPORTED_TYPE, EMPTY, BAD_MULTIPART, BAD_ARGUMENT, UNAUTHORIZED, METHOD_NOT_ALLOWED, NOT_FOUND, INTERNAL' },
            message: { type: 'string', description: 'What went wrong and what to do, in English' },
            msg: { $ref: '#/components/schemas/Message' },
          },
        },
        Error: { type: 'object', required: ['error'], additionalProperties: false, properties: { error: { $ref: '#/components/schemas/ErrorDetail' } } },
      },
    },
  };
}
