/**
 * The reply of an image address (`/api/image/…` of `lab serve`, Electron's `lab://image/…`) that cannot be served:
 * the sentence in the language the request asks for (Accept-Language), and the message itself in `X-Lab-Message`
 * (URI-encoded JSON) so a client can show it in its own language.
 */
import { toLabErrorData } from '../../shared/errors';
import { localize, resolveLocale } from '../../shared/messages';

export interface ImageErrorReply {
  status: number;
  body: string;
  headers: Record<string, string>;
}

export function imageErrorReply(err: unknown, acceptLanguage: string | null | undefined): ImageErrorReply {
  const data = toLabErrorData(err);
  const locale = resolveLocale(acceptLanguage);
  return {
    status: data.code === 'BAD_ARGUMENT' ? 400 : 404,
    body: localize(data.message, data.msg, locale),
    headers: { 'Content-Language': locale, ...(data.msg ? { 'X-Lab-Message': encodeURIComponent(JSON.stringify(data.msg)) } : {}) },
  };
}
