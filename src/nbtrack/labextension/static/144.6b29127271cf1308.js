"use strict";(self.rspackChunknbtrack_labextension=self.rspackChunknbtrack_labextension||[]).push([[144],{350(r,o,t){var a=t(601),e=t.n(a),n=t(314),i=(t.n(n))()(e());i.push([r.id,`/* The charts, sweep analysis and models panels: every colour from --jp-* variables (light and dark). */

.nbtrack-charts,
.nbtrack-analysis,
.nbtrack-models {
  overflow: auto;
  padding: 8px 16px;
  background: var(--jp-layout-color1);
  color: var(--jp-ui-font-color1);
  font-size: var(--jp-ui-font-size1);
}

.nbtrack-charts-head {
  display: flex;
  align-items: baseline;
  gap: 12px;
}

.nbtrack-charts-head h2 {
  margin: 4px 0;
  font-size: var(--jp-ui-font-size3);
}

.nbtrack-charts-summary,
.nbtrack-analysis-summary,
.nbtrack-charts-hint,
.nbtrack-muted,
.nbtrack-analysis-method {
  color: var(--jp-ui-font-color2);
}

.nbtrack-charts-live {
  color: var(--jp-success-color1);
  font-weight: 600;
}

.nbtrack-charts-controls {
  display: flex;
  flex-wrap: wrap;
  align-items: center;
  gap: 6px 16px;
  padding: 6px 0;
  border-bottom: var(--jp-border-width) solid var(--jp-border-color2);
}

.nbtrack-charts-controls label {
  display: inline-flex;
  align-items: center;
  gap: 4px;
}

.nbtrack-charts select,
.nbtrack-charts input[type='number'],
.nbtrack-analysis select,
.nbtrack-models input {
  background: var(--jp-input-background);
  color: var(--jp-ui-font-color1);
  border: var(--jp-border-width) solid var(--jp-input-border-color);
  font-size: var(--jp-ui-font-size1);
  padding: 2px 4px;
}

.nbtrack-charts-points {
  width: 70px;
}

.nbtrack-charts-smoothing-value {
  min-width: 2.5em;
  font-variant-numeric: tabular-nums;
}

.nbtrack-charts-error:empty,
.nbtrack-analysis-error:empty,
.nbtrack-models-error:empty {
  display: none;
}

.nbtrack-charts-error,
.nbtrack-analysis-error,
.nbtrack-models-error {
  margin: 6px 0;
  padding: 4px 8px;
  color: var(--jp-error-color1);
  border-left: 3px solid var(--jp-error-color1);
  background: var(--jp-layout-color2);
}

.nbtrack-legend {
  display: flex;
  flex-wrap: wrap;
  gap: 2px 12px;
  padding: 6px 0;
  max-height: 120px;
  overflow: auto;
}

.nbtrack-legend-item {
  display: inline-flex;
  align-items: center;
  gap: 4px;
  border: none;
  background: none;
  color: var(--jp-ui-font-color1);
  font-size: var(--jp-ui-font-size1);
  cursor: pointer;
  padding: 1px 2px;
}

.nbtrack-legend-off {
  opacity: 0.35;
  text-decoration: line-through;
}

.nbtrack-swatch {
  display: inline-block;
  width: 14px;
  height: 4px;
  border-radius: 2px;
}

.nbtrack-short-id {
  color: var(--jp-ui-font-color2);
  font-family: var(--jp-code-font-family);
  font-size: var(--jp-code-font-size);
}

.nbtrack-charts-grid {
  display: grid;
  grid-template-columns: repeat(auto-fit, minmax(420px, 1fr));
  gap: 12px;
}

.nbtrack-chart-card {
  border: var(--jp-border-width) solid var(--jp-border-color2);
  border-radius: 3px;
  padding: 4px 6px;
  background: var(--jp-layout-color0);
  min-width: 0;
}

.nbtrack-chart-card header {
  display: flex;
  justify-content: space-between;
  align-items: center;
}

.nbtrack-chart-card h3 {
  margin: 2px 0;
  font-size: var(--jp-ui-font-size1);
  font-weight: 600;
}

.nbtrack-chart-close {
  border: none;
  background: none;
  color: var(--jp-ui-font-color2);
  cursor: pointer;
  font-size: 14px;
}

.nbtrack-plot,
.nbtrack-parcoords {
  position: relative;
  width: 100%;
  user-select: none;
}

.nbtrack-plot canvas {
  cursor: crosshair;
  display: block;
}

.nbtrack-plot-box {
  display: none;
  position: absolute;
  pointer-events: none;
  background: var(--jp-brand-color3);
  border: 1px solid var(--jp-brand-color1);
  opacity: 0.35;
}

.nbtrack-plot-tip {
  display: none;
  position: absolute;
  pointer-events: none;
  white-space: nowrap;
  padding: 2px 6px;
  background: var(--jp-layout-color2);
  color: var(--jp-ui-font-color0);
  border: var(--jp-border-width) solid var(--jp-border-color1);
  box-shadow: var(--jp-elevation-z2);
  font-size: var(--jp-ui-font-size0);
}

.nbtrack-analysis-filter {
  display: flex;
  flex-wrap: wrap;
  align-items: center;
  gap: 6px;
  padding: 4px 0;
}

.nbtrack-analysis-where {
  font-family: var(--jp-code-font-family);
  background: var(--jp-layout-color2);
  padding: 1px 4px;
}

.nbtrack-importance-table td {
  vertical-align: middle;
}

.nbtrack-importance-cell {
  min-width: 200px;
}

.nbtrack-bar-track {
  display: inline-block;
  width: 140px;
  height: 10px;
  margin-right: 6px;
  background: var(--jp-layout-color2);
  vertical-align: middle;
}

.nbtrack-importance-bar,
.nbtrack-correlation-bar {
  display: block;
  height: 100%;
  background: var(--jp-brand-color1);
}

.nbtrack-correlation-bar.nbtrack-negative {
  background: var(--jp-warn-color1);
}

.nbtrack-scatter {
  display: block;
  margin-top: 6px;
}

.nbtrack-models-body {
  display: grid;
  grid-template-columns: minmax(160px, 220px) 1fr;
  gap: 16px;
}

.nbtrack-model-list {
  display: flex;
  flex-direction: column;
  gap: 2px;
}

.nbtrack-model-item {
  display: flex;
  flex-direction: column;
  align-items: flex-start;
  text-align: left;
  border: var(--jp-border-width) solid transparent;
  background: none;
  color: var(--jp-ui-font-color1);
  padding: 4px 6px;
  cursor: pointer;
}

.nbtrack-model-item.nbtrack-active {
  border-color: var(--jp-brand-color1);
  background: var(--jp-layout-color2);
}

.nbtrack-model-name {
  font-weight: 600;
}

.nbtrack-alias {
  display: inline-block;
  margin-left: 6px;
  padding: 0 6px;
  border-radius: 8px;
  border: 1px solid var(--jp-brand-color1);
  color: var(--jp-ui-font-color0);
  font-size: var(--jp-ui-font-size0);
  font-weight: normal;
}

.nbtrack-versions td {
  vertical-align: top;
}

.nbtrack-versions td:last-child button {
  display: block;
  width: 100%;
  margin-bottom: 4px;
  white-space: nowrap;
}

.nbtrack-versions .nbtrack-link {
  white-space: nowrap;
}

.nbtrack-link {
  border: none;
  background: none;
  padding: 0;
  color: var(--jp-content-link-color);
  cursor: pointer;
  font-size: inherit;
  text-decoration: underline;
}

.nbtrack-gate-pass {
  color: var(--jp-success-color1);
  font-weight: 600;
}

.nbtrack-gate-fail,
.nbtrack-alert-fired {
  color: var(--jp-error-color1);
  font-weight: 600;
}

.nbtrack-gate-rule {
  color: var(--jp-ui-font-color2);
}

.nbtrack-lineage-chain {
  display: flex;
  flex-wrap: wrap;
  align-items: stretch;
  gap: 6px;
}

.nbtrack-lineage-step {
  border: var(--jp-border-width) solid var(--jp-border-color1);
  border-radius: 4px;
  padding: 6px 8px;
  background: var(--jp-layout-color0);
  min-width: 140px;
  max-width: 280px;
}

.nbtrack-lineage-title {
  font-weight: 600;
  text-transform: uppercase;
  font-size: var(--jp-ui-font-size0);
  color: var(--jp-ui-font-color2);
  margin-bottom: 4px;
}

.nbtrack-lineage-arrow {
  align-self: center;
  color: var(--jp-ui-font-color2);
  font-size: 18px;
}

.nbtrack-importance-summary {
  margin: 4px 0 8px;
  font-weight: 600;
  color: var(--jp-ui-font-color1);
}

.nbtrack-importance-summary.nbtrack-unreliable {
  font-weight: normal;
  padding: 4px 8px;
  border-left: 3px solid var(--jp-warn-color1);
  background: var(--jp-layout-color2);
}

/* Compare's series section is the charts panel embedded: no heading, padding or scroll of its own. */
.nbtrack-compare .nbtrack-charts {
  overflow: visible;
  padding: 0;
  background: none;
}

.nbtrack-compare .nbtrack-charts-head h2 {
  display: none;
}
`,""]),t.d(o,{},{A:i})},563(r,o,t){var a=t(601),e=t.n(a),n=t(314),i=(t.n(n))()(e());i.push([r.id,`/* The run detail's artifacts: rows that open a preview below them (src/artifacts.ts). */

.nbtrack-artifacts {
  width: 100%;
}

.nbtrack-artifacts .nbtrack-number {
  text-align: right;
  white-space: nowrap;
}

.nbtrack-artifact-row {
  cursor: pointer;
}

.nbtrack-artifact-row > td {
  vertical-align: middle;
}

/* a tint of the brand colour: the Download button (layout-color2) stays visible on it */
.nbtrack-artifact-row:hover td,
.nbtrack-expanded td {
  background: color-mix(in srgb, var(--jp-brand-color1) 10%, transparent);
}

.nbtrack-artifact-name {
  word-break: break-all;
}

/* The toggle: a chevron drawn in CSS before the name (so the cell's text is the name alone). */
.nbtrack-artifact-toggle {
  all: unset;
  cursor: pointer;
  display: inline-block;
  width: 1.1em;
  margin-right: 2px;
  text-align: center;
  color: var(--jp-ui-font-color2);
}

.nbtrack-artifact-toggle::before {
  content: '▸';
}

.nbtrack-artifact-toggle[aria-expanded='true']::before {
  content: '▾';
}

.nbtrack-panel .nbtrack-artifact-toggle:focus-visible {
  outline: 2px solid var(--jp-brand-color1);
  outline-offset: 1px;
}

.nbtrack-artifact-preview > td {
  padding: 6px 8px 10px;
  background: var(--jp-layout-color1);
}

/* width 0, min-width 100%: a wide preview scrolls inside the row instead of widening the panel */
.nbtrack-preview {
  width: 0;
  min-width: 100%;
}

.nbtrack-preview-scroll {
  overflow: auto;
  max-height: 420px;
}

.nbtrack-preview-table td,
.nbtrack-preview-table th {
  white-space: nowrap;
  max-width: 28em;
  overflow: hidden;
  text-overflow: ellipsis;
}

.nbtrack-preview-table th {
  position: sticky;
  top: 0;
}

.nbtrack-preview-table .nbtrack-number {
  text-align: right;
  font-variant-numeric: tabular-nums;
}

.nbtrack-preview-text {
  margin: 0;
  padding: 6px 8px;
  max-height: 420px;
  overflow: auto;
  font-family: var(--jp-code-font-family);
  font-size: var(--jp-code-font-size);
  white-space: pre-wrap;
  overflow-wrap: anywhere;
  background: var(--jp-cell-editor-background);
  border: var(--jp-border-width) solid var(--jp-border-color2);
}

/* white under a transparent plot, as the figures are, so dark themes keep it readable */
.nbtrack-preview-image {
  display: block;
  max-width: 100%;
  max-height: 480px;
  background: white;
}

.nbtrack-preview-error {
  margin: 0;
}
`,""]),t.d(o,{},{A:i})},475(r,o,t){var a=t(601),e=t.n(a),n=t(314),i=(t.n(n))()(e());i.push([r.id,`/* nbtrack panels: every color and size from --jp-* variables, so light and dark themes both read. */

.nbtrack-sidebar {
  display: flex;
  flex-direction: column;
  background: var(--jp-layout-color1);
  color: var(--jp-ui-font-color1);
  font-size: var(--jp-ui-font-size1);
  min-width: 260px;
}

.nbtrack-sidebar-head {
  display: flex;
  flex-direction: column;
  gap: 4px;
  padding: 6px 8px;
  border-bottom: var(--jp-border-width) solid var(--jp-border-color2);
}

.nbtrack-title-line {
  display: flex;
  align-items: center;
  justify-content: space-between;
}

.nbtrack-title {
  font-weight: 600;
  text-transform: uppercase;
  letter-spacing: 0.05em;
  color: var(--jp-ui-font-color1);
}

.nbtrack-sidebar select,
.nbtrack-filter {
  background: var(--jp-input-background);
  color: var(--jp-ui-font-color1);
  border: var(--jp-border-width) solid var(--jp-input-border-color);
  font-size: var(--jp-ui-font-size1);
  padding: 2px 4px;
}

.nbtrack-filter {
  font-family: var(--jp-code-font-family);
}

.nbtrack-filter.nbtrack-invalid {
  border-color: var(--jp-error-color1);
}

.nbtrack-filter-error {
  color: var(--jp-error-color1);
  font-size: var(--jp-ui-font-size0);
  white-space: pre-wrap;
}

.nbtrack-filter-error:empty {
  display: none;
}

.nbtrack-toolbar {
  display: flex;
  flex-wrap: wrap;
  align-items: center;
  gap: 6px;
}

.nbtrack-toolbar select {
  max-width: 10em;
}

.nbtrack-count {
  flex: none;
  color: var(--jp-ui-font-color2);
  white-space: nowrap;
}

.nbtrack-toolbar label {
  flex: 1;
  display: flex;
  align-items: center;
  gap: 4px;
  min-width: 0;
}

.nbtrack-toolbar label select {
  flex: 1;
  min-width: 0;
  max-width: none;
}

.nbtrack-selection {
  flex: 1;
  min-width: 0;
  color: var(--jp-ui-font-color2);
  font-size: var(--jp-ui-font-size0);
}

.nbtrack-selection-hidden {
  color: var(--jp-warn-color0);
}

/* Disabled looks disabled in both themes: Lab's accept blue otherwise stays lit. */
.nbtrack-sidebar button.jp-mod-styled:disabled,
.nbtrack-progress button.jp-mod-styled:disabled,
.jp-Dialog button.jp-mod-styled:disabled {
  background: var(--jp-layout-color3);
  color: var(--jp-ui-font-color3);
  cursor: not-allowed;
}

.nbtrack-sidebar button.jp-mod-styled {
  padding: 2px 8px;
}

.nbtrack-open-table[hidden] {
  display: none;
}

.nbtrack-executions {
  display: flex;
  flex-direction: column;
  gap: 2px;
}

.nbtrack-executions-title {
  color: var(--jp-ui-font-color2);
  font-size: var(--jp-ui-font-size0);
  margin-top: 2px;
}

.nbtrack-execution-entry {
  display: flex;
  align-items: center;
  flex-wrap: wrap;
  gap: 0 6px;
  border: var(--jp-border-width) solid var(--jp-border-color2);
  background: var(--jp-layout-color1);
  color: var(--jp-ui-font-color1);
  font-size: var(--jp-ui-font-size1);
  padding: 2px 6px;
  text-align: left;
  cursor: pointer;
}

.nbtrack-execution-entry:hover {
  background: var(--jp-layout-color2);
}

.nbtrack-execution-notebook {
  flex: 1;
  min-width: 0;
  overflow: hidden;
  text-overflow: ellipsis;
  white-space: nowrap;
}

.nbtrack-execution-cell {
  /* a line of its own under the run's name: the name gets the entry's width */
  flex-basis: 100%;
  padding-left: calc(1.3em + 6px);
  overflow: hidden;
  text-overflow: ellipsis;
  color: var(--jp-ui-font-color2);
  font-size: var(--jp-ui-font-size0);
  white-space: nowrap;
}

.nbtrack-list {
  flex: 1;
  overflow-y: auto;
  position: relative;
}

.nbtrack-spacer {
  position: relative;
}

.nbtrack-row {
  position: absolute;
  left: 0;
  right: 0;
  box-sizing: border-box;
  display: flex;
  align-items: center;
  gap: 6px;
  padding: 2px 8px;
  border-bottom: var(--jp-border-width) solid var(--jp-border-color3);
  cursor: pointer;
  overflow: hidden;
}

.nbtrack-row:hover {
  background: var(--jp-layout-color2);
}

.nbtrack-row[aria-selected='true'] {
  background: color-mix(in srgb, var(--jp-brand-color1) 16%, transparent);
}

.nbtrack-list:focus {
  outline: none;
}

/* The keyboard's row: a ring while the list has focus, a bar at its edge otherwise. */
.nbtrack-row.nbtrack-active {
  box-shadow: inset 3px 0 0 var(--jp-brand-color1);
}

.nbtrack-list:focus .nbtrack-row.nbtrack-active {
  outline: var(--jp-border-width, 1px) solid var(--jp-focus-outline-color, var(--jp-brand-color1));
  outline-width: 2px;
  outline-offset: -2px;
}

.nbtrack-swatch {
  flex: none;
  width: 4px;
  align-self: stretch;
  margin: 3px 0;
  border-radius: 2px;
}

.nbtrack-short-id {
  font-family: var(--jp-code-font-family);
  font-size: var(--jp-ui-font-size0);
  color: var(--jp-ui-font-color2);
}

.nbtrack-row-main {
  flex: 1;
  min-width: 0;
}

.nbtrack-row-line {
  display: flex;
  align-items: baseline;
  gap: 6px;
  white-space: nowrap;
  overflow: hidden;
  text-overflow: ellipsis;
}

.nbtrack-row-title .nbtrack-swatch {
  width: 10px;
  height: 10px;
  align-self: center;
  margin: 0;
}

.nbtrack-run-name {
  flex: 1;
  overflow: hidden;
  text-overflow: ellipsis;
  font-weight: 500;
}

.nbtrack-age,
.nbtrack-row-metrics {
  color: var(--jp-ui-font-color2);
  font-size: var(--jp-ui-font-size0);
}

.nbtrack-metric-key {
  color: var(--jp-ui-font-color3);
}

.nbtrack-row .nbtrack-status,
.nbtrack-execution-entry .nbtrack-status {
  flex: none;
  width: 1.3em;
  text-align: center;
  padding: 0;
}

.nbtrack-status {
  font-size: var(--jp-ui-font-size0);
  padding: 0 4px;
  border-radius: 3px;
  color: var(--jp-ui-inverse-font-color1);
  background: var(--jp-layout-color4);
}

.nbtrack-status-finished {
  background: var(--jp-success-color1);
}

.nbtrack-status-running {
  background: var(--jp-brand-color1);
}

.nbtrack-status-failed,
.nbtrack-status-killed,
.nbtrack-status-timeout {
  background: var(--jp-error-color1);
}

.nbtrack-status-lost {
  background: var(--jp-warn-color1);
}

.nbtrack-panel {
  overflow: auto;
  padding: 12px 18px;
  background: var(--jp-layout-color0);
  color: var(--jp-content-font-color1);
  font-size: var(--jp-content-font-size1);
}

.nbtrack-panel h2 {
  margin: 0 0 6px;
  font-size: var(--jp-content-font-size4);
}

.nbtrack-section {
  margin: 14px 0;
}

.nbtrack-section h3 {
  margin: 0 0 6px;
  font-size: var(--jp-content-font-size3);
  border-bottom: var(--jp-border-width) solid var(--jp-border-color2);
}

.nbtrack-facts {
  display: flex;
  flex-wrap: wrap;
  gap: 12px;
  color: var(--jp-ui-font-color2);
  margin-bottom: 8px;
}

.nbtrack-table {
  border-collapse: collapse;
  font-size: var(--jp-ui-font-size1);
}

.nbtrack-table th,
.nbtrack-table td {
  border: var(--jp-border-width) solid var(--jp-border-color2);
  padding: 2px 8px;
  text-align: left;
  vertical-align: top;
}

.nbtrack-table th {
  background: var(--jp-layout-color2);
}

.nbtrack-differs td {
  /* a tint of the theme's warning color: dark text on light themes, light text on dark ones stays readable */
  background: color-mix(in srgb, var(--jp-warn-color1) 22%, transparent);
}

.nbtrack-best {
  font-weight: 700;
  color: var(--jp-success-color0);
}

.nbtrack-chart-row {
  display: flex;
  flex-wrap: wrap;
  gap: 16px;
  margin: 8px 0;
}

.nbtrack-figures {
  display: flex;
  flex-wrap: wrap;
  gap: 12px;
}

.nbtrack-figure {
  max-width: 360px;
  max-height: 280px;
  background: white;
}

.nbtrack-error {
  color: var(--jp-error-color1);
  margin: 6px 0;
}

.nbtrack-error:empty {
  display: none;
}

.nbtrack-tag {
  display: inline-flex;
  align-items: center;
  margin: 0 4px;
  padding: 0 6px;
  border-radius: 8px;
  background: var(--jp-layout-color2);
  border: var(--jp-border-width) solid var(--jp-border-color1);
}

.nbtrack-tag-remove {
  border: none;
  background: none;
  color: var(--jp-ui-font-color2);
  cursor: pointer;
}

.nbtrack-params-form {
  display: flex;
  flex-direction: column;
  gap: 6px;
  /* fixed: a long refusal or help text wraps instead of widening the dialog */
  width: min(560px, 80vw);
}

.nbtrack-params-form > * {
  min-width: 0;
}

.nbtrack-param {
  display: grid;
  grid-template-columns: 9em 4em 1fr;
  align-items: center;
  gap: 6px;
}

.nbtrack-param-name {
  font-family: var(--jp-code-font-family);
}

.nbtrack-param-kind,
.nbtrack-param-help {
  color: var(--jp-ui-font-color2);
  font-size: var(--jp-ui-font-size0);
}

.nbtrack-param-help {
  grid-column: 3;
  overflow-wrap: anywhere;
}

.nbtrack-param input {
  min-width: 0;
}

/* the refusal stays at the top of the body however far the form is scrolled */
.nbtrack-launch-error {
  position: sticky;
  top: 0;
  z-index: 1;
  padding: 4px 6px;
  border-left: 3px solid var(--jp-error-color1);
  background: var(--jp-layout-color1);
  color: var(--jp-error-color1);
  white-space: pre-wrap;
  overflow-wrap: anywhere;
}

.nbtrack-launch-error:empty {
  display: none;
}

.nbtrack-params-form input.nbtrack-invalid {
  border-color: var(--jp-error-color1);
  box-shadow: 0 0 0 1px var(--jp-error-color1);
}

.nbtrack-progress-actions {
  display: flex;
  gap: 8px;
  margin-top: 8px;
}

.nbtrack-progress-bar {
  width: 320px;
  display: block;
  margin: 8px 0;
}

.nbtrack-readonly-banner {
  padding: 4px 8px;
  /* a tint, not --jp-info-color3: that stays light in dark themes under their light text */
  background: color-mix(in srgb, var(--jp-info-color1) 20%, var(--jp-layout-color0));
  color: var(--jp-ui-font-color1);
  margin-bottom: 8px;
}

.nbtrack-note {
  color: var(--jp-ui-font-color2);
  font-size: var(--jp-ui-font-size0);
  margin: 4px 0;
}

.nbtrack-compare h4 {
  margin: 10px 0 4px;
  font-size: var(--jp-ui-font-size1);
}

.nbtrack-compare .nbtrack-table + .nbtrack-table {
  margin-top: 6px;
}

.nbtrack-shifted {
  font-weight: 700;
  background: color-mix(in srgb, var(--jp-warn-color1) 25%, transparent);
}

.nbtrack-package-added td:nth-child(3),
.nbtrack-cell-added td:nth-child(2) {
  color: var(--jp-success-color1);
}

.nbtrack-package-removed td:nth-child(3),
.nbtrack-cell-removed td:nth-child(2) {
  color: var(--jp-error-color1);
}

.nbtrack-package-changed td:nth-child(3),
.nbtrack-cell-changed td:nth-child(2) {
  color: var(--jp-warn-color1);
}

.nbtrack-cell-source {
  margin: 0;
  font-family: var(--jp-code-font-family);
  font-size: var(--jp-code-font-size);
  white-space: pre-wrap;
}

.nbtrack-cell-added .nbtrack-cell-source,
.nbtrack-line-added {
  background: color-mix(in srgb, var(--jp-success-color1) 18%, transparent);
}

.nbtrack-cell-removed .nbtrack-cell-source,
.nbtrack-line-removed {
  background: color-mix(in srgb, var(--jp-error-color1) 18%, transparent);
}

.nbtrack-line-hunk {
  color: var(--jp-ui-font-color2);
}

/* Runs told apart: a colour swatch, the name and the short id, the same in every header and chart. */
.nbtrack-swatch {
  display: inline-block;
  width: 10px;
  height: 10px;
  border-radius: 2px;
  margin-right: 4px;
  flex: none;
  vertical-align: baseline;
}

.nbtrack-run-head {
  display: inline-flex;
  align-items: baseline;
  flex-wrap: wrap;
  gap: 4px;
  overflow-wrap: anywhere;
}

.nbtrack-run-head-name {
  font-weight: 600;
}

.nbtrack-short-id {
  font-family: var(--jp-code-font-family);
  font-size: var(--jp-ui-font-size0);
  color: var(--jp-ui-font-color2);
}

.nbtrack-legend {
  display: flex;
  flex-wrap: wrap;
  gap: 4px 14px;
  margin: 4px 0;
}

.nbtrack-legend-item {
  display: inline-flex;
  align-items: baseline;
}

/* Compare: every per-run table has the same fixed columns, so a run's values line up down the page. */
.nbtrack-compare-table {
  table-layout: fixed;
}

.nbtrack-compare-table td,
.nbtrack-compare-table th {
  overflow-wrap: anywhere;
  overflow-x: auto;
}

.nbtrack-compare-table col.nbtrack-key-col {
  width: 12em;
}

.nbtrack-baseline-head {
  box-shadow: inset 0 -2px 0 var(--jp-brand-color1);
}

.nbtrack-baseline-mark {
  display: block;
  font-weight: normal;
  font-size: var(--jp-ui-font-size0);
  color: var(--jp-brand-color1);
}

.nbtrack-baseline-line {
  display: flex;
  flex-wrap: wrap;
  align-items: center;
  gap: 10px;
  margin: 6px 0;
}

.nbtrack-baseline {
  max-width: 28em;
}

.nbtrack-delta {
  font-weight: normal;
  color: var(--jp-ui-font-color2);
  font-size: var(--jp-ui-font-size0);
}

.nbtrack-compare .nbtrack-figure {
  max-width: 100%;
}

.nbtrack-same-data {
  margin: 4px 0;
  color: var(--jp-ui-font-color1);
}

/* Detail: key/value tables wrap long values instead of widening the panel. */
.nbtrack-facts-table {
  width: 100%;
  max-width: 70em;
  table-layout: fixed;
}

.nbtrack-facts-table th {
  width: 16em;
  font-weight: 500;
  overflow-wrap: anywhere;
}

.nbtrack-facts-table td {
  overflow-wrap: anywhere;
  white-space: normal;
}

.nbtrack-facts-table pre {
  max-height: 24em;
  overflow: auto;
}

.nbtrack-model h4 {
  margin: 10px 0 4px;
}

.nbtrack-packages-list {
  margin-top: 8px;
}

.nbtrack-packages-list summary {
  cursor: pointer;
}

.nbtrack-package-search {
  margin: 6px 0;
  width: 20em;
}

.nbtrack-panel [hidden] {
  display: none !important;
}

/* Keyboard: every control shows where focus is. */
.nbtrack-panel button:focus-visible,
.nbtrack-panel select:focus-visible,
.nbtrack-panel input:focus-visible,
.nbtrack-panel summary:focus-visible,
.nbtrack-panel a:focus-visible {
  outline: 2px solid var(--jp-brand-color1);
  outline-offset: 1px;
}

.nbtrack-baseline-line label {
  display: inline-flex;
  align-items: center;
  gap: 6px;
  font-weight: 600;
}

.nbtrack-panel button:disabled {
  opacity: 0.45;
  cursor: not-allowed;
}

/* Vega's tooltip (appended to the body) in Lab's colours: it was light grey in dark themes.
   :not(#…) outranks vega-tooltip's own #vg-tooltip-element and .dark-theme rules. */
#vg-tooltip-element:not(#nbtrack-none) {
  background-color: var(--jp-layout-color1);
  border: var(--jp-border-width) solid var(--jp-border-color1);
  color: var(--jp-ui-font-color1);
  font-family: var(--jp-ui-font-family);
  box-shadow: var(--jp-elevation-z4);
}

#vg-tooltip-element:not(#nbtrack-none) table tr td.key {
  color: var(--jp-ui-font-color2);
}

.nbtrack-detail-title {
  display: flex;
  align-items: center;
  gap: 8px;
}

.nbtrack-detail-title h2 {
  margin: 0;
  overflow-wrap: anywhere;
}

.nbtrack-detail-versions:empty {
  display: none;
}

.nbtrack-detail-versions {
  display: flex;
  flex-wrap: wrap;
  gap: 6px;
  margin: 4px 0;
}

.nbtrack-model-version {
  padding: 0 6px;
  border-radius: 3px;
  border: var(--jp-border-width) solid var(--jp-brand-color1);
  color: var(--jp-ui-font-color1);
  font-family: var(--jp-code-font-family);
  font-size: var(--jp-ui-font-size1);
}

.nbtrack-detail-note {
  display: flex;
  align-items: flex-start;
  gap: 8px;
  margin: 6px 0;
  padding: 4px 8px;
  border-left: 3px solid var(--jp-border-color1);
}

.nbtrack-detail-note-body {
  flex: 0 1 auto;
  min-width: 0;
}

.nbtrack-row-metrics .nbtrack-select {
  flex: none;
  margin: 0;
  width: 12px;
  height: 12px;
  align-self: center;
}
`,""]),t.d(o,{},{A:i})},938(r,o,t){var a=t(601),e=t.n(a),n=t(314),i=(t.n(n))()(e());i.push([r.id,`/* The runs table, its popups and the note editor: colours and sizes from --jp-* variables (light and dark). */

.nbtrack-runs-table {
  display: flex;
  flex-direction: column;
  background: var(--jp-layout-color1);
  color: var(--jp-ui-font-color1);
  font-size: var(--jp-ui-font-size1);
}

.nbtrack-table-head {
  display: flex;
  flex-direction: column;
  gap: 6px;
  padding: 8px 10px;
  border-bottom: var(--jp-border-width) solid var(--jp-border-color2);
}

.nbtrack-runs-table select,
.nbtrack-runs-table button.jp-mod-styled {
  font-size: var(--jp-ui-font-size1);
}

.nbtrack-runs-table select {
  background: var(--jp-input-background);
  color: var(--jp-ui-font-color1);
  border: var(--jp-border-width) solid var(--jp-input-border-color);
  padding: 2px 4px;
  height: 26px;
}

.nbtrack-runs-table button.jp-mod-styled:disabled {
  opacity: 0.45;
  cursor: not-allowed;
}

.nbtrack-filter-box {
  position: relative;
  flex: 1;
  min-width: 320px;
  display: flex;
  flex-direction: column;
}

.nbtrack-table-filter {
  width: 100%;
  box-sizing: border-box;
  height: 26px;
  background: var(--jp-input-background);
  color: var(--jp-ui-font-color1);
  border: var(--jp-border-width) solid var(--jp-input-border-color);
  font-family: var(--jp-code-font-family);
}

.nbtrack-suggestions {
  position: absolute;
  top: 28px;
  left: 0;
  z-index: 10;
  margin: 0;
  padding: 2px 0;
  list-style: none;
  min-width: 320px;
  max-height: 300px;
  overflow-y: auto;
  background: var(--jp-layout-color1);
  border: var(--jp-border-width) solid var(--jp-border-color1);
  box-shadow: var(--jp-elevation-z4);
}

.nbtrack-suggestions:empty {
  display: none;
}

.nbtrack-suggestions li {
  display: flex;
  justify-content: space-between;
  gap: 12px;
  padding: 3px 8px;
  cursor: pointer;
  font-family: var(--jp-code-font-family);
}

.nbtrack-suggestions li:hover,
.nbtrack-suggestions li.nbtrack-active {
  background: var(--jp-brand-color3);
  color: var(--jp-ui-font-color0);
}

.nbtrack-labelled {
  display: inline-flex;
  align-items: center;
  gap: 4px;
  color: var(--jp-ui-font-color2);
}

.nbtrack-muted {
  color: var(--jp-ui-font-color2);
}

.nbtrack-selection-count {
  color: var(--jp-ui-font-color2);
  margin-right: 6px;
}

/* The grid: one scroller in both directions; the header sticks to the top, pinned cells to the left. */
.nbtrack-grid {
  flex: 1;
  overflow: auto;
  position: relative;
  outline: none;
}

.nbtrack-thead {
  position: sticky;
  top: 0;
  z-index: 3;
  display: flex;
  height: 36px;
  background: var(--jp-layout-color2);
  border-bottom: var(--jp-border-width) solid var(--jp-border-color1);
}

.nbtrack-tbody {
  position: relative;
}

.nbtrack-trow {
  position: absolute;
  left: 0;
  display: flex;
  height: 32px;
  border-bottom: var(--jp-border-width) solid var(--jp-border-color3);
  background: var(--jp-layout-color1);
  outline: none;
}

.nbtrack-th,
.nbtrack-td {
  position: relative;
  flex: none;
  box-sizing: border-box;
  display: flex;
  align-items: center;
  gap: 4px;
  padding: 0 6px;
  overflow: hidden;
  white-space: nowrap;
  text-overflow: ellipsis;
  border-right: var(--jp-border-width) solid var(--jp-border-color3);
}

.nbtrack-th {
  font-weight: 600;
  cursor: pointer;
  user-select: none;
  background: var(--jp-layout-color2);
}

.nbtrack-th-label {
  overflow: hidden;
  text-overflow: ellipsis;
}

.nbtrack-sort {
  color: var(--jp-brand-color1);
  white-space: nowrap;
}

.nbtrack-pinned {
  position: sticky;
  z-index: 2;
  background: inherit;
}

.nbtrack-trow .nbtrack-pinned {
  background: var(--jp-layout-color1);
}

.nbtrack-name-cell {
  border-right: 2px solid var(--jp-border-color1);
}

.nbtrack-number {
  justify-content: flex-end;
  font-variant-numeric: tabular-nums;
}

.nbtrack-trow:hover,
.nbtrack-trow:hover .nbtrack-pinned {
  background: var(--jp-layout-color2);
}

.nbtrack-trow.nbtrack-selected,
.nbtrack-trow.nbtrack-selected .nbtrack-pinned {
  background: var(--jp-brand-color3);
}

.nbtrack-grid:focus-within .nbtrack-trow.nbtrack-active,
.nbtrack-trow:focus {
  box-shadow: inset 0 0 0 2px var(--jp-brand-color1);
}

.nbtrack-trow.nbtrack-archived .nbtrack-td {
  color: var(--jp-ui-font-color2);
  font-style: italic;
}

.nbtrack-swatch {
  flex: none;
  width: 10px;
  height: 10px;
  border-radius: 2px;
}

.nbtrack-run-link {
  border: none;
  background: none;
  padding: 0;
  color: var(--jp-content-link-color);
  cursor: pointer;
  font: inherit;
  overflow: hidden;
  text-overflow: ellipsis;
  white-space: nowrap;
  text-align: left;
}

.nbtrack-run-link:hover {
  text-decoration: underline;
}

.nbtrack-short-id {
  flex: none;
  font-family: var(--jp-code-font-family);
  font-size: var(--jp-ui-font-size0);
  color: var(--jp-ui-font-color2);
}

.nbtrack-archived-badge {
  flex: none;
  font-size: var(--jp-ui-font-size0);
  padding: 0 4px;
  border-radius: 3px;
  border: var(--jp-border-width) solid var(--jp-border-color1);
  color: var(--jp-ui-font-color2);
}

.nbtrack-icon-button {
  flex: none;
  border: none;
  background: none;
  color: var(--jp-ui-font-color2);
  cursor: pointer;
  padding: 0 3px;
  font-size: var(--jp-ui-font-size1);
}

.nbtrack-icon-button:hover {
  color: var(--jp-ui-font-color0);
  background: var(--jp-layout-color3);
}

.nbtrack-trow .nbtrack-rename,
.nbtrack-trow .nbtrack-run-copy-link {
  visibility: hidden;
}

.nbtrack-trow:hover .nbtrack-rename,
.nbtrack-trow:hover .nbtrack-run-copy-link,
.nbtrack-trow:focus .nbtrack-rename,
.nbtrack-trow:focus .nbtrack-run-copy-link {
  visibility: visible;
}

.nbtrack-column-menu {
  margin-left: auto;
}

.nbtrack-resize {
  position: absolute;
  top: 0;
  right: -3px;
  width: 7px;
  height: 100%;
  cursor: col-resize;
  z-index: 4;
}

.nbtrack-resize:hover {
  background: var(--jp-brand-color2);
}

.nbtrack-note-cell {
  cursor: pointer;
  color: var(--jp-ui-font-color1);
}

.nbtrack-group-row,
.nbtrack-group-row .nbtrack-pinned {
  background: var(--jp-layout-color2);
  font-weight: 600;
  cursor: pointer;
}

.nbtrack-group-label {
  overflow: hidden;
  text-overflow: ellipsis;
}

.nbtrack-group-count {
  flex: none;
  font-weight: normal;
  color: var(--jp-ui-font-color2);
}

.nbtrack-rename-input {
  flex: 1;
  min-width: 0;
  height: 22px;
  background: var(--jp-input-background);
  color: var(--jp-ui-font-color1);
}

.nbtrack-rename-input.nbtrack-invalid {
  border-color: var(--jp-error-color1);
}

/* Popups (column picker, views, a column's menu) float over everything. */
.nbtrack-popup {
  position: fixed;
  z-index: 10000;
  max-width: 420px;
  max-height: 60vh;
  overflow: auto;
  padding: 6px;
  background: var(--jp-layout-color1);
  color: var(--jp-ui-font-color1);
  border: var(--jp-border-width) solid var(--jp-border-color1);
  box-shadow: var(--jp-elevation-z6);
  font-size: var(--jp-ui-font-size1);
}

.nbtrack-column-picker {
  display: flex;
  flex-direction: column;
  gap: 6px;
  min-width: 300px;
}

.nbtrack-column-search {
  flex: 1;
  background: var(--jp-input-background);
  color: var(--jp-ui-font-color1);
}

.nbtrack-column-kind {
  margin-top: 6px;
  font-weight: 600;
  text-transform: uppercase;
  font-size: var(--jp-ui-font-size0);
  color: var(--jp-ui-font-color2);
}

.nbtrack-column-option {
  display: flex;
  align-items: center;
  gap: 6px;
  padding: 1px 0;
  font-family: var(--jp-code-font-family);
}

.nbtrack-menu {
  display: flex;
  flex-direction: column;
  min-width: 160px;
}

.nbtrack-menu-item,
.nbtrack-view-open {
  border: none;
  background: none;
  color: var(--jp-ui-font-color1);
  text-align: left;
  padding: 4px 8px;
  cursor: pointer;
  font: inherit;
}

.nbtrack-menu-item:hover,
.nbtrack-view-open:hover {
  background: var(--jp-layout-color2);
}

.nbtrack-views-menu {
  display: flex;
  flex-direction: column;
  gap: 6px;
  min-width: 260px;
}

.nbtrack-views-list {
  list-style: none;
  margin: 0;
  padding: 0;
}

.nbtrack-views-list li {
  display: flex;
  align-items: center;
}

.nbtrack-view-open {
  flex: 1;
}

.nbtrack-refused code {
  font-family: var(--jp-code-font-family);
}

/* The note editor: the Markdown source beside what Lab's sanitizing renderer makes of it. */
.nbtrack-note-panes {
  display: flex;
  gap: 12px;
  align-items: stretch;
  min-height: 300px;
}

.nbtrack-note-edit {
  flex: 1;
  display: flex;
  flex-direction: column;
  gap: 6px;
}

.nbtrack-note-text {
  flex: 1;
  min-height: 260px;
  resize: vertical;
  font-family: var(--jp-code-font-family);
  font-size: var(--jp-code-font-size);
  background: var(--jp-input-background);
  color: var(--jp-ui-font-color1);
  border: var(--jp-border-width) solid var(--jp-input-border-color);
  padding: 6px;
}

.nbtrack-note-preview {
  flex: 1;
  padding: 0 10px;
  border-left: var(--jp-border-width) solid var(--jp-border-color2);
  overflow: auto;
}

.nbtrack-th-text {
  display: flex;
  flex-direction: column;
  min-width: 0;
  line-height: 1.15;
}

.nbtrack-th-kind {
  font-weight: normal;
  font-size: 9px;
  text-transform: uppercase;
  letter-spacing: 0.04em;
  color: var(--jp-ui-font-color2);
}

.nbtrack-selection-bar {
  display: flex;
  flex-wrap: wrap;
  align-items: center;
  gap: 6px;
  margin-left: auto;
}

/* Numbers overflow at their end (an ellipsis, the whole value in the title), never cut at their start. */
.nbtrack-td.nbtrack-number {
  display: block;
  line-height: 31px;
  text-align: right;
}

.nbtrack-group-row .nbtrack-std {
  font-weight: normal;
  color: var(--jp-ui-font-color2);
}

/* A group's mean above its \xb1 std, both whole in a 100 px column. */
.nbtrack-group-row .nbtrack-td.nbtrack-number {
  display: flex;
  flex-direction: column;
  justify-content: center;
  align-items: flex-end;
  line-height: 1.15;
}

.nbtrack-group-row .nbtrack-std {
  font-size: var(--jp-ui-font-size0);
}

/* A column's menu shows over its label while the header is pointed at or focused: labels keep their width. */
.nbtrack-th .nbtrack-column-menu {
  position: absolute;
  right: 6px;
  visibility: hidden;
  background: var(--jp-layout-color2);
}

.nbtrack-th:hover .nbtrack-column-menu,
.nbtrack-th:focus-within .nbtrack-column-menu {
  visibility: visible;
}

.nbtrack-icon-button .jp-icon3 {
  fill: var(--jp-ui-font-color2);
}

.nbtrack-icon-button svg {
  width: 14px;
  height: 14px;
  vertical-align: middle;
}

/* A group's row is taller than a run's (GROUP_HEIGHT in table.ts): its mean sits above its \xb1 sd. */
.nbtrack-trow.nbtrack-group-row {
  height: 46px;
}

.nbtrack-group-caption {
  color: var(--jp-ui-font-color2);
  font-size: var(--jp-ui-font-size0);
  white-space: nowrap;
}

/* The toolbar's labelled controls keep their text on one line; the row wraps between controls instead. */
.nbtrack-runs-table .nbtrack-toolbar label.nbtrack-labelled {
  flex: none;
  white-space: nowrap;
}

.nbtrack-runs-table .nbtrack-toolbar label.nbtrack-labelled select {
  flex: none;
  max-width: 14em;
}

.nbtrack-runs-table .nbtrack-toolbar > button,
.nbtrack-selection-bar > button {
  flex: none;
  white-space: nowrap;
}

/* A disabled button looks inert whatever its kind: Delete is not red, Compare not blue, until they can act. */
.nbtrack-runs-table button.jp-mod-styled:disabled,
.nbtrack-runs-table button.jp-mod-styled.jp-mod-warn:disabled,
.nbtrack-runs-table button.jp-mod-styled.jp-mod-accept:disabled {
  background: var(--jp-layout-color2);
  color: var(--jp-ui-font-color3);
  border: var(--jp-border-width) solid var(--jp-border-color2);
  box-shadow: none;
}

/* A refused filter: the rows shown are the last good results, dimmed, and said so. */
.nbtrack-stale-note {
  display: none;
  color: var(--jp-warn-color0);
  white-space: nowrap;
}

.nbtrack-runs-table.nbtrack-stale .nbtrack-stale-note {
  display: inline;
}

.nbtrack-runs-table.nbtrack-stale .nbtrack-tbody {
  opacity: 0.45;
}

/* Toolbar buttons as tall as its selects, so that a narrow table keeps more rows in view. */
.nbtrack-table-head button.jp-mod-styled {
  height: 26px;
  padding: 0 8px;
  line-height: 24px;
}
`,""]),t.d(o,{},{A:i})},314(r){r.exports=function(r){var o=[];return o.toString=function(){return this.map(function(o){var t="",a=void 0!==o[5];return o[4]&&(t+="@supports (".concat(o[4],") {")),o[2]&&(t+="@media ".concat(o[2]," {")),a&&(t+="@layer".concat(o[5].length>0?" ".concat(o[5]):""," {")),t+=r(o),a&&(t+="}"),o[2]&&(t+="}"),o[4]&&(t+="}"),t}).join("")},o.i=function(r,t,a,e,n){"string"==typeof r&&(r=[[null,r,void 0]]);var i={};if(a)for(var l=0;l<this.length;l++){var c=this[l][0];null!=c&&(i[c]=!0)}for(var p=0;p<r.length;p++){var s=[].concat(r[p]);a&&i[s[0]]||(void 0!==n&&(void 0===s[5]||(s[1]="@layer".concat(s[5].length>0?" ".concat(s[5]):""," {").concat(s[1],"}")),s[5]=n),t&&(s[2]&&(s[1]="@media ".concat(s[2]," {").concat(s[1],"}")),s[2]=t),e&&(s[4]?(s[1]="@supports (".concat(s[4],") {").concat(s[1],"}"),s[4]=e):s[4]="".concat(e)),o.push(s))}},o}},601(r){r.exports=function(r){return r[1]}},72(r){var o=[];function t(r){for(var t=-1,a=0;a<o.length;a++)if(o[a].identifier===r){t=a;break}return t}function a(r,a){for(var e={},n=[],i=0;i<r.length;i++){var l=r[i],c=a.base?l[0]+a.base:l[0],p=e[c]||0,s="".concat(c," ").concat(p);e[c]=p+1;var d=t(s),b={css:l[1],media:l[2],sourceMap:l[3],supports:l[4],layer:l[5]};if(-1!==d)o[d].references++,o[d].updater(b);else{var u=function(r,o){var t=o.domAPI(o);return t.update(r),function(o){o?(o.css!==r.css||o.media!==r.media||o.sourceMap!==r.sourceMap||o.supports!==r.supports||o.layer!==r.layer)&&t.update(r=o):t.remove()}}(b,a);a.byIndex=i,o.splice(i,0,{identifier:s,updater:u,references:1})}n.push(s)}return n}r.exports=function(r,e){var n=a(r=r||[],e=e||{});return function(r){r=r||[];for(var i=0;i<n.length;i++){var l=t(n[i]);o[l].references--}for(var c=a(r,e),p=0;p<n.length;p++){var s=t(n[p]);0===o[s].references&&(o[s].updater(),o.splice(s,1))}n=c}}},659(r){var o={};r.exports=function(r,t){var a=function(r){if(void 0===o[r]){var t=document.querySelector(r);if(window.HTMLIFrameElement&&t instanceof window.HTMLIFrameElement)try{t=t.contentDocument.head}catch(r){t=null}o[r]=t}return o[r]}(r);if(!a)throw Error("Couldn't find a style target. This probably means that the value for the 'insert' parameter is invalid.");a.appendChild(t)}},540(r){r.exports=function(r){var o=document.createElement("style");return r.setAttributes(o,r.attributes),r.insert(o,r.options),o}},56(r,o,t){r.exports=function(r){var o=t.nc;o&&r.setAttribute("nonce",o)}},825(r){r.exports=function(r){if("u"<typeof document)return{update:function(){},remove:function(){}};var o=r.insertStyleElement(r);return{update:function(t){var a,e,n;a="",t.supports&&(a+="@supports (".concat(t.supports,") {")),t.media&&(a+="@media ".concat(t.media," {")),(e=void 0!==t.layer)&&(a+="@layer".concat(t.layer.length>0?" ".concat(t.layer):""," {")),a+=t.css,e&&(a+="}"),t.media&&(a+="}"),t.supports&&(a+="}"),(n=t.sourceMap)&&"u">typeof btoa&&(a+="\n/*# sourceMappingURL=data:application/json;base64,".concat(btoa(unescape(encodeURIComponent(JSON.stringify(n))))," */")),r.styleTagTransform(a,o,r.options)},remove:function(){var r;null===(r=o).parentNode||r.parentNode.removeChild(r)}}}},113(r){r.exports=function(r,o){if(o.styleSheet)o.styleSheet.cssText=r;else{for(;o.firstChild;)o.removeChild(o.firstChild);o.appendChild(document.createTextNode(r))}}},451(r,o,t){var a=t(72),e=t.n(a),n=t(825),i=t.n(n),l=t(659),c=t.n(l),p=t(56),s=t.n(p),d=t(540),b=t.n(d),u=t(113),f=t.n(u),k=t(475),h={};h.styleTagTransform=f(),h.setAttributes=s(),h.insert=c().bind(null,"head"),h.domAPI=i(),h.insertStyleElement=b(),e()(k.A,h),k.A&&k.A.locals&&k.A.locals;var v=t(938),g={};g.styleTagTransform=f(),g.setAttributes=s(),g.insert=c().bind(null,"head"),g.domAPI=i(),g.insertStyleElement=b(),e()(v.A,g),v.A&&v.A.locals&&v.A.locals;var x=t(350),m={};m.styleTagTransform=f(),m.setAttributes=s(),m.insert=c().bind(null,"head"),m.domAPI=i(),m.insertStyleElement=b(),e()(x.A,m),x.A&&x.A.locals&&x.A.locals;var w=t(563),j={};j.styleTagTransform=f(),j.setAttributes=s(),j.insert=c().bind(null,"head"),j.domAPI=i(),j.insertStyleElement=b(),e()(w.A,j),w.A&&w.A.locals&&w.A.locals}}]);