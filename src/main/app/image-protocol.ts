import { protocol } from 'electron';
import { imageErrorReply } from '../datasets/image-error';
import type { LabService } from '../service/lab-service';

export const IMAGE_SCHEME = 'lab';

/** Must run before app ready. */
export function registerImageScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: IMAGE_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

/**
 * lab://image/<datasetId>/<index>?variant=thumb|full. Images are addressed by their index in a dataset the user
 * imported, never by path, so nothing outside the chosen dataset roots can be read.
 */
export function handleImageProtocol(service: LabService): void {
  protocol.handle(IMAGE_SCHEME, async (request) => {
    const url = new URL(request.url);
    const m = /^\/([^/]+)\/(\d+)$/.exec(url.pathname);
    if (url.host !== 'image' || !m) return new Response('Not found', { status: 404 });
    let datasetId: string;
    try {
      datasetId = decodeURIComponent(m[1] as string);
    } catch {
      return new Response('Bad request: the dataset id in this image address is not valid percent-encoding.', { status: 400 });
    }
    try {
      const variant = url.searchParams.get('variant') === 'full' ? 'full' : 'thumb';
      // resolveImage re-checks that the file is still the one imported (see datasets/sample-image.ts).
      const img = await service.resolveImage(datasetId, Number(m[2]), variant);
      return new Response(new Uint8Array(img.data), { headers: { 'Content-Type': img.contentType, 'X-Content-Type-Options': 'nosniff' } });
    } catch (err) {
      const reply = imageErrorReply(err, request.headers.get('accept-language'));
      return new Response(reply.body, { status: reply.status, headers: { 'Content-Type': 'text/plain; charset=utf-8', ...reply.headers } });
    }
  });
}
