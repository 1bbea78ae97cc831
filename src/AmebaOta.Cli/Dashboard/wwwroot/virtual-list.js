// A table body that holds only the rows in view (plus a few either side), so a table of thousands of rows costs what a
// screenful costs: two spacer rows stand for the rows above and below. Rows may differ in height (text wraps): each row's
// height is measured once it has been drawn, and rows never drawn count as the average of those that were. A list of up
// to `whole` rows is drawn whole: that costs little (a filter that leaves 97 of 2,000 rows drew them all and took 2.5 times
// as long as drawing a screenful), and every row stays findable in the page.
// Usage: const list = new VirtualRows({ scroller, body, columns, rowFor }); list.setKeys(keys); list.refresh();
"use strict";

class VirtualRows {
  // scroller: the element that scrolls (the table's box); body: the <tbody>; columns: how many cells a row has;
  // rowFor(key): the <tr> for a key, made or updated by the caller (the same element each time for the same key).
  constructor({ scroller, body, columns, rowFor, overscan = 10, estimate = 31, whole = 50 }) {
    this.scroller = scroller;
    this.body = body;
    this.rowFor = rowFor;
    this.overscan = overscan;
    this.whole = whole;
    this.estimate = estimate;
    this.keys = [];
    this.heights = new Map();          // key -> measured height in px
    this.measuredSum = 0;
    this.starts = new Float64Array(1); // starts[i]: top of row i; starts[n]: the whole height
    this.startsValid = false;
    this.drawn = [];                   // keys drawn now, in order
    this.scheduled = false;
    this.top = this.spacer(columns, "top");
    this.bottom = this.spacer(columns, "bottom");
    body.append(this.top, this.bottom);
    scroller.addEventListener("scroll", () => this.schedule(), { passive: true });
    window.addEventListener("resize", () => this.schedule());
  }

  spacer(columns, where) {
    const row = document.createElement("tr");
    row.className = "vspace " + where;
    row.setAttribute("aria-hidden", "true");
    const cell = document.createElement("td");
    cell.colSpan = columns;
    row.appendChild(cell);
    return row;
  }

  // The keys to show, in order (the rows the filter keeps). Call refresh() (or schedule()) to draw them.
  setKeys(keys) {
    this.keys = keys;
    this.startsValid = false;
  }

  // True when the row of this key is in the document now.
  isDrawn(key) { return this.drawn.includes(key); }

  schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => { this.scheduled = false; this.refresh(); });
  }

  heightOf(key) {
    const h = this.heights.get(key);
    if (h !== undefined) return h;
    return this.heights.size ? this.measuredSum / this.heights.size : this.estimate;
  }

  layout() {
    const n = this.keys.length;
    if (this.starts.length !== n + 1) this.starts = new Float64Array(n + 1);
    let y = 0;
    for (let i = 0; i < n; i++) { this.starts[i] = y; y += this.heightOf(this.keys[i]); }
    this.starts[n] = y;
    this.startsValid = true;
  }

  // The first row whose bottom is below y.
  indexAt(y) {
    let lo = 0, hi = this.keys.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (this.starts[mid + 1] <= y) lo = mid + 1; else hi = mid; }
    return lo;
  }

  // Draws the rows in view: rows already there stay, others are inserted or removed; then measures them.
  refresh() {
    if (!this.startsValid) this.layout();
    const n = this.keys.length;
    const head = this.body.offsetTop;                       // the table's header (sticky) sits above the body
    const viewTop = Math.max(0, this.scroller.scrollTop - head);
    const viewBottom = viewTop + Math.max(this.scroller.clientHeight, 200);
    const small = n <= this.whole;
    const first = small ? 0 : Math.max(0, this.indexAt(viewTop) - this.overscan);
    const last = small ? n : Math.min(n, this.indexAt(viewBottom) + 1 + this.overscan);
    const wanted = this.keys.slice(first, last);
    let cursor = this.top.nextSibling;
    for (const key of wanted) {
      const row = this.rowFor(key);
      if (cursor === row) cursor = cursor.nextSibling;
      else this.body.insertBefore(row, cursor);
    }
    while (cursor && cursor !== this.bottom) { const next = cursor.nextSibling; cursor.remove(); cursor = next; }
    this.drawn = wanted;
    this.setSpacers(first, last);
    // Measure what was drawn (one layout); if rows differ from what was assumed, place the spacers again.
    let changed = false;
    for (const key of wanted) {
      const h = this.rowFor(key).offsetHeight;
      const before = this.heights.get(key);
      if (before === h) continue;
      if (before === undefined) this.measuredSum += h; else this.measuredSum += h - before;
      this.heights.set(key, h);
      changed = true;
    }
    if (changed) { this.layout(); this.setSpacers(first, last); }
  }

  setSpacers(first, last) {
    const n = this.keys.length;
    this.top.firstChild.style.height = this.starts[first] + "px";
    this.bottom.firstChild.style.height = (this.starts[n] - this.starts[last]) + "px";
    this.top.hidden = first === 0;
    this.bottom.hidden = last === n;
  }
}
