import { onScopeDispose, ref, type Ref } from 'vue';
import { getBridge } from '../api/bridge';

/**
 * Folder drops on the whole window. In Electron the preload turns the dropped File into its path;
 * a browser tab never learns paths, so there the drop only reports that it happened.
 */
export function useFolderDrop(onDrop: (result: { paths: string[] } | { unsupported: true }) => void): { dragging: Ref<boolean> } {
  const dragging = ref(false);
  let depth = 0;
  const hasFiles = (e: DragEvent): boolean => Array.from(e.dataTransfer?.types ?? []).includes('Files');

  const onEnter = (e: DragEvent): void => {
    if (!hasFiles(e)) return;
    depth += 1;
    dragging.value = true;
  };
  const onLeave = (): void => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) dragging.value = false;
  };
  const onOver = (e: DragEvent): void => {
    if (hasFiles(e)) e.preventDefault(); // allow dropping (otherwise the browser opens the file)
  };
  const onDropEvent = (e: DragEvent): void => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth = 0;
    dragging.value = false;
    const bridge = getBridge();
    const files = Array.from(e.dataTransfer?.files ?? []);
    if (!bridge.pathForFile) {
      onDrop({ unsupported: true });
      return;
    }
    const paths = files.map((f) => bridge.pathForFile!(f)).filter((p) => p.length > 0);
    if (paths.length > 0) onDrop({ paths });
  };

  window.addEventListener('dragenter', onEnter);
  window.addEventListener('dragleave', onLeave);
  window.addEventListener('dragover', onOver);
  window.addEventListener('drop', onDropEvent);
  onScopeDispose(() => {
    window.removeEventListener('dragenter', onEnter);
    window.removeEventListener('dragleave', onLeave);
    window.removeEventListener('dragover', onOver);
    window.removeEventListener('drop', onDropEvent);
  });
  return { dragging };
}
