// vlca workbench: controls -> POST /api/evaluate -> figures and Vega-Lite charts.
// State (scenario, reference, overrides) lives in the URL hash so a link reopens the what-if.
"use strict";
// stage labels and colours, and the line colours, of the report's charts (from /api/catalogue)
const PALETTE = { stages: [], lines: {} };
let STAGE_LABELS = {};
const EMBED = { actions: false, renderer: "canvas", ast: true, expr: vega.expressionInterpreter,
  defaultStyle: false, tooltip: false };
const state = { scenario: "", reference: "", good: {}, controls: [], seq: 0, busy: false, queued: null };
const $ = (id) => document.getElementById(id);
const fmt = (v, d) => Number(v).toLocaleString("en-GB", { minimumFractionDigits: d, maximumFractionDigits: d });

function readHash() {
  const p = new URLSearchParams(location.hash.slice(1));
  const ov = {};
  for (const [k, v] of p) {
    if (!k.startsWith("o.")) continue;
    const n = Number(v);
    ov[k.slice(2)] = v !== "" && Number.isFinite(n) && !/^[a-z]/i.test(v) ? n : v;
  }
  return { scenario: p.get("scenario"), reference: p.get("reference"), overrides: ov };
}
function writeHash() {
  const p = new URLSearchParams();
  p.set("scenario", state.scenario);
  p.set("reference", state.reference);
  for (const [k, v] of Object.entries(state.good)) p.set("o." + k, String(v));
  history.replaceState(null, "", "#" + p.toString());
}
async function api(path, body) {
  const r = await fetch(path, body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const data = r.headers.get("content-type")?.includes("json") ? await r.json() : await r.text();
  return { ok: r.ok, status: r.status, data };
}
function fmtShort(v) { return Number(v).toLocaleString("en-GB", { maximumSignificantDigits: 4 }); }
function idOf(path) { return "c-" + path.replace(/[^A-Za-z0-9]/g, "-"); }

function controlRow(c) {
  const div = document.createElement("div");
  div.className = "control";
  div.dataset.path = c.path;
  const id = idOf(c.path);
  const label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = c.label;
  div.appendChild(label);
  const row = document.createElement("div");
  row.className = "row";
  if (c.kind === "choice") {
    const sel = document.createElement("select");
    sel.id = id;
    c.options.forEach((o, i) => sel.add(new Option(c.option_labels[i] || o, o)));
    sel.addEventListener("change", () => change(c, sel.value));
    row.appendChild(sel);
  } else {
    const range = document.createElement("input");
    range.type = "range"; range.id = id;
    range.min = c.low; range.max = c.high; range.step = c.step;
    const num = document.createElement("input");
    num.type = "number"; num.step = "any"; num.id = id + "-value";
    num.setAttribute("aria-label", c.label + " value");
    const unit = document.createElement("span");
    unit.className = "unit"; unit.textContent = c.unit || "(no unit)";
    range.addEventListener("input", () => { num.value = range.value; change(c, Number(range.value)); });
    num.addEventListener("change", () => {
      const v = num.value.trim() === "" ? NaN : Number(num.value);
      if (!Number.isFinite(v)) { showError(c.path, "a number is needed"); return; }
      range.value = v; change(c, v);
    });
    row.append(range, num, unit);
    div.appendChild(row);
    const ends = document.createElement("div");
    ends.className = "range";
    const lo = document.createElement("span"), hi = document.createElement("span");
    lo.textContent = fmtShort(c.low); hi.textContent = fmtShort(c.high);
    ends.append(lo, hi);
    div.appendChild(ends);
  }
  if (c.kind === "choice") div.appendChild(row);
  const src = document.createElement("div");
  src.className = "source"; src.textContent = "Source: " + c.source; src.title = c.source;
  const err = document.createElement("div");
  err.className = "error"; err.id = id + "-error"; err.setAttribute("role", "alert");
  div.append(err, src);
  return div;
}
function setControl(c, v) {
  const el = $(idOf(c.path));
  if (!el) return;
  el.value = v;
  const num = $(idOf(c.path) + "-value");
  if (num) num.value = v;
  el.closest(".control").classList.toggle("changed", v !== c.value);
}
function showError(path, msg) {
  const el = path && $(idOf(path) + "-error");
  if (el) el.textContent = msg; else $("general-error").textContent = msg;
}
function clearErrors() {
  document.querySelectorAll(".error").forEach((e) => { e.textContent = ""; });
}

async function loadControls(keepOverrides) {
  const r = await api("/api/controls?scenario=" + encodeURIComponent(state.scenario));
  if (!r.ok) { showError("", JSON.stringify(r.data.errors || r.data.error)); return; }
  state.controls = r.data.controls;
  const aside = $("controls");
  aside.replaceChildren();
  let group = "";
  for (const c of state.controls) {
    if (c.group !== group) {
      group = c.group;
      const h = document.createElement("h3"); h.textContent = group; aside.appendChild(h);
    }
    aside.appendChild(controlRow(c));
  }
  const known = new Set(state.controls.map((c) => c.path));
  const wanted = Object.fromEntries(Object.entries(keepOverrides || {}).filter(([k]) => known.has(k)));
  state.good = {};
  for (const c of state.controls) setControl(c, c.path in wanted ? wanted[c.path] : c.value);
  return wanted;
}

function change(c, value) {
  const next = { ...state.good };
  if (value === c.value) delete next[c.path]; else next[c.path] = value;
  request(next, c.path);
}
function request(overrides, path) {
  state.queued = { overrides, path };
  if (!state.busy) pump();
}
async function pump() {
  state.busy = true;
  while (state.queued) {
    const { overrides, path } = state.queued;
    state.queued = null;
    const t0 = performance.now();
    const r = await api("/api/evaluate", { scenario: state.scenario, reference: state.reference, overrides });
    const dt = performance.now() - t0;
    if (r.ok) {
      if (!state.keepErrors) clearErrors();
      state.keepErrors = false;
      state.rendered = true;
      state.good = overrides;
      for (const c of state.controls) if (c.kind !== "parameter" || c.path !== path) setControl(c, c.path in overrides ? overrides[c.path] : c.value);
      const pc = state.controls.find((c) => c.path === path);
      if (pc) $(idOf(pc.path)).closest(".control").classList.toggle("changed", pc.path in overrides);
      writeHash();
      render(r.data, dt);
    } else if (r.data && r.data.errors) {
      for (const [p, m] of Object.entries(r.data.errors)) showError(p || path, m);
      $("status").textContent = "Not applied: the value is not accepted (results unchanged).";
      if (!state.rendered && !state.queued) {
        // a link with a refused value: show the scenario as loaded, the message stays
        state.keepErrors = true;
        state.queued = { overrides: {}, path: "" };
      }
    } else {
      showError(path, (r.data && r.data.error) || "request failed (" + r.status + ")");
    }
  }
  state.busy = false;
}

function render(d, dt) {
  const w = d.what_if, ref = d.reference, base = d.as_loaded;
  $("total").textContent = fmt(w.total_t, 2);
  $("perkm").textContent = fmt(w.per_km, 1);
  const diff = 100 * (w.total_kg / ref.total_kg - 1);
  $("vsref").textContent = (diff > 0 ? "+" : "") + fmt(diff, 0) + " %";
  $("vsref-label").textContent = "vs " + state.reference.split("/").pop().replace(".yaml", "");
  $("breakeven").textContent = d.break_even_km === null ? "none" : fmt(d.break_even_km, 0) + " km";
  $("status").textContent = `server ${fmt(d.server_ms.what_if, 1)} ms (what-if), ${fmt(d.server_ms.all, 1)} ms (all figures); page round trip ${fmt(dt, 0)} ms` +
    (d.server_ms.what_if > 50 ? " (a new structure: built, checked by bw2calc and compiled once; cached now)" : "");
  const names = [["what-if", w], ["as loaded", base], ["reference", ref]];
  const rows = [];
  for (const [n, f] of names) for (const [s, v] of Object.entries(f.stages)) rows.push({ vehicle: n, stage: STAGE_LABELS[s] || s, t: v / 1000 });
  vegaEmbed("#stages", {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json", autosize: { type: "fit", contains: "padding" }, width: "container", height: 250,
    data: { values: rows }, mark: "bar",
    encoding: {
      y: { field: "vehicle", type: "nominal", sort: ["what-if", "as loaded", "reference"], title: null },
      x: { field: "t", type: "quantitative", title: "t CO2e per vehicle", stack: "zero" },
      color: { field: "stage", type: "nominal", sort: Object.values(STAGE_LABELS), scale: { domain: Object.values(STAGE_LABELS), range: PALETTE.stages.map((x) => x.colour) }, legend: { orient: "bottom", columns: 4, title: null } },
    },
  }, EMBED);
  state.last = d;
  drawCumulative(d);
  const stale = state.mc && state.mc.key !== stateKey();
  if (stale) $("mc-summary").dataset.stale = "1";
  if (stale) $("mc-summary").textContent = "The what-if changed since the Monte Carlo run: run it again for its band.";
  const tb = $("hotspots").tBodies[0];
  tb.replaceChildren();
  for (const h of w.hotspots) {
    const tr = tb.insertRow();
    tr.insertCell().textContent = h.label;
    tr.insertCell().textContent = STAGE_LABELS[h.stage] || h.stage;
    const a = tr.insertCell(); a.className = "num"; a.textContent = fmt(h.kg, 0);
    const b = tr.insertCell(); b.className = "num"; b.textContent = fmt(100 * h.share, 1) + " %";
  }
  const ul = $("changed");
  ul.replaceChildren();
  if (!d.changed.length) { const li = document.createElement("li"); li.textContent = "nothing: the scenario as loaded"; ul.appendChild(li); }
  for (const c of d.changed) {
    const li = document.createElement("li");
    li.textContent = `${c.label}: ${c.was} → ${c.now} ${c.unit || ""}`;
    ul.appendChild(li);
  }
  if (d.changed.length) {
    const li = document.createElement("li");
    const dk = w.total_kg - base.total_kg;
    li.textContent = `total ${dk >= 0 ? "+" : ""}${fmt(dk / 1000, 2)} t CO2e, ${fmt(w.per_km - base.per_km, 1)} g CO2e/km vs as loaded`;
    li.style.fontWeight = "600";
    ul.appendChild(li);
  }
}

function stateKey() { return JSON.stringify([state.scenario, state.reference, state.good]); }

function drawCumulative(d) {
  const lines = [];
  for (const p of d.cumulative.what_if) lines.push({ vehicle: "what-if", km: p.km, t: p.t });
  for (const p of d.cumulative.reference) lines.push({ vehicle: "reference", km: p.km, t: p.t });
  const color = { field: "vehicle", type: "nominal", scale: { domain: ["what-if", "reference"], range: [PALETTE.lines.what_if, PALETTE.lines.reference] }, legend: { orient: "bottom", title: null } };
  const layers = [];
  const mc = state.mc && state.mc.key === stateKey() ? state.mc.data : null;
  if (mc) {
    const b = [];
    for (const p of mc.band.what_if) b.push({ vehicle: "what-if", ...p });
    for (const p of mc.band.reference) b.push({ vehicle: "reference", ...p });
    layers.push({ data: { values: b }, mark: { type: "area", opacity: 0.18 }, encoding: {
      x: { field: "km", type: "quantitative" }, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" }, color } });
  }
  layers.push({ data: { values: lines }, mark: { type: "line", strokeWidth: 2 }, encoding: {
    x: { field: "km", type: "quantitative", title: mc ? "distance (km); bands: 95 % of 10,000 samples" : "distance (km)" },
    y: { field: "t", type: "quantitative", title: "cumulative t CO2e" }, color } });
  if (d.break_even_km !== null) layers.push({ data: { values: [{ km: d.break_even_km }] }, mark: { type: "rule", strokeDash: [4, 3], color: "#555" }, encoding: { x: { field: "km", type: "quantitative" } } });
  vegaEmbed("#cumulative", { $schema: "https://vega.github.io/schema/vega-lite/v5.json", autosize: { type: "fit", contains: "padding" }, width: "container", height: 250, layer: layers }, EMBED);
}

async function runUncertainty() {
  $("mc-summary").textContent = "running…";
  const r = await api("/api/uncertainty", { scenario: state.scenario, reference: state.reference, overrides: state.good });
  if (!r.ok) { $("mc-summary").textContent = JSON.stringify(r.data.errors || r.data.error); return; }
  const d = r.data, a = d.what_if.per_km, b = d.reference.per_km;
  state.mc = { key: stateKey(), data: d };
  if (state.last) drawCumulative(state.last);
  const be = d.break_even_km;
  const beText = be.p50 === null ? "no break-even within 500,000 km in any sample" :
    `break-even ${fmt(be.p50, 0)} km (95 % interval ${fmt(be.p2_5, 0)}–${fmt(be.p97_5, 0)} km${be.share_none > 0 ? `; none within 500,000 km in ${fmt(100 * be.share_none, 1)} %` : ""})`;
  $("mc-summary").textContent = `${d.what_if.samples.toLocaleString("en-GB")} samples each (seed 0; the parameters you set are held at your values): what-if ${fmt(a.p50, 1)} g CO2e/km (95 % interval ${fmt(a.p2_5, 1)}–${fmt(a.p97_5, 1)}), reference ${fmt(b.p50, 1)} (${fmt(b.p2_5, 1)}–${fmt(b.p97_5, 1)}); the what-if is lower in ${fmt(100 * d.share_below_reference, 1)} % of paired samples; ${beText}. Server ${fmt(d.server_ms, 0)} ms.`;
  $("mc-charts").hidden = false;
  const band = [{ vehicle: "what-if", ...a }, { vehicle: "reference", ...b }];
  vegaEmbed("#mc-chart", { $schema: "https://vega.github.io/schema/vega-lite/v5.json", autosize: { type: "fit", contains: "padding" }, width: "container", height: 160, title: "g CO2e/km: 95 % and 90 % intervals, median",
    data: { values: band }, encoding: { y: { field: "vehicle", type: "nominal", title: null } },
    layer: [
      { mark: { type: "rule", strokeWidth: 2 }, encoding: { x: { field: "p2_5", type: "quantitative", title: "g CO2e/km", scale: { zero: false } }, x2: { field: "p97_5" } } },
      { mark: { type: "bar", height: 14, opacity: 0.5 }, encoding: { x: { field: "p5", type: "quantitative" }, x2: { field: "p95" } } },
      { mark: { type: "tick", thickness: 3, size: 22, color: "#000" }, encoding: { x: { field: "p50", type: "quantitative" } } }] }, EMBED);
  const t = d.tornado.map((x) => ({ parameter: x.label, lo: x.at_low, hi: x.at_high, base: x.base, range: `${fmt(x.low, 3)}–${fmt(x.high, 3)} ${x.unit}` }));
  vegaEmbed("#tornado", { $schema: "https://vega.github.io/schema/vega-lite/v5.json", autosize: { type: "fit", contains: "padding" }, width: "container", height: 60 + 30 * t.length, title: "Tornado: g CO2e/km at each end of a parameter's range",
    data: { values: t }, encoding: { y: { field: "parameter", type: "nominal", sort: null, title: null } },
    layer: [
      { mark: { type: "bar", color: "#7aa6c2" }, encoding: { x: { field: "lo", type: "quantitative", title: "g CO2e/km", scale: { zero: false } }, x2: { field: "hi" } } },
      { mark: { type: "tick", color: "#000", thickness: 2 }, encoding: { x: { field: "base", type: "quantitative" } } }] }, EMBED);
}

async function save() {
  const r = await fetch("/api/scenario", { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ scenario: state.scenario, overrides: state.good }) });
  if (!r.ok) { const d = await r.json(); showError("", JSON.stringify(d.errors || d.error)); return; }
  const blob = await r.blob();
  const cd = r.headers.get("content-disposition") || "";
  const name = (cd.match(/filename="([^"]+)"/) || [])[1] || "what-if.yaml";
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob); a.download = name;
  document.body.appendChild(a); a.click(); a.remove();
}

async function start() {
  const cat = (await api("/api/catalogue")).data;
  PALETTE.stages = cat.stages;
  PALETTE.lines = cat.lines;
  STAGE_LABELS = Object.fromEntries(cat.stages.map((x) => [x.key, x.label]));
  const h = readHash();
  state.scenario = cat.files.includes(h.scenario) ? h.scenario : cat.scenario;
  state.reference = cat.files.includes(h.reference) ? h.reference : cat.reference;
  for (const id of ["scenario", "reference"]) {
    const sel = $(id);
    cat.files.forEach((f) => sel.add(new Option(f, f)));
    sel.value = state[id];
  }
  $("scenario").addEventListener("change", async () => { state.scenario = $("scenario").value; clearErrors(); request(await loadControls({}), ""); });
  $("reference").addEventListener("change", () => { state.reference = $("reference").value; request(state.good, ""); });
  $("reset").addEventListener("click", async () => { await loadControls({}); request({}, ""); });
  $("save").addEventListener("click", save);
  $("run-mc").addEventListener("click", runUncertainty);
  request(await loadControls(h.overrides), "");
}
start();
