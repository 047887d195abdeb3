// Colours from VS Code's theme variables, so the plots follow light, dark and high-contrast themes; re-read when
// VS Code switches theme (it changes the body's class).

export interface DashboardColors {
  foreground: string;
  muted: string;
  grid: string;
  background: string;
  measured: string;
  sent: string;
  fan: string;
  clamp: string;
  starved: string;
  boundary: string;
  warn: string;
  error: string;
  stages: string[];
  /** Font family for canvas text (canvas fonts cannot use var()). */
  font: string;
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  const v = style.getPropertyValue(name).trim();
  return v || fallback;
}

export function readColors(): DashboardColors {
  const s = getComputedStyle(document.body);
  const foreground = cssVar(s, '--vscode-foreground', '#cccccc');
  const blue = cssVar(s, '--vscode-charts-blue', '#3794ff');
  const orange = cssVar(s, '--vscode-charts-orange', '#d18616');
  const purple = cssVar(s, '--vscode-charts-purple', '#b180d7');
  const red = cssVar(s, '--vscode-charts-red', '#f14c4c');
  const yellow = cssVar(s, '--vscode-charts-yellow', '#cca700');
  const green = cssVar(s, '--vscode-charts-green', '#89d185');
  return {
    foreground,
    muted: cssVar(s, '--vscode-descriptionForeground', '#9d9d9d'),
    grid: cssVar(s, '--vscode-charts-lines', 'rgba(128,128,128,0.35)'),
    background: cssVar(s, '--vscode-editor-background', '#1e1e1e'),
    measured: blue,
    sent: orange,
    fan: purple,
    clamp: red,
    starved: yellow,
    boundary: green,
    warn: cssVar(s, '--vscode-editorWarning-foreground', yellow),
    error: cssVar(s, '--vscode-errorForeground', red),
    stages: [blue, green, purple, orange, yellow, red, foreground],
    font: cssVar(s, '--vscode-font-family', 'sans-serif'),
  };
}

/** Calls `onChange` whenever VS Code switches between light, dark and high-contrast themes. */
export function watchTheme(onChange: () => void): void {
  new MutationObserver(onChange).observe(document.body, {
    attributes: true,
    attributeFilter: ['class', 'data-vscode-theme-kind'],
  });
}
