"use strict";(self.rspackChunknbtrack_labextension=self.rspackChunknbtrack_labextension||[]).push([[232],{277(r,a,e){var t=e(415),o=e.n(t),n=e(688),i=(e.n(n))()(o());i.push([r.id,`/* nbtrack panels: every color and size from --jp-* variables, so light and dark themes both read. */

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

.nbtrack-list:focus-visible .nbtrack-row.nbtrack-active {
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
  gap: 6px;
  white-space: nowrap;
  overflow: hidden;
  text-overflow: ellipsis;
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

.nbtrack-row .nbtrack-status {
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
  min-width: 360px;
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

.nbtrack-launch-error {
  color: var(--jp-error-color1);
  white-space: pre-wrap;
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
  background: var(--jp-info-color3);
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
`,""]),e.d(a,{},{A:i})},688(r){r.exports=function(r){var a=[];return a.toString=function(){return this.map(function(a){var e="",t=void 0!==a[5];return a[4]&&(e+="@supports (".concat(a[4],") {")),a[2]&&(e+="@media ".concat(a[2]," {")),t&&(e+="@layer".concat(a[5].length>0?" ".concat(a[5]):""," {")),e+=r(a),t&&(e+="}"),a[2]&&(e+="}"),a[4]&&(e+="}"),e}).join("")},a.i=function(r,e,t,o,n){"string"==typeof r&&(r=[[null,r,void 0]]);var i={};if(t)for(var c=0;c<this.length;c++){var l=this[c][0];null!=l&&(i[l]=!0)}for(var p=0;p<r.length;p++){var s=[].concat(r[p]);t&&i[s[0]]||(void 0!==n&&(void 0===s[5]||(s[1]="@layer".concat(s[5].length>0?" ".concat(s[5]):""," {").concat(s[1],"}")),s[5]=n),e&&(s[2]&&(s[1]="@media ".concat(s[2]," {").concat(s[1],"}")),s[2]=e),o&&(s[4]?(s[1]="@supports (".concat(s[4],") {").concat(s[1],"}"),s[4]=o):s[4]="".concat(o)),a.push(s))}},a}},415(r){r.exports=function(r){return r[1]}},886(r){var a=[];function e(r){for(var e=-1,t=0;t<a.length;t++)if(a[t].identifier===r){e=t;break}return e}function t(r,t){for(var o={},n=[],i=0;i<r.length;i++){var c=r[i],l=t.base?c[0]+t.base:c[0],p=o[l]||0,s="".concat(l," ").concat(p);o[l]=p+1;var d=e(s),b={css:c[1],media:c[2],sourceMap:c[3],supports:c[4],layer:c[5]};if(-1!==d)a[d].references++,a[d].updater(b);else{var f=function(r,a){var e=a.domAPI(a);return e.update(r),function(a){a?(a.css!==r.css||a.media!==r.media||a.sourceMap!==r.sourceMap||a.supports!==r.supports||a.layer!==r.layer)&&e.update(r=a):e.remove()}}(b,t);t.byIndex=i,a.splice(i,0,{identifier:s,updater:f,references:1})}n.push(s)}return n}r.exports=function(r,o){var n=t(r=r||[],o=o||{});return function(r){r=r||[];for(var i=0;i<n.length;i++){var c=e(n[i]);a[c].references--}for(var l=t(r,o),p=0;p<n.length;p++){var s=e(n[p]);0===a[s].references&&(a[s].updater(),a.splice(s,1))}n=l}}},285(r){var a={};r.exports=function(r,e){var t=function(r){if(void 0===a[r]){var e=document.querySelector(r);if(window.HTMLIFrameElement&&e instanceof window.HTMLIFrameElement)try{e=e.contentDocument.head}catch(r){e=null}a[r]=e}return a[r]}(r);if(!t)throw Error("Couldn't find a style target. This probably means that the value for the 'insert' parameter is invalid.");t.appendChild(e)}},298(r){r.exports=function(r){var a=document.createElement("style");return r.setAttributes(a,r.attributes),r.insert(a,r.options),a}},206(r,a,e){r.exports=function(r){var a=e.nc;a&&r.setAttribute("nonce",a)}},167(r){r.exports=function(r){if("u"<typeof document)return{update:function(){},remove:function(){}};var a=r.insertStyleElement(r);return{update:function(e){var t,o,n;t="",e.supports&&(t+="@supports (".concat(e.supports,") {")),e.media&&(t+="@media ".concat(e.media," {")),(o=void 0!==e.layer)&&(t+="@layer".concat(e.layer.length>0?" ".concat(e.layer):""," {")),t+=e.css,o&&(t+="}"),e.media&&(t+="}"),e.supports&&(t+="}"),(n=e.sourceMap)&&"u">typeof btoa&&(t+="\n/*# sourceMappingURL=data:application/json;base64,".concat(btoa(unescape(encodeURIComponent(JSON.stringify(n))))," */")),r.styleTagTransform(t,a,r.options)},remove:function(){var r;null===(r=a).parentNode||r.parentNode.removeChild(r)}}}},343(r){r.exports=function(r,a){if(a.styleSheet)a.styleSheet.cssText=r;else{for(;a.firstChild;)a.removeChild(a.firstChild);a.appendChild(document.createTextNode(r))}}},579(r,a,e){var t=e(886),o=e.n(t),n=e(167),i=e.n(n),c=e(285),l=e.n(c),p=e(206),s=e.n(p),d=e(298),b=e.n(d),f=e(343),u=e.n(f),k=e(277),v={};v.styleTagTransform=u(),v.setAttributes=s(),v.insert=l().bind(null,"head"),v.domAPI=i(),v.insertStyleElement=b(),o()(k.A,v),k.A&&k.A.locals&&k.A.locals}}]);