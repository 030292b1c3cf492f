/** Following Lab's theme: redraw canvases when it changes. */

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
