/** Drawing many points on a canvas: a line and a band, each at most a few vertices per pixel column. */

/**
 * One line, at most four vertices per pixel column (its first, lowest, highest and last point):
 * what 10,000 points look like at 900 pixels, drawn from a few thousand vertices.
 */
export function path(ctx: CanvasRenderingContext2D, xs: Float64Array, ys: Float64Array,
                   px: (x: number) => number, py: (v: number) => number): void {
  ctx.beginPath();
  const lone: [number, number][] = [];
  let column = NaN, first = 0, low = 0, high = 0, last = 0, firstX = 0, inColumn = 0;
  let stretch = 0; // points in the stretch without gaps: a stretch of one is drawn as a dot
  let open = false;
  const flush = (): void => {
    if (!inColumn) {
      return;
    }
    const x = inColumn === 1 ? firstX : column + 0.5;
    if (open) {
      ctx.lineTo(x, first);
    } else {
      ctx.moveTo(x, first);
      open = true;
    }
    if (inColumn > 1) {
      ctx.lineTo(x, low);
      ctx.lineTo(x, high);
      ctx.lineTo(x, last);
    }
    inColumn = 0;
  };
  for (let i = 0; i <= xs.length; i++) {
    const x = i < xs.length ? px(xs[i]) : NaN;
    const y = i < xs.length ? py(ys[i]) : NaN;
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      flush();
      if (stretch === 1) {
        lone.push([firstX, first]);
      }
      stretch = 0;
      open = false;
      continue;
    }
    stretch += 1;
    const c = Math.floor(x);
    if (c !== column || !inColumn) {
      flush();
      column = c;
      first = low = high = last = y;
      firstX = x;
      inColumn = 1;
    } else {
      if (y < low) { low = y; }
      if (y > high) { high = y; }
      last = y;
      inColumn += 1;
    }
  }
  ctx.stroke();
  if (lone.length) {
    ctx.fillStyle = ctx.strokeStyle;
    for (const [x, y] of lone) {
      ctx.beginPath();
      ctx.arc(x, y, 3, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
}

/** The band between lo and hi, one top and one bottom vertex per pixel column; gaps split it. */
export function band(ctx: CanvasRenderingContext2D, xs: Float64Array, lo: Float64Array, hi: Float64Array,
                   px: (x: number) => number, py: (v: number) => number): void {
  const tops: number[] = [], bottoms: number[] = [], columns: number[] = [];
  const fill = (): void => {
    if (columns.length > 1) {
      ctx.beginPath();
      ctx.moveTo(columns[0], tops[0]);
      for (let k = 1; k < columns.length; k++) {
        ctx.lineTo(columns[k], tops[k]);
      }
      for (let k = columns.length - 1; k >= 0; k--) {
        ctx.lineTo(columns[k], bottoms[k]);
      }
      ctx.closePath();
      ctx.fill();
    }
    tops.length = bottoms.length = columns.length = 0;
  };
  let column = NaN;
  for (let i = 0; i < xs.length; i++) {
    const x = px(xs[i]);
    const top = py(hi[i]);
    const bottom = py(lo[i]);
    if (!Number.isFinite(x) || !Number.isFinite(top) || !Number.isFinite(bottom)) {
      fill();
      column = NaN;
      continue;
    }
    const c = Math.floor(x);
    const k = columns.length - 1;
    if (c === column && k >= 0) {
      tops[k] = Math.min(tops[k], top); // canvas y grows downwards: the top is the least y
      bottoms[k] = Math.max(bottoms[k], bottom);
    } else {
      column = c;
      columns.push(x);
      tops.push(top);
      bottoms.push(bottom);
    }
  }
  fill();
}
