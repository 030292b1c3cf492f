/** A small floating panel under a button (column picker, views, column menu); closes on Escape or a click outside. */

let current: { node: HTMLElement; close: () => void } | null = null;

export function closePopup(): void {
  current?.close();
}

/** Show content under anchor; the popup is put in document.body so no scroller clips it. */
export function openPopup(anchor: HTMLElement, content: HTMLElement, className = ''): HTMLElement {
  closePopup();
  const node = document.createElement('div');
  node.className = `nbtrack-popup ${className}`.trim();
  node.setAttribute('role', 'dialog');
  node.append(content);
  const box = anchor.getBoundingClientRect();
  node.style.top = `${Math.round(box.bottom + 2)}px`;
  node.style.left = `${Math.round(Math.max(4, Math.min(box.left, window.innerWidth - 340)))}px`;
  document.body.append(node);
  const outside = (event: MouseEvent): void => {
    if (!node.contains(event.target as Node) && !anchor.contains(event.target as Node)) {
      close();
    }
  };
  const escape = (event: KeyboardEvent): void => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      close();
      anchor.focus();
    }
  };
  const close = (): void => {
    document.removeEventListener('mousedown', outside, true);
    node.removeEventListener('keydown', escape);
    node.remove();
    if (current?.node === node) {
      current = null;
    }
  };
  document.addEventListener('mousedown', outside, true);
  node.addEventListener('keydown', escape);
  current = { node, close };
  return node;
}
