/** Canvases drawn in Lab's theme: sized for the screen's pixel ratio, redrawn when the theme changes. */

/**
 * Call `redraw` whenever Lab's theme changes: at once, and again once the new theme's stylesheet
 * (its --jp-* values) has surely loaded. Returns the observer to disconnect.
 */
export function onThemeChange(redraw: () => void): MutationObserver {
  const observer = new MutationObserver(() => {
    redraw();
    window.setTimeout(redraw, 400);
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ['data-jp-theme-name', 'data-jp-theme-light'] });
  return observer;
}

/**
 * Size a canvas to width x height CSS pixels at the screen's pixel ratio and clear it; its context
 * draws in CSS pixels. null when the browser gives no 2D context.
 */
export function fitCanvas(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D | null {
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d');
  ctx?.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx?.clearRect(0, 0, width, height);
  return ctx;
}
