// AmebaOta dashboard: one live event stream (server-sent events) feeds a table of every board; changes go through the
// HTTP API with the token the dashboard printed in its terminal. No framework, no CDN: this file is all the script there is.
"use strict";

const $ = (id) => document.getElementById(id);
const boards = new Map();          // name -> { data, row, cells, shown, stale }: a row is made when it is first drawn
const dirty = new Set();           // names whose data changed since the last draw
let order = [];                    // every board's name, sorted
let unsorted = [];                 // names not in order yet
let rows = null;                   // the table's VirtualRows: only the rows in view are in the document
const chosen = new Set();          // ticked boards
let runs = new Map();              // id -> run
let image = null;                  // the image dropped, as the server checked it
let historyVersion = -1;
let historyShown = -1;
let virtualBoard = null;           // name of the board whose serial output is open
let serialSource = null;
let drawScheduled = false;
let filterText = "";
let filterWords = [];
const hays = new WeakMap();   // a board's data (replaced on each change) -> the text the filter searches
let filterShow = "all";

// ---- token -----------------------------------------------------------------------------------------------------------

function takeTokenFromLink() {
  const match = /(?:^#|&)token=([0-9a-fA-F]+)/.exec(location.hash);
  if (match) {
    sessionStorage.setItem("ameba-ota-token", match[1]);
    history.replaceState(null, "", location.pathname + location.search);   // the token leaves the address bar
  }
}
const token = () => sessionStorage.getItem("ameba-ota-token") || "";

function showTokenState() {
  $("token-form").hidden = !!token();
  $("token-ok").hidden = !token();
  updateStartButton();
}

async function post(path, body, contentType = "application/json") {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Authorization": "Bearer " + token(), "Content-Type": contentType },
    body: contentType === "application/json" ? JSON.stringify(body) : body,
  });
  let reply;
  try { reply = await response.json(); } catch { reply = { ok: false, message: `HTTP ${response.status}` }; }
  if (response.status === 401) { sessionStorage.removeItem("ameba-ota-token"); showTokenState(); }
  return { status: response.status, reply };
}

function toast(text, bad = false) {
  const t = $("toast");
  t.textContent = text;
  t.className = bad ? "bad" : "";
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.hidden = true; }, bad ? 8000 : 4000);
}

// ---- the live stream -------------------------------------------------------------------------------------------------

let events = null;

function connect() {
  if (events) events.close();
  performance.mark("ameba-connect");
  events = new EventSource("/api/events");
  events.addEventListener("snapshot", (e) => {
    performance.mark("ameba-snapshot");
    const s = JSON.parse(e.data);
    setConnection(true);
    for (const b of s.boards) upsert(b);
    runs = new Map(s.runs.map((r) => [r.id, r]));
    drawRun();
    applySites(s.sites);
    $("h-where").textContent = "history: " + s.history.where;
    historyVersion = s.history.version;
    scheduleDraw();
  });
  events.addEventListener("delta", (e) => {
    const d = JSON.parse(e.data);
    for (const b of d.boards) upsert(b);
    for (const r of d.runs) runs.set(r.id, r);
    if (d.runs.length) drawRun();
    if (d.sites) applySites(d.sites);
    if (d.historyVersion !== historyVersion) { historyVersion = d.historyVersion; if (!$("view-history").hidden) loadHistory(); }
    scheduleDraw();
  });
  events.onerror = () => setConnection(false);
  events.onopen = () => { performance.mark("ameba-open"); setConnection(true); };
}
function setConnection(live, why = "reconnecting…") {
  const c = $("connection");
  c.textContent = live ? "live" : why;
  c.className = "pill " + (live ? "ok" : "off");
}

// ---- the board table -------------------------------------------------------------------------------------------------

function upsert(data) {
  let entry = boards.get(data.name);
  if (!entry) { entry = { data, row: null, cells: null, shown: false, stale: true }; boards.set(data.name, entry); unsorted.push(data.name); }
  else entry.data = data;
  dirty.add(data.name);
}

function scheduleDraw() {
  if (drawScheduled) return;
  drawScheduled = true;
  requestAnimationFrame(draw);
}

// Applies what changed: the filter's verdict for each changed board, the list of rows shown, then the rows in view.
function draw() {
  drawScheduled = false;
  let listChanged = false;
  for (const name of dirty) {
    const entry = boards.get(name);
    entry.stale = true;
    if (applyFilter(entry)) listChanged = true;
  }
  dirty.clear();
  if (unsorted.length) {
    if (unsorted.length > 50) { order = order.concat(unsorted); order.sort(byName); }
    else for (const name of unsorted) order.splice(insertionPoint(name), 0, name);
    unsorted = [];
    listChanged = true;
  }
  if (listChanged) showList();
  else rows.refresh();
  drawCounts();
  if (!firstDrawn && boards.size) { firstDrawn = true; requestAnimationFrame(() => performance.mark("ameba-boards-painted")); }
}
let firstDrawn = false;

function insertionPoint(name) {
  let lo = 0, hi = order.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (byName(order[mid], name) < 0) lo = mid + 1; else hi = mid; }
  return lo;
}

// The rows the filter keeps, in name order, drawn as far as they are in view.
function showList() {
  rows.setKeys(order.filter((name) => boards.get(name).shown));
  rows.refresh();
}

// The row of a board, made on its first drawing and brought up to date when its data changed.
function rowFor(name) {
  const entry = boards.get(name);
  if (!entry.row) makeRow(entry);
  if (entry.stale) { fillRow(entry); entry.stale = false; }
  return entry.row;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
const byName = (a, b) => collator.compare(a, b);

function makeRow(entry) {
  const row = document.createElement("tr");
  row.dataset.board = entry.data.name;
  const cells = {};
  for (const key of ["pick", "name", "family", "site", "address", "seen", "last", "update"]) {
    const td = document.createElement("td");
    td.className = key;
    row.appendChild(td);
    cells[key] = td;
  }
  const box = document.createElement("input");
  box.type = "checkbox";
  box.setAttribute("aria-label", "select " + entry.data.name);
  box.addEventListener("change", () => { if (box.checked) chosen.add(entry.data.name); else chosen.delete(entry.data.name); row.classList.toggle("chosen", box.checked); drawCounts(); });
  cells.pick.appendChild(box);
  cells.box = box;
  entry.row = row;
  entry.cells = cells;
  entry.drawn = {};
}

function setText(entry, key, text, cls) {
  // Only touch the DOM when something changed: with 100 boards sending, most rows stay as they are.
  const drawn = entry.drawn;
  if (drawn[key] === text + "|" + cls) return;
  drawn[key] = text + "|" + cls;
  const td = entry.cells[key];
  td.textContent = text;
  if (cls !== undefined) td.className = key + " " + cls;
}

function fillRow(entry) {
  const b = entry.data, cells = entry.cells;
  const nameKey = b.name + (b.virtual ? "|v" : "");
  if (entry.drawn.name !== nameKey) {
    entry.drawn.name = nameKey;
    cells.name.textContent = "";
    if (b.virtual) {
      const open = document.createElement("button");
      open.type = "button";
      open.textContent = b.name;
      open.title = "serial output and controls of this virtual board";
      open.addEventListener("click", () => openVirtual(b.name));
      cells.name.appendChild(open);
      const tag = document.createElement("span");
      tag.className = "tag";
      tag.textContent = "virtual";
      cells.name.appendChild(tag);
    } else {
      cells.name.textContent = b.name;
    }
  }
  setText(entry, "family", b.family || "");
  setText(entry, "site", b.site || "");
  setText(entry, "address", b.address ? `${b.address}:${b.port}` : "");
  const seenKey = (b.online ? "on" : "off") + (b.lastSeen || "") + "|" + (b.otaUi || "") + "|" + (b.otaUiNote || "");
  if (entry.drawn.seen !== seenKey) {
    entry.drawn.seen = seenKey;
    cells.seen.textContent = "";
    const dot = document.createElement("span");
    dot.className = "dot" + (b.online ? " on" : "");
    cells.seen.append(dot, b.online ? "online" : (b.lastSeen ? "last seen " + when(b.lastSeen) : "never seen"));
    if (b.otaUi) {
      // A board that beats to this dashboard (--ota-ui): the OTA UI state of its last heartbeat; gone when it stopped beating.
      const tag = document.createElement("span");
      tag.className = "tag otaui";
      tag.textContent = b.online ? "OTA UI: " + b.otaUi : "OTA UI: gone (was " + b.otaUi + ")";
      cells.seen.append(" ", tag);
      if (b.otaUiNote) {
        // Stuck by an update started elsewhere (for AmebaD, likely Realtek's server and its lower-case content-length).
        const note = document.createElement("div");
        note.className = "warn-text otaui-note";
        note.textContent = "warning: " + b.otaUiNote;
        cells.seen.append(note);
      }
    }
    cells.seen.title = b.lastSeen ? "last seen " + new Date(b.lastSeen).toLocaleString() : "";
  }
  const last = b.last;
  setText(entry, "last", last ? `${last.file}${last.version != null ? " v" + last.version : ""} · ${last.cameBack ? "came back" : outcomeText(last.outcome)}` : "",
    last ? (last.cameBack ? "ok-text" : last.outcome === "sent" ? "" : "warn-text") : "");
  if (last) cells.last.title = `${last.sha256.slice(0, 12)} ${last.outcome || ""} ${last.at ? new Date(last.at).toLocaleString() : ""} ${last.error || ""}`.trim();
  drawUpdate(entry);
  drawJob(entry);
  cells.box.checked = chosen.has(b.name);
  entry.row.classList.toggle("chosen", chosen.has(b.name));
}

function outcomeText(outcome) {
  return { "sent": "sent (not checked)", "rebooted": "came back", "not-back": "not back", "failed": "failed", "cancelled": "cancelled" }[outcome] || outcome || "";
}

const goodStates = new Set(["updated", "success", "already-installed"]);
const badStates = new Set(["failed", "failure", "aborted", "refused"]);

function drawUpdate(entry) {
  const u = entry.data.update, td = entry.cells.update;
  const key = u ? `${u.run}|${u.state}|${u.detail}|${u.acked}|${u.error}|${u.attempt}` : "";
  if (entry.drawn.update === key) return;
  entry.drawn.update = key;
  td.textContent = "";
  td.className = "update";
  if (!u) return;
  const busy = !u.final && !["pending", "queued", "already-installed"].includes(u.state);
  if (busy) {
    const bar = document.createElement("progress");
    bar.max = Math.max(1, u.total);
    bar.value = u.acked;
    td.appendChild(bar);
  }
  const state = document.createElement("span");
  state.className = "state " + (goodStates.has(u.state) ? "ok-text" : badStates.has(u.state) ? "bad-text" : "");
  let text = u.state;
  if (u.detail && u.detail !== u.state && !u.final) text += ` (${u.detail})`;
  if (busy && u.total) text += ` ${Math.floor(u.acked * 100 / u.total)}%`;
  if (u.attempt > 1 && !u.final) text += ` · attempt ${u.attempt}`;
  if (u.final && u.rebootMs != null) text += ` · back in ${(u.rebootMs / 1000).toFixed(2)} s`;
  state.textContent = text;
  td.appendChild(state);
  if (u.error && (u.final || u.state === "retrying")) {
    const why = document.createElement("span");
    why.className = "why";
    why.textContent = u.error;
    td.appendChild(why);
  }
}

function when(iso) {
  const s = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
  if (s < 60) return `${Math.round(s)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
}

function matches(b) {
  if (filterShow === "online" && !b.online) return false;
  if (filterShow === "offline" && b.online) return false;
  if (filterShow === "virtual" && !b.virtual) return false;
  if (filterShow === "busy" && !(b.update && !b.update.final) && !b.job) return false;
  if (filterShow === "failed" && !(b.update && badStates.has(b.update.state))) return false;
  if (!filterText) return true;
  let hay = hays.get(b);
  if (hay === undefined) {
    hay = [b.name, b.family, b.site, b.address, b.host, b.boardId, b.job && b.job.state, b.last && b.last.file, b.last && b.last.sha256, b.update && b.update.state, b.update && b.update.error]
      .filter(Boolean).join(" ").toLowerCase();
    hays.set(b, hay);
  }
  return filterWords.every((word) => hay.includes(word));
}

// True when the board's verdict changed.
function applyFilter(entry) {
  const show = matches(entry.data);
  if (entry.shown === show) return false;
  entry.shown = show;
  return true;
}

function refilter() {
  filterText = $("filter").value.trim().toLowerCase();
  filterWords = filterText.split(/\s+/);
  filterShow = $("show").value;
  for (const entry of boards.values()) applyFilter(entry);
  showList();
  drawCounts();
}

function drawCounts() {
  let online = 0, shown = 0;
  for (const e of boards.values()) { if (e.data.online) online++; if (e.shown) shown++; }
  $("counts").textContent = `${boards.size} boards, ${online} online`;
  $("no-boards").hidden = boards.size > 0;
  $("selected-count").textContent = `${chosen.size} selected` + (shown !== boards.size ? ` · ${shown} shown` : "");
  updateStartButton();
}

// ---- images ----------------------------------------------------------------------------------------------------------

async function sendImage(file) {
  $("image-error").hidden = true;
  $("image-result").hidden = true;
  image = null;
  updateStartButton();
  if (!token()) { showError("image-error", "read-only: paste the token first (the dashboard printed it in its terminal)"); return; }
  const { status, reply } = await post("/api/images?name=" + encodeURIComponent(file.name), file, "application/octet-stream");
  if (status !== 200) { showError("image-error", "error: " + reply.message); return; }
  image = reply;
  $("image-info").textContent = reply.info.join("\n");
  $("image-refusal").hidden = !reply.refusal;
  $("image-refusal").textContent = reply.refusal ? "error: " + reply.refusal : "";
  const list = $("image-warnings");
  list.textContent = "";
  for (const w of reply.warnings) { const li = document.createElement("li"); li.textContent = "warning: " + w; list.appendChild(li); }
  $("image-result").hidden = false;
  updateStartButton();
}

function showError(id, text) { const p = $(id); p.textContent = text; p.hidden = false; }

// ---- runs ------------------------------------------------------------------------------------------------------------

// The boards a Start sends to: ticked and shown. A ticked board the filter hides is left out (the note says so).
const tickedShown = () => Array.from(chosen).filter((name) => { const e = boards.get(name); return e && e.shown; });
const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;

const currentRun = () => { let last = null; for (const r of runs.values()) if (!last || r.id > last.id) last = r; return last; };
const runGoing = (r) => r && !r.endedAt;

function updateStartButton() {
  const note = $("start-note");
  const pattern = $("pattern").value.trim();
  const ticked = tickedShown().length, hidden = chosen.size - ticked;
  let why = "";
  if (!token()) why = "read-only: paste the token";
  else if (!image) why = "drop an image first";
  else if (image.refusal && !$("force").checked) why = "this image is refused (tick \"force\" to send it anyway)";
  else if (runGoing(currentRun())) why = "a run is going";
  else if (!pattern && ticked === 0) why = hidden ? `the ${plural(hidden, "ticked board")} ${hidden === 1 ? "is" : "are"} hidden by the filter` : "tick boards or give a pattern";
  $("start").disabled = !!why;
  note.textContent = why || (pattern ? `boards matching ${pattern}`
    : plural(ticked, "board") + (hidden ? ` (${plural(hidden, "ticked board")} hidden by the filter ${hidden === 1 ? "is" : "are"} left out)` : ""));
}

async function startRun() {
  $("start-error").hidden = true;
  const mode = document.querySelector("input[name=mode]:checked").value;
  const pattern = $("pattern").value.trim();
  const request = {
    image: image.id, mode, waitReboot: $("wait-reboot").checked, parallel: Number($("parallel").value) || null,
    maxRate: $("max-rate").value === "" ? null : Number($("max-rate").value),
    boards: pattern ? null : tickedShown(), pattern: pattern || null,
    stages: mode === "rollout" ? $("stages").value : null, maxFailures: mode === "rollout" ? $("max-failures").value : null,
    skipCurrent: mode === "rollout" && $("skip-current").checked, force: $("force").checked,
  };
  $("start").disabled = true;
  const { status, reply } = await post("/api/runs", request);
  if (status !== 200) { showError("start-error", "error: " + reply.message); updateStartButton(); return; }
  toast(reply.message);
}

function drawRun() {
  const r = currentRun();
  $("run-panel").hidden = !r;
  if (!r) return;
  $("run-id").textContent = r.id + (r.rolloutId ? ` (rollout ${r.rolloutId})` : "");
  const s = $("run-state");
  s.textContent = r.state;
  s.className = "pill " + ({ running: "run", stopping: "warn", completed: r.failed ? "warn" : "ok", stopped: "warn" }[r.state] || "off");
  $("run-image").textContent = `${r.kind === "rollout" ? "staged rollout" : "plain update"} of ${r.image}${r.version != null ? " (version " + r.version + ")" : ""} to ${r.boards} board${r.boards === 1 ? "" : "s"}` +
    (r.stages ? ` · stage ${r.stage} of ${r.stages}` : "") + (r.waitReboot ? " · waiting for each to come back" : "");
  // The bar counts boards that ended by an attempt (succeeded or failed); boards a stop aborted were never tried.
  $("run-progress").max = Math.max(1, r.boards);
  $("run-progress").value = r.state === "completed" ? r.done : r.succeeded + r.failed;
  const other = r.done - r.succeeded - r.failed;
  $("run-counts").textContent = `${r.done} of ${r.boards} done: ${r.succeeded} succeeded, ${r.failed} failed` +
    (other > 0 ? `, ${other} ${r.kind === "rollout" ? "aborted" : "skipped"}` : "");
  $("run-reason").textContent = r.reason || "";
  $("run-airtime").textContent = airtimeText(r);
  $("stop").hidden = !runGoing(r);
  $("stop").disabled = r.state === "stopping" || !token();
  updateStartButton();
}

const mbit = (bytesPerSecond) => (bytesPerSecond * 8 / 1e6).toFixed(1);

// "airtime 31.2 of 45.0 Mbit/s · 12 taking bytes · 20 erasing · 40 waiting", and once the run ended its peak and mean.
function airtimeText(r) {
  const a = r.airtime;
  if (!a) return "";
  const of = a.maxBytesPerSecond ? ` of ${mbit(a.maxBytesPerSecond)}` : "";
  if (r.endedAt) return a.bytes ? `airtime: at most ${mbit(a.peakBytesPerSecond)}${of} Mbit/s over a second, ${mbit(a.meanBytesPerSecond)} on average; at most ${a.peakSending} boards taking bytes` : "";
  return `airtime ${mbit(a.bytesPerSecond)}${of} Mbit/s · ${a.sending} taking bytes · ${a.erasing} erasing · ${a.waiting} waiting`;
}

async function stopRun() {
  const r = currentRun();
  if (!r) return;
  $("stop").disabled = true;
  const { reply } = await post(`/api/runs/${r.id}/stop`, {});
  toast(reply.message, !reply.ok);
}

// ---- virtual boards --------------------------------------------------------------------------------------------------

function openVirtual(name) {
  if (serialSource) serialSource.close();
  virtualBoard = name;
  $("virtual-panel").hidden = false;
  $("vb-name").textContent = name;
  $("vb-reply").textContent = "";
  const pre = $("vb-serial");
  pre.textContent = "";
  showPin(false);
  showWifi(true);
  if (token()) control("status", true).then(readStatus);
  serialSource = new EventSource(`/api/virtual/${encodeURIComponent(name)}/serial`);
  serialSource.addEventListener("lines", (e) => {
    const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    const fragment = document.createDocumentFragment();
    for (const line of JSON.parse(e.data)) {
      const span = document.createElement("span");
      if (line.note) span.className = "note";
      span.textContent = (line.note ? "[virtual board] " : "") + line.text + "\n";
      fragment.appendChild(span);
    }
    pre.appendChild(fragment);
    while (pre.childNodes.length > 2000) pre.removeChild(pre.firstChild);
    if (atBottom) pre.scrollTop = pre.scrollHeight;
  });
  $("virtual-panel").scrollIntoView({ block: "nearest" });
}

// The buttons say what the board has: "status" answers "…; pins 18 (PE_5)=high; wifi down (not connected); …".
function readStatus(reply) {
  if (!reply || !reply.ok || reply.board !== virtualBoard) return;
  showPin(/pins [^;]*\b18 \(PE_5\)=high/.test(reply.message));
  showWifi(!/wifi down/.test(reply.message));
}

function showPin(high) {
  const b = $("vb-pin");
  b.dataset.pin = high ? "high" : "low";
  b.textContent = `Recovery pin: ${high ? "HIGH (reset to apply)" : "low"}`;
}

function showWifi(up) {
  const b = $("vb-wifi");
  b.dataset.wifi = up ? "up" : "down";
  b.textContent = `Wi-Fi: ${up ? "up" : "DOWN"}`;
}

// Runs a control command on the open board; its reply goes under the buttons unless quiet (the status read on opening).
async function control(command, quiet = false) {
  const board = virtualBoard;
  if (!board) return;
  if (!token()) { if (!quiet) $("vb-reply").textContent = "read-only: paste the token first"; return; }
  const { reply } = await post(`/api/virtual/${encodeURIComponent(board)}/control`, { command });
  reply.board = board;
  if (!quiet && board === virtualBoard) {
    $("vb-reply").textContent = (reply.ok ? "ok: " : "error: ") + reply.message;
    $("vb-reply").className = reply.ok ? "muted" : "bad-text";
  }
  return reply;
}

// ---- history ---------------------------------------------------------------------------------------------------------

async function loadHistory() {
  const q = new URLSearchParams();
  if ($("h-board").value.trim()) q.set("board", $("h-board").value.trim());
  if ($("h-image").value.trim()) q.set("image", $("h-image").value.trim());
  if ($("h-since").value) q.set("since", new Date($("h-since").value).toISOString());
  const response = await fetch("/api/history?" + q);
  if (!response.ok) { toast("history: " + (await response.json()).message, true); return; }
  const h = await response.json();
  historyShown = h.info.version;
  $("h-where").textContent = "history: " + h.info.where;
  drawHistory(h);
}

function cell(row, text, cls) { const td = row.insertCell(); td.textContent = text == null ? "" : text; if (cls) td.className = cls; return td; }

function drawHistory(h) {
  const words = $("h-filter").value.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const keep = (parts) => words.every((w) => parts.filter(Boolean).join(" ").toLowerCase().includes(w));
  const body = $("uploads").tBodies[0];
  body.textContent = "";
  let shown = 0;
  for (const u of h.uploads) {
    if (!keep([u.board, u.image, u.sha256, u.outcome, u.error, u.command])) continue;
    const row = body.insertRow();
    row.dataset.board = u.board;
    cell(row, new Date(u.startedAt).toLocaleString());
    cell(row, u.board);
    cell(row, `${u.image}${u.version != null ? " v" + u.version : ""} · ${u.sha256.slice(0, 10)}`);
    cell(row, u.outcome ? outcomeText(u.outcome) : "running (or its process died)", "outcome " + (u.outcome === "rebooted" ? "ok-text" : ["failed", "not-back", "cancelled"].includes(u.outcome) ? "bad-text" : ""));
    cell(row, u.error, "reason");
    cell(row, u.attempts);
    cell(row, u.rebootMs != null ? (u.rebootMs / 1000).toFixed(2) + " s" : "");
    cell(row, u.command + (u.rollout ? ` #${u.rollout}` : ""));
    shown++;
  }
  $("no-uploads").hidden = shown > 0;
  const box = $("rollouts");
  box.textContent = "";
  if (!h.rollouts.length) { const p = document.createElement("p"); p.className = "empty"; p.textContent = "No rollout yet."; box.appendChild(p); }
  for (const r of h.rollouts) {
    if (!keep([String(r.id), r.image, r.sha256, r.state, r.reason, ...r.boards.map((b) => b.board + " " + b.state + " " + (b.error || ""))])) continue;
    const d = document.createElement("details");
    d.className = "rollout";
    d.dataset.rollout = r.id;
    const s = document.createElement("summary");
    const counts = {};
    for (const b of r.boards) counts[b.state] = (counts[b.state] || 0) + 1;
    s.textContent = `Rollout ${r.id}: ${r.image} · stages ${r.stages} · max failures ${r.maxFailures} · ${r.state}${r.reason ? " (" + r.reason + ")" : ""} · ` +
      Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(", ") + ` · ${new Date(r.createdAt).toLocaleString()}`;
    d.appendChild(s);
    const t = document.createElement("table");
    for (const b of r.boards) {
      const row = t.insertRow();
      cell(row, "stage " + b.stage);
      cell(row, b.board);
      cell(row, b.state, goodStates.has(b.state) ? "ok-text" : badStates.has(b.state) ? "bad-text" : "");
      cell(row, b.error, "reason");
    }
    d.appendChild(t);
    box.appendChild(d);
  }
}

// ---- wiring ----------------------------------------------------------------------------------------------------------

function showTab(name) {
  for (const b of document.querySelectorAll(".tabs button")) b.setAttribute("aria-selected", String(b.dataset.tab === name));
  $("view-boards").hidden = name !== "boards";
  $("view-history").hidden = name !== "history";
  if (name === "history") loadHistory();
  else rows.schedule();
}

function wire() {
  for (const b of document.querySelectorAll(".tabs button")) b.addEventListener("click", () => showTab(b.dataset.tab));
  $("token-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const t = $("token-input").value.trim();
    if (t) { sessionStorage.setItem("ameba-ota-token", t); $("token-input").value = ""; showTokenState(); drawRun(); }
  });
  $("filter").addEventListener("input", refilter);
  $("show").addEventListener("change", refilter);
  const pick = (on) => {
    for (const e of boards.values()) if (!on || e.shown) { if (on) chosen.add(e.data.name); else chosen.delete(e.data.name); e.stale = true; }
    $("pick-all").checked = on;
    rows.refresh();
    drawCounts();
  };
  $("select-shown").addEventListener("click", () => pick(true));
  $("select-none").addEventListener("click", () => pick(false));
  $("pick-all").addEventListener("change", (e) => pick(e.target.checked));
  $("force").addEventListener("change", updateStartButton);
  const drop = $("drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); if (e.dataTransfer.files.length) sendImage(e.dataTransfer.files[0]); });
  $("file").addEventListener("change", (e) => { if (e.target.files.length) sendImage(e.target.files[0]); e.target.value = ""; });
  $("pattern").addEventListener("input", updateStartButton);
  for (const r of document.querySelectorAll("input[name=mode]"))
    r.addEventListener("change", () => {
      const rollout = document.querySelector("input[name=mode]:checked").value === "rollout";
      for (const e of document.querySelectorAll(".rollout-only")) e.hidden = !rollout;
    });
  $("start").addEventListener("click", startRun);
  $("stop").addEventListener("click", stopRun);
  for (const b of document.querySelectorAll("#virtual-panel [data-command]:not([data-command=status])")) b.addEventListener("click", () => control(b.dataset.command));
  $("vb-pin").addEventListener("click", async () => {
    const high = $("vb-pin").dataset.pin !== "high";
    const reply = await control(`pin 18 ${high ? "high" : "low"}`);
    if (reply && reply.ok) showPin(high);
  });
  $("vb-wifi").addEventListener("click", async () => {
    const up = $("vb-wifi").dataset.wifi !== "up";
    const reply = await control(`wifi ${up ? "up" : "down"}`);
    if (reply && reply.ok) showWifi(up);
  });
  for (const b of document.querySelectorAll("#virtual-panel [data-command=status]")) b.addEventListener("click", async () => readStatus(await control("status")));
  for (const id of ["h-board", "h-image", "h-since"]) $(id).addEventListener("change", loadHistory);
  $("h-filter").addEventListener("input", loadHistory);
  // "last seen 5 s ago" ages: redraw the seen column now and then.
  setInterval(() => { for (const e of boards.values()) if (!e.data.online && e.data.lastSeen) { e.drawn && (e.drawn.seen = ""); e.stale = true; } rows.refresh(); }, 15000);
}

// A hidden tab lets go of its streams (a browser keeps at most 6 connections to one server) and takes them up again,
// from a fresh snapshot, when it is shown.
document.addEventListener("visibilitychange", () => {
  if (document.hidden) {
    if (events) { events.close(); events = null; }
    if (serialSource) { serialSource.close(); serialSource = null; }
    setConnection(false, "paused (tab hidden)");
  } else {
    connect();
    if (virtualBoard) openVirtual(virtualBoard);
  }
});

takeTokenFromLink();
rows = new VirtualRows({ scroller: document.querySelector("#view-boards .table-wrap"), body: $("boards").tBodies[0], columns: $("boards").tHead.rows[0].cells.length, rowFor });
wire();
showTokenState();
connect();
