// AmebaOta dashboard, sites: with a shared PostgreSQL database the page shows every site's boards, the sites and their
// agents (up or down, by their heartbeats), the database connection, and the work open on each board whoever asked for it
// (this page, another dashboard, a CLI). dashboard.js calls applySites() with each event's "sites" and drawJob() per row.
"use strict";

let sitesShown = null;   // the last "sites" received

function applySites(s) {
  const before = sitesShown;
  sitesShown = s || null;
  document.body.classList.toggle("has-sites", !!s && (s.sites.length > 0 || s.agents.length > 0));
  drawDatabase(s ? s.database : null, before ? before.database : null);
  drawSites(s);
}

function drawDatabase(d, before) {
  const pill = document.getElementById("database"), problem = document.getElementById("database-problem");
  pill.hidden = !d;
  problem.hidden = !d || d.connected;
  if (!d) return;
  pill.textContent = d.connected ? "database" : "database lost";
  pill.className = "pill " + (d.connected ? "ok" : "off");
  pill.title = "the shared database " + d.where + (d.connected ? ": connected" : ": lost");
  if (!d.connected) problem.textContent = `${d.problem} (since ${new Date(d.lostSince).toLocaleTimeString()}): boards, sites and jobs shown may be out of date`;
  if (d.connected && before && !before.connected) toast("reconnected to the database");
}

function drawSites(s) {
  const panel = document.getElementById("sites-panel");
  panel.textContent = "";
  panel.hidden = !s || s.sites.length === 0;
  if (panel.hidden) return;
  for (const site of s.sites) {
    const card = document.createElement("section");
    card.className = "site-card" + (site.agentsUp ? "" : " down");
    card.dataset.site = site.name;
    const h = document.createElement("h3");
    const up = document.createElement("span");
    up.className = "pill " + (site.agentsUp ? "ok" : "off");
    up.textContent = site.agentsUp ? `${site.agentsUp} agent${site.agentsUp === 1 ? "" : "s"} up` : "no agent up";
    h.append(site.name, up);
    const counts = document.createElement("div");
    counts.className = "counts";
    counts.textContent = `${site.boardsOnline} of ${site.boards} board${site.boards === 1 ? "" : "s"} online · ${site.openJobs} open job${site.openJobs === 1 ? "" : "s"}`;
    const list = document.createElement("ul");
    list.className = "agents";
    // Agents up, and those that stopped or went silent (killed, cut off) in the last hour.
    for (const a of s.agents.filter((a) => a.site === site.name && (a.up || Date.now() - new Date(a.heartbeatAt).getTime() < 3600e3))) {
      const li = document.createElement("li");
      li.dataset.agent = a.name;
      const dot = document.createElement("span");
      dot.className = "dot" + (a.up ? " on" : "");
      li.append(dot, `${a.name} ${a.up ? `up · ${a.jobsRunning} running` : a.stoppedAt ? "stopped " + when(a.stoppedAt) : "silent since " + when(a.heartbeatAt)}`);
      li.title = `${a.host}, pid ${a.pid}${a.interface ? ", mDNS on " + a.interface : ""}; last heartbeat ${new Date(a.heartbeatAt).toLocaleString()}`;
      list.appendChild(li);
    }
    card.append(h, counts, list);
    panel.appendChild(card);
  }
}

// Work on a board from the job queue, shown under the page's own run state (or alone, when this page's run is not on it).
function drawJob(entry) {
  const b = entry.data, td = entry.cells.update, u = b.update;
  const j = !u || u.final ? b.job : null;
  const key = j ? `${j.id}|${j.state}|${j.detail}|${j.acked}|${j.attempt}|${j.error}` : "";
  if (entry.drawn.job === key && (!j || (entry.jobSpan && entry.jobSpan.parentNode === td))) return;
  entry.drawn.job = key;
  if (entry.jobSpan) entry.jobSpan.remove();
  entry.jobSpan = null;
  if (!j) return;
  const span = document.createElement("span");
  span.className = "job " + j.state;
  let what = j.state;
  if (j.state === "running") what = (j.detail || "running") + (j.detail === "sending" && j.total ? ` ${Math.floor(j.acked * 100 / j.total)}%` : "") + (j.attempt > 1 ? ` · attempt ${j.attempt}` : "");
  if (j.state === "queued") what = `queued for the agent of ${j.site}`;
  if (j.state === "interrupted") what = `interrupted (its agent stopped); waiting for an agent of ${j.site}`;
  span.textContent = `${what} · job ${j.id} for ${j.requestedBy} (${j.command}${j.rollout ? ", rollout " + j.rollout : ""})`;
  span.title = (j.agent ? "agent " + j.agent + ". " : "") + (j.error || "");
  td.appendChild(span);
  entry.jobSpan = span;
}
