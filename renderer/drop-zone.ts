export interface FileInputElements {
  /** Highlighted while files are dragged over it. */
  readonly zone: HTMLElement;
  readonly input: HTMLInputElement;
}

/**
 * Files arrive two ways: dropped from the OS (anywhere on the window: onto the home page's zone,
 * or onto a workspace to open another file), or picked with Open… (the hidden file input).
 * Drops of files are always taken, so a near miss never navigates away to the file.
 */
export function wireFileInput(elements: FileInputElements, onFile: (file: File) => void): { openDialog(): void } {
  const { zone, input } = elements;
  const hasFiles = (event: DragEvent): boolean => event.dataTransfer?.types.includes('Files') ?? false;
  let depth = 0;

  window.addEventListener('dragenter', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth++;
    zone.classList.add('dragging');
    document.body.classList.add('dragging-files');
  });
  window.addEventListener('dragover', (event) => {
    if (!hasFiles(event)) return;
    // Accepting the drag here is what makes the window a drop target at all.
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
  });
  const reset = (): void => {
    depth = 0;
    zone.classList.remove('dragging');
    document.body.classList.remove('dragging-files');
  };
  window.addEventListener('dragleave', (event) => {
    if (!hasFiles(event)) return;
    depth = Math.max(0, depth - 1);
    if (depth === 0) reset();
  });
  window.addEventListener('drop', (event) => {
    if (!hasFiles(event)) return;
    reset();
    // A view that takes dropped files itself (a source lane's guide clip) has handled it already.
    if (event.defaultPrevented) return;
    event.preventDefault();
    const file = event.dataTransfer?.files[0];
    if (file) onFile(file);
  });

  input.addEventListener('change', () => {
    const file = input.files?.[0];
    // Cleared so that picking the same file again still fires 'change'.
    input.value = '';
    if (file) onFile(file);
  });
  return { openDialog: () => input.click() };
}
