export interface FileInputElements {
  readonly zone: HTMLElement;
  readonly button: HTMLButtonElement;
  readonly input: HTMLInputElement;
}

/**
 * Files arrive two ways: dropped from the OS onto the zone, or picked with Open…. Drops anywhere
 * else on the page are swallowed so that a near miss does not navigate away to the file.
 */
export function wireFileInput(elements: FileInputElements, onFile: (file: File) => void): void {
  const { zone, button, input } = elements;
  const hasFiles = (event: DragEvent): boolean => event.dataTransfer?.types.includes('Files') ?? false;

  window.addEventListener('dragover', (event) => event.preventDefault());
  window.addEventListener('drop', (event) => event.preventDefault());

  zone.addEventListener('dragenter', (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragover', (event) => {
    if (!hasFiles(event)) return;
    // Accepting the drag here is what makes the zone a drop target at all.
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragleave', (event) => {
    if (event.relatedTarget instanceof Node && zone.contains(event.relatedTarget)) return;
    zone.classList.remove('dragging');
  });
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('dragging');
    const file = event.dataTransfer?.files[0];
    if (file) onFile(file);
  });

  button.addEventListener('click', () => input.click());
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    // Cleared so that picking the same file again still fires 'change'.
    input.value = '';
    if (file) onFile(file);
  });
}
