import { app, session, shell, type WebContents } from 'electron';
import { isPermissionAllowed, isVettedExternalUrl } from './security-policy';

/**
 * Navigation, redirects, frames, new windows, permissions and external links are denied unless expected
 * (Electron security checklist). The decisions live in security-policy.ts; this file only wires them.
 */
export function hardenApp(isTrustedUrl: (url: string) => boolean, isAppOrigin: (origin: string) => boolean): void {
  const guardNavigation = (contents: WebContents): void => {
    const deny = (event: { preventDefault(): void }, url: string): void => {
      if (!isTrustedUrl(url)) event.preventDefault();
    };
    contents.on('will-navigate', (event, url) => deny(event, url));
    contents.on('will-redirect', (event, url) => deny(event, url));
    // Sub-frames are never part of the app (the page sets frame-ancestors 'none' and embeds none).
    contents.on('will-frame-navigate', (event) => {
      if (!event.isMainFrame || !isTrustedUrl(event.url)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      // Vetted documentation links open in the user's browser; nothing opens inside the app.
      if (isVettedExternalUrl(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  };
  app.on('web-contents-created', (_e, contents) => guardNavigation(contents));
  app.whenReady().then(() => {
    const ses = session.defaultSession;
    ses.setPermissionRequestHandler((_wc, permission, callback, details) =>
      callback(isPermissionAllowed(permission, details.requestingUrl, isAppOrigin, undefined, 'mediaTypes' in details ? (details.mediaTypes ?? []) : [])),
    );
    ses.setPermissionCheckHandler((_wc, permission, requestingOrigin, details) =>
      isPermissionAllowed(permission, requestingOrigin, isAppOrigin, undefined, 'mediaType' in details && details.mediaType ? [details.mediaType] : []),
    );
    ses.setDevicePermissionHandler(() => false);
  });
}
