/** Saving text the app built (a report, a CSV) as a file the browser downloads. */

/** A file name from free text (a run name may hold slashes or colons): unsafe characters become "_". */
export function safeFileName(name: string, ext: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what must not reach a file name
  const base = name.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, '_').trim() || 'download';
  return `${base}.${ext}`;
}

/** Blob + a temporary <a download>: works in a browser tab and in Electron without a save dialog API. */
export function downloadText(fileName: string, text: string, mime: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Revoke later: some browsers start reading the blob only after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
