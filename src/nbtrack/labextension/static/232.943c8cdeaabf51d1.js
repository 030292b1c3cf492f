"use strict";(self.rspackChunknbtrack_labextension=self.rspackChunknbtrack_labextension||[]).push([[232],{475(r,o,t){var e=t(601),a=t.n(e),n=t(314),i=(t.n(n))()(a());i.push([r.id,`/* nbtrack panels: every color and size from --jp-* variables, so light and dark themes both read. */

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
  flex: 1;
  color: var(--jp-ui-font-color2);
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
  background: var(--jp-warn-color3);
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
`,""]),t.d(o,{},{A:i})},314(r){r.exports=function(r){var o=[];return o.toString=function(){return this.map(function(o){var t="",e=void 0!==o[5];return o[4]&&(t+="@supports (".concat(o[4],") {")),o[2]&&(t+="@media ".concat(o[2]," {")),e&&(t+="@layer".concat(o[5].length>0?" ".concat(o[5]):""," {")),t+=r(o),e&&(t+="}"),o[2]&&(t+="}"),o[4]&&(t+="}"),t}).join("")},o.i=function(r,t,e,a,n){"string"==typeof r&&(r=[[null,r,void 0]]);var i={};if(e)for(var c=0;c<this.length;c++){var p=this[c][0];null!=p&&(i[p]=!0)}for(var l=0;l<r.length;l++){var s=[].concat(r[l]);e&&i[s[0]]||(void 0!==n&&(void 0===s[5]||(s[1]="@layer".concat(s[5].length>0?" ".concat(s[5]):""," {").concat(s[1],"}")),s[5]=n),t&&(s[2]&&(s[1]="@media ".concat(s[2]," {").concat(s[1],"}")),s[2]=t),a&&(s[4]?(s[1]="@supports (".concat(s[4],") {").concat(s[1],"}"),s[4]=a):s[4]="".concat(a)),o.push(s))}},o}},601(r){r.exports=function(r){return r[1]}},72(r){var o=[];function t(r){for(var t=-1,e=0;e<o.length;e++)if(o[e].identifier===r){t=e;break}return t}function e(r,e){for(var a={},n=[],i=0;i<r.length;i++){var c=r[i],p=e.base?c[0]+e.base:c[0],l=a[p]||0,s="".concat(p," ").concat(l);a[p]=l+1;var d=t(s),u={css:c[1],media:c[2],sourceMap:c[3],supports:c[4],layer:c[5]};if(-1!==d)o[d].references++,o[d].updater(u);else{var f=function(r,o){var t=o.domAPI(o);return t.update(r),function(o){o?(o.css!==r.css||o.media!==r.media||o.sourceMap!==r.sourceMap||o.supports!==r.supports||o.layer!==r.layer)&&t.update(r=o):t.remove()}}(u,e);e.byIndex=i,o.splice(i,0,{identifier:s,updater:f,references:1})}n.push(s)}return n}r.exports=function(r,a){var n=e(r=r||[],a=a||{});return function(r){r=r||[];for(var i=0;i<n.length;i++){var c=t(n[i]);o[c].references--}for(var p=e(r,a),l=0;l<n.length;l++){var s=t(n[l]);0===o[s].references&&(o[s].updater(),o.splice(s,1))}n=p}}},659(r){var o={};r.exports=function(r,t){var e=function(r){if(void 0===o[r]){var t=document.querySelector(r);if(window.HTMLIFrameElement&&t instanceof window.HTMLIFrameElement)try{t=t.contentDocument.head}catch(r){t=null}o[r]=t}return o[r]}(r);if(!e)throw Error("Couldn't find a style target. This probably means that the value for the 'insert' parameter is invalid.");e.appendChild(t)}},540(r){r.exports=function(r){var o=document.createElement("style");return r.setAttributes(o,r.attributes),r.insert(o,r.options),o}},56(r,o,t){r.exports=function(r){var o=t.nc;o&&r.setAttribute("nonce",o)}},825(r){r.exports=function(r){if("u"<typeof document)return{update:function(){},remove:function(){}};var o=r.insertStyleElement(r);return{update:function(t){var e,a,n;e="",t.supports&&(e+="@supports (".concat(t.supports,") {")),t.media&&(e+="@media ".concat(t.media," {")),(a=void 0!==t.layer)&&(e+="@layer".concat(t.layer.length>0?" ".concat(t.layer):""," {")),e+=t.css,a&&(e+="}"),t.media&&(e+="}"),t.supports&&(e+="}"),(n=t.sourceMap)&&"u">typeof btoa&&(e+="\n/*# sourceMappingURL=data:application/json;base64,".concat(btoa(unescape(encodeURIComponent(JSON.stringify(n))))," */")),r.styleTagTransform(e,o,r.options)},remove:function(){var r;null===(r=o).parentNode||r.parentNode.removeChild(r)}}}},113(r){r.exports=function(r,o){if(o.styleSheet)o.styleSheet.cssText=r;else{for(;o.firstChild;)o.removeChild(o.firstChild);o.appendChild(document.createTextNode(r))}}},579(r,o,t){var e=t(72),a=t.n(e),n=t(825),i=t.n(n),c=t(659),p=t.n(c),l=t(56),s=t.n(l),d=t(540),u=t.n(d),f=t(113),b=t.n(f),v=t(475),m={};m.styleTagTransform=b(),m.setAttributes=s(),m.insert=p().bind(null,"head"),m.domAPI=i(),m.insertStyleElement=u(),a()(v.A,m),v.A&&v.A.locals&&v.A.locals}}]);