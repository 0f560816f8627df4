// nianbao explorer: indicator picker, year-over-year charts (ECharts) with their table, evidence of every
// value, coverage matrix and review list. Reads window.NIANBAO (data.js); needs no network.
"use strict";

const D = window.NIANBAO;
const KIND_NAMES = {
  law_based_government_annual_report: "法治政府建设报告",
  government_work_report: "政府工作报告",
  gov_info_disclosure_annual_report: "政府信息公开年报",
};
const MAX_DEFAULT_REGIONS = 6;

const regionName = Object.fromEntries(D.regions.map((r) => [r.region_code, r.name]));
const reportById = Object.fromEntries(D.reports.map((r) => [r.report_id, r]));
const indicatorByCode = Object.fromEntries(D.indicators.map((i) => [i.code, i]));
const valuesByCode = {};
D.values.forEach((v, index) => {
  v.index = index;
  (valuesByCode[v.code] = valuesByCode[v.code] || []).push(v);
});

let chart = null;
let currentCode = null;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function fmt(value) {
  if (value === null || value === undefined) return "";
  return Number(value).toLocaleString("zh-CN", { maximumFractionDigits: 4 });
}

function kindName(kind) {
  return KIND_NAMES[kind] || kind;
}

function regionLabel(code) {
  return regionName[code] ? `${regionName[code]} (${code})` : code;
}

// ---------------------------------------------------------------- pages

function showPage() {
  const page = (location.hash.replace("#", "") || "indicators").split("/")[0];
  document.querySelectorAll(".page").forEach((p) => p.classList.toggle("active", p.id === `page-${page}`));
  document.querySelectorAll("header nav a").forEach((a) => a.classList.toggle("active", a.dataset.page === page));
  if (page === "indicators" && chart) chart.resize();
  if (page !== "indicators") document.getElementById("evidence").hidden = true;
}

// ---------------------------------------------------------------- indicator picker

function domains() {
  return [...new Set(D.indicators.map((i) => i.domain))].sort();
}

function fillDomains() {
  const select = document.getElementById("domain");
  for (const domain of domains()) {
    const count = D.indicators.filter((i) => i.domain === domain && i.n_values > 0).length;
    select.append(el("option", { value: domain }, `${domain} (${count} with values)`));
  }
  select.addEventListener("change", () => fillIndicators(select.value));
  const firstWithValues = D.indicators.find((i) => i.n_values > 0);
  select.value = firstWithValues ? firstWithValues.domain : domains()[0];
  fillIndicators(select.value);
}

function fillIndicators(domain) {
  const list = document.getElementById("indicator-list");
  list.replaceChildren();
  for (const ind of D.indicators.filter((i) => i.domain === domain)) {
    const item = el("li", { dataset: { code: ind.code }, class: ind.n_values ? "" : "empty",
      title: ind.name_en },
      el("strong", {}, ind.name_zh), ` ${ind.n_values ? "" : "(no values)"}`,
      el("span", { class: "code" }, `${ind.code} · ${ind.unit}`));
    item.addEventListener("click", () => pickIndicator(ind.code));
    list.append(item);
  }
}

function definition(ind) {
  const family = ind.family_units ? ` Any measure word of the ${ind.family} family counts: ${ind.family_units}.` : "";
  return `${ind.name_en}. Stored in ${ind.unit}.${family}`;
}

function pickIndicator(code) {
  currentCode = code;
  const ind = indicatorByCode[code];
  document.querySelectorAll("#indicator-list li").forEach((li) => li.classList.toggle("selected", li.dataset.code === code));
  document.getElementById("indicator-title").textContent = `${ind.name_zh} (${code})`;
  document.getElementById("indicator-definition").textContent = definition(ind);
  const rows = valuesByCode[code] || [];
  const regions = [...new Set(rows.map((v) => v.region_code))];
  const picker = document.getElementById("region-picker");
  picker.replaceChildren(el("legend", {}, "地区 Regions"));
  regions.forEach((region, i) => {
    const box = el("input", { type: "checkbox", dataset: { region } });
    box.checked = i < MAX_DEFAULT_REGIONS;
    box.addEventListener("change", drawIndicator);
    picker.append(el("label", {}, box, ` ${regionLabel(region)}`));
  });
  if (!regions.length) picker.append("no values loaded for this indicator");
  history.replaceState(null, "", `#indicators/${code}`);
  drawIndicator();
}

function selectedRegions() {
  return new Set([...document.querySelectorAll("#region-picker input:checked")].map((b) => b.dataset.region));
}

// ---------------------------------------------------------------- chart and table

function seriesOf(rows) {
  const kinds = new Set(rows.map((v) => v.kind));
  const series = new Map();
  for (const v of rows) {
    const key = `${v.region_code}|${v.kind}|${v.scope || ""}`;
    if (!series.has(key)) {
      let name = regionName[v.region_code] || v.region_code;
      if (v.scope) name += ` / ${v.scope}`;
      if (kinds.size > 1) name += ` · ${kindName(v.kind)}`;
      series.set(key, { name, rows: [] });
    }
    series.get(key).rows.push(v);
  }
  return [...series.values()];
}

function drawIndicator() {
  const ind = indicatorByCode[currentCode];
  const chosen = selectedRegions();
  const rows = (valuesByCode[currentCode] || []).filter((v) => chosen.has(v.region_code));
  const years = rows.map((v) => v.report_year);
  const first = Math.min(...years);
  const last = Math.max(...years);
  const axis = rows.length ? Array.from({ length: last - first + 1 }, (_, i) => String(first + i)) : [];
  const series = seriesOf(rows).map((s) => {
    const byYear = Object.fromEntries(s.rows.map((v) => [String(v.report_year), v]));
    return {
      name: s.name, type: "line", connectNulls: false, symbolSize: 8,
      data: axis.map((year) => (byYear[year]
        ? { value: byYear[year].value, valueIndex: byYear[year].index } : null)),
    };
  });
  const units = [...new Set(rows.map((v) => v.unit))];
  chart.setOption({
    title: { text: `${ind.name_zh}`, subtext: `${currentCode} · 同比 year over year`, left: "center" },
    tooltip: { trigger: "axis" },
    legend: { bottom: 0, type: "scroll" },
    grid: { left: 70, right: 30, top: 70, bottom: 60 },
    xAxis: { type: "category", data: axis, name: "年度" },
    yAxis: { type: "value", name: units.join(" / ") || ind.unit },
    series,
  }, { notMerge: true });
  drawTable(rows);
}

function valueLink(v) {
  const text = `${fmt(v.value)}${v.value_high !== null ? "–" + fmt(v.value_high) : ""}`;
  return el("a", { href: `#indicators/${v.code}`, class: "value", dataset: { valueIndex: v.index },
    onclick: (event) => { event.preventDefault(); showEvidence(v.index); } }, text);
}

function drawTable(rows) {
  const table = document.getElementById("values-table");
  table.replaceChildren(el("tr", {}, ...["地区 region", "范围 scope", "年度 year", "值 value", "单位",
    "上年 previous", "同比 %"].map((h) => el("th", {}, h))));
  for (const v of rows) {
    const flag = v.n_values > 1 ? el("span", { class: "flag", title: D.pick_rule }, ` (1 of ${v.n_values})`) : null;
    table.append(el("tr", {},
      el("td", {}, regionName[v.region_code] || v.region_code), el("td", {}, v.scope || ""),
      el("td", {}, v.report_year), el("td", { class: "num" }, valueLink(v), flag), el("td", {}, v.unit),
      el("td", { class: "num" }, fmt(v.previous_value)),
      el("td", { class: "num" }, v.change_pct === null ? "" : `${v.change_pct > 0 ? "+" : ""}${v.change_pct}%`)));
  }
}

// ---------------------------------------------------------------- evidence

function highlighted(sentence, text) {
  const quote = document.getElementById("evidence-sentence");
  quote.replaceChildren();
  const at = text ? sentence.indexOf(text) : -1;
  if (at < 0) {
    quote.append(sentence);
    return;
  }
  quote.append(sentence.slice(0, at), el("mark", {}, text), sentence.slice(at + text.length));
}

function showEvidence(index) {
  const v = D.values[index];
  const report = reportById[v.report_id] || {};
  const ind = indicatorByCode[v.code];
  document.getElementById("evidence-value").textContent =
    `${regionLabel(v.region_code)} ${v.report_year}: ${ind ? ind.name_zh : v.code} = ${fmt(v.value)} ${v.unit}`;
  highlighted(v.sentence || v.evidence || "", v.text);
  document.getElementById("evidence-title").textContent = report.title || "(no title)";
  document.getElementById("evidence-date").textContent = report.published_at || "(no date)";
  const url = document.getElementById("evidence-url");
  url.replaceChildren(report.url && /^https?:\/\//.test(report.url)
    ? el("a", { href: report.url, target: "_blank", rel: "noopener" }, report.url)
    : `${report.url || report.input || ""} (local file)`);
  document.getElementById("evidence-note").textContent = v.n_values > 1
    ? `The report states ${v.n_values} values for this code and scope (${v.values_stated.map(fmt).join(", ")}); ` +
      `shown: ${D.pick_rule}.` : "";
  document.getElementById("evidence").hidden = false;
}

// ---------------------------------------------------------------- coverage

function drawCoverage() {
  const rows = D.coverage;
  const wrap = document.getElementById("coverage-wrap");
  if (!rows.length) {
    wrap.textContent = "No reports loaded.";
    return;
  }
  const years = [...new Set(rows.map((r) => r.report_year))].sort();
  const keys = [...new Set(rows.map((r) => `${r.region_code}|${r.kind}`))];
  const cell = Object.fromEntries(rows.map((r) => [`${r.region_code}|${r.kind}|${r.report_year}`, r]));
  const table = el("table", { id: "coverage-table" },
    el("tr", {}, el("th", {}, "地区 region"), el("th", {}, "类型 kind"), ...years.map((y) => el("th", {}, y))));
  for (const key of keys) {
    const [region, kind] = key.split("|");
    table.append(el("tr", {}, el("td", {}, regionLabel(region)), el("td", {}, kindName(kind)),
      ...years.map((y) => {
        const c = cell[`${key}|${y}`];
        if (!c) return el("td", {});
        return c.loaded ? el("td", { class: "loaded", title: c.report_id }, `✓ ${c.n_facts}`)
          : el("td", { class: "missing", title: `no ${kindName(kind)} for ${y}` }, "");
      })));
  }
  wrap.replaceChildren(table);
}

// ---------------------------------------------------------------- review

function drawReview() {
  const rows = D.review;
  const checks = {};
  rows.forEach((r) => { checks[r.check_name] = (checks[r.check_name] || 0) + 1; });
  const tableChecks = rows.filter((r) => !["unit_outside_family", "jump_x10", "conflicting_values"].includes(r.check_name));
  document.getElementById("review-note").textContent =
    `${rows.length} rows: ${Object.entries(checks).map(([k, n]) => `${k} ${n}`).join(", ") || "nothing to check"}. ` +
    (tableChecks.length ? "" : "信息公开 tables that do not add up will be listed here once the disclosure-table " +
      "reader writes its checks (table table_checks is empty).");
  const table = el("table", { id: "review-table" }, el("tr", {}, ...["check", "地区 region", "年度", "指标 indicator",
    "值 value", "what to check", "证据 sentence", "报告 report"].map((h) => el("th", {}, h))));
  for (const r of rows) {
    const report = reportById[r.report_id] || {};
    const source = report.url && /^https?:\/\//.test(report.url)
      ? el("a", { href: report.url, target: "_blank", rel: "noopener" }, report.title || report.url)
      : (report.title || report.input || "");
    table.append(el("tr", {}, el("td", {}, r.check_name), el("td", {}, regionLabel(r.region_code)),
      el("td", {}, r.report_year), el("td", {}, r.code ? `${r.indicator_name || ""} (${r.code})` : ""),
      el("td", { class: "num" }, r.value === null ? "" : `${fmt(r.value)} ${r.unit || ""}`),
      el("td", {}, r.detail), el("td", {}, r.sentence || ""),
      el("td", {}, source, report.published_at ? ` ${report.published_at}` : "")));
  }
  document.getElementById("review-wrap").replaceChildren(table);
}

// ---------------------------------------------------------------- start

function start() {
  document.getElementById("built").textContent =
    `${D.reports.length} reports · ${D.values.length} values · built ${D.built.at} (nianbao ${D.built.nianbao})`;
  chart = echarts.init(document.getElementById("chart"));
  chart.on("click", (params) => {
    if (params.data && params.data.valueIndex !== undefined) showEvidence(params.data.valueIndex);
  });
  window.addEventListener("resize", () => chart.resize());
  document.getElementById("evidence-close").addEventListener("click", () => {
    document.getElementById("evidence").hidden = true;
  });
  fillDomains();
  drawCoverage();
  drawReview();
  const [page, code] = location.hash.replace("#", "").split("/");
  if (page === "indicators" && indicatorByCode[code]) {
    document.getElementById("domain").value = indicatorByCode[code].domain;
    fillIndicators(indicatorByCode[code].domain);
    pickIndicator(code);
  } else {
    const first = document.querySelector("#indicator-list li:not(.empty)");
    if (first) pickIndicator(first.dataset.code);
  }
  window.addEventListener("hashchange", showPage);
  showPage();
}

start();
