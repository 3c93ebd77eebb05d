/**
 * Colours for the canvases and plots, read from the stylesheet's custom properties so that they
 * follow the light or dark theme the OS asks for (prefers-color-scheme, in style.css). Views that
 * paint with them subscribe to onThemeChange and repaint.
 */
export interface ThemeColors {
  readonly text: string;
  readonly muted: string;
  readonly grid: string;
  readonly border: string;
  readonly card: string;
  readonly accent: string;
  readonly waveform: string;
  readonly playhead: string;
}

const DARK_QUERY = '(prefers-color-scheme: dark)';

export function themeColors(): ThemeColors {
  const style = getComputedStyle(document.documentElement);
  const read = (name: string, fallback: string): string => style.getPropertyValue(name).trim() || fallback;
  return {
    text: read('--text', '#1b2330'),
    muted: read('--muted', '#5b6675'),
    grid: read('--grid', '#e6e9ee'),
    border: read('--border', '#d5dbe3'),
    card: read('--card', '#ffffff'),
    accent: read('--accent', '#1f5fa8'),
    waveform: read('--waveform', '#1f5fa8'),
    playhead: read('--playhead', '#d1342f'),
  };
}

export function onThemeChange(listener: () => void): () => void {
  const query = window.matchMedia(DARK_QUERY);
  query.addEventListener('change', listener);
  return () => query.removeEventListener('change', listener);
}
