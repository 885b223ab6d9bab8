/* bilingual report pages: the timeline, seeking, the checklist (entry page); sorting and filters
   (batch page). Text from the entry is only ever set with textContent. */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var player = document.getElementById("player");
  var blob = document.getElementById("report-data");
  var data = blob ? JSON.parse(blob.textContent) : null;

  function clock(t) {
    var cs = Math.round(t * 100);
    var s = Math.floor(cs / 100) % 60, m = Math.floor(cs / 6000);
    return m + ":" + (s < 10 ? "0" : "") + s + "." + ("0" + (cs % 100)).slice(-2);
  }

  function seek(t) {
    document.documentElement.setAttribute("data-seek-asked", t.toFixed(3));
    if (!player) return;
    player.currentTime = t;
    document.documentElement.setAttribute("data-seeked", player.currentTime.toFixed(3));
  }

  document.addEventListener("click", function (event) {
    if (event.target.matches && event.target.matches("td.band img")) event.target.classList.toggle("whole");
    var target = event.target.closest ? event.target.closest("[data-seek]") : null;
    if (target && !event.target.closest("input, a, button")) seek(parseFloat(target.getAttribute("data-seek")));
  });

  /* ---- timeline ---- */
  var LABEL_W = 92, ROW = 22, AXIS = 20;
  var scale = 0, fitScale = 1, playhead = null, cueMarks = [];

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    for (var k in attrs) node.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(node);
    return node;
  }

  function hover(node, text) {
    var tip = document.getElementById("tip");
    el("title", {}, node).textContent = text;
    node.addEventListener("mousemove", function (e) {
      tip.textContent = text; tip.hidden = false;
      tip.style.left = Math.min(e.clientX + 14, window.innerWidth - 430) + "px";
      tip.style.top = (e.clientY + 16) + "px";
    });
    node.addEventListener("mouseleave", function () { tip.hidden = true; });
  }

  function drawTimeline() {
    var svg = document.getElementById("timeline-svg");
    if (!svg || !data) return;
    var box = document.getElementById("timeline");
    fitScale = Math.max(1, (box.clientWidth - LABEL_W - 12) / data.duration);
    if (!scale) scale = fitScale;
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var cueLanes = data.lanes.cues.length;
    /* lanes with nothing to show (no correction, no shot detection, no timed finding) are left out */
    var hasCorrection = data.cues.some(function (c) { return c.corrected; });
    var lanes = [data.lanes.speech].concat(data.lanes.cues);
    var corrLane = hasCorrection ? lanes.push(data.lanes.corrected) - 1 : -1;
    var shotLane = data.cuts.length ? lanes.push(data.lanes.shots) - 1 : -1;
    var findLane = data.findings.length ? lanes.push(data.lanes.findings) - 1 : -1;
    var width = LABEL_W + data.duration * scale + 12, height = AXIS + lanes.length * ROW + 6;
    svg.setAttribute("width", width); svg.setAttribute("height", height);
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    var x = function (t) { return LABEL_W + t * scale; };
    var y = function (lane) { return AXIS + lane * ROW; };
    var step = [1, 2, 5, 10, 15, 30, 60, 120].find(function (s) { return s * scale >= 60; }) || 300;
    for (var t = 0; t <= data.duration; t += step) {
      el("line", {x1: x(t), x2: x(t), y1: AXIS - 4, y2: height, "class": "grid"}, svg);
      el("text", {x: x(t) + 2, y: 12}, svg).textContent = clock(t).replace(/\.00$/, "");
    }
    lanes.forEach(function (name, i) { el("text", {x: 6, y: y(i) + 15, "class": "lane-label"}, svg).textContent = name; });
    data.speech.forEach(function (s) {
      var r = el("rect", {x: x(s[0]), y: y(0) + 4, width: Math.max(1, (s[1] - s[0]) * scale), height: ROW - 8,
                          rx: 2, "class": "speech"}, svg);
      hover(r, data.lanes.speech + " " + clock(s[0]) + "–" + clock(s[1]));
    });
    cueMarks = [];
    data.cues.forEach(function (c) {
      var lane = 1 + c.lane;
      var r = el("rect", {x: x(c.start), y: y(lane) + 3, width: Math.max(1.5, (c.end - c.start) * scale),
                          height: ROW - 6, rx: 2, "class": "cue lane" + c.lane, "data-cue": c.cue,
                          "data-seek": c.start.toFixed(3)}, svg);
      hover(r, "#" + c.cue + "  " + clock(c.start) + "–" + clock(c.end) + "\n" + c.text);
      cueMarks.push({node: r, cue: c});
      if (c.corrected) {
        el("line", {x1: x(c.start), y1: y(lane) + ROW - 3, x2: x(c.corrected[0]), y2: y(corrLane) + 3, "class": "shift"}, svg);
        var g = el("rect", {x: x(c.corrected[0]), y: y(corrLane) + 3, width: Math.max(1.5, (c.corrected[1] - c.corrected[0]) * scale),
                            height: ROW - 6, rx: 2, "class": "corrected"}, svg);
        hover(g, data.lanes.corrected + " #" + c.cue + "  " + clock(c.corrected[0]) + "–" + clock(c.corrected[1]));
      }
    });
    data.cuts.forEach(function (t) {
      var l = el("line", {x1: x(t), x2: x(t), y1: y(shotLane) + 3, y2: y(shotLane) + ROW - 3, "class": "cut"}, svg);
      hover(l, data.lanes.shots + " " + clock(t));
    });
    data.findings.forEach(function (f) {
      var cx = x(f.start), cy = y(findLane) + ROW / 2;
      var m = el("path", {d: "M" + cx + " " + (cy - 6) + " L" + (cx + 6) + " " + cy + " L" + cx + " " + (cy + 6) +
                          " L" + (cx - 6) + " " + cy + " Z", "class": "mark " + f.severity, "data-seek": f.start.toFixed(3)}, svg);
      hover(m, f.label + " " + clock(f.start) + (f.end != null ? "–" + clock(f.end) : "") + "\n" + f.message);
    });
    playhead = el("line", {x1: x(0), x2: x(0), y1: AXIS - 4, y2: height, "class": "playhead"}, svg);
    svg.onclick = function (e) {
      if (e.target.closest("[data-seek]")) return;  /* a mark: the document handler seeks */
      var rect = svg.getBoundingClientRect(), t = (e.clientX - rect.left - LABEL_W) / scale;
      if (t >= 0 && t <= data.duration) seek(t);
    };
    movePlayhead();
  }

  function movePlayhead() {
    if (!playhead || !player) return;
    var px = LABEL_W + player.currentTime * scale;
    playhead.setAttribute("x1", px); playhead.setAttribute("x2", px);
  }

  function zoom(factor) {
    var box = document.getElementById("timeline"), centre = (box.scrollLeft + box.clientWidth / 2 - LABEL_W) / scale;
    scale = factor ? Math.min(400, Math.max(fitScale, scale * factor)) : fitScale;
    drawTimeline();
    box.scrollLeft = Math.max(0, LABEL_W + centre * scale - box.clientWidth / 2);
  }

  document.querySelectorAll("[data-zoom]").forEach(function (b) {
    b.addEventListener("click", function () { zoom(parseFloat(b.getAttribute("data-zoom"))); });
  });
  var box = document.getElementById("timeline");
  if (box) box.addEventListener("wheel", function (e) {
    if (!e.ctrlKey) return;
    e.preventDefault(); zoom(e.deltaY < 0 ? 1.25 : 0.8);
  }, {passive: false});

  /* the cue on screen now: marked in the table and on the timeline, its text under the player */
  var current = null;
  function follow() {
    movePlayhead();
    if (!data) return;
    var t = player.currentTime, now = data.cues.find(function (c) { return c.start <= t && t < c.end; });
    var cue = now ? now.cue : null;
    if (cue === current) return;
    current = cue;
    document.querySelectorAll(".current").forEach(function (n) { n.classList.remove("current"); });
    if (cue !== null) document.querySelectorAll('[data-cue="' + cue + '"]').forEach(function (n) { n.classList.add("current"); });
    var line = document.getElementById("now");
    if (line) line.textContent = now ? "#" + now.cue + "  " + now.text : "";
  }
  if (player) { player.addEventListener("timeupdate", follow); player.addEventListener("seeked", follow); }

  /* ---- the manual checklist, kept in this browser ---- */
  function loadTicks() {
    try { return JSON.parse(localStorage.getItem(data.storage) || "{}"); } catch (e) { return {}; }
  }
  if (data) {
    var ticks = loadTicks();
    document.querySelectorAll("[data-check]").forEach(function (box) {
      var code = box.getAttribute("data-check");
      box.checked = !!ticks[code];
      box.addEventListener("change", function () {
        ticks[code] = box.checked;
        try { localStorage.setItem(data.storage, JSON.stringify(ticks)); } catch (e) { /* storage off: ticks last the visit */ }
      });
    });
  }

  /* ---- batch page: sort by a column, filter by verdict, reason and name ---- */
  var batch = document.querySelector("table.batch");
  if (batch) {
    var rows = Array.prototype.slice.call(batch.tBodies[0].rows);
    var filter = function () {
      var verdict = document.getElementById("f-verdict").value, reason = document.getElementById("f-reason").value;
      var text = document.getElementById("f-name").value.toLowerCase();
      rows.forEach(function (r) {
        r.hidden = (verdict && r.getAttribute("data-verdict") !== verdict) ||
                   (reason && (" " + r.getAttribute("data-reasons") + " ").indexOf(" " + reason + " ") < 0) ||
                   (text && r.cells[0].textContent.toLowerCase().indexOf(text) < 0);
      });
    };
    ["f-verdict", "f-reason", "f-name"].forEach(function (id) {
      document.getElementById(id).addEventListener("input", filter);
    });
    Array.prototype.forEach.call(batch.tHead.rows[0].cells, function (th, i) {
      th.addEventListener("click", function () {
        var order = th.getAttribute("data-order") === "asc" ? "desc" : "asc";
        Array.prototype.forEach.call(batch.tHead.rows[0].cells, function (c) { c.removeAttribute("data-order"); });
        th.setAttribute("data-order", order);
        var key = function (r) { var c = r.cells[i]; return c.getAttribute("data-key") || c.textContent; };
        rows.sort(function (a, b) {
          var x = key(a), y = key(b), nx = parseFloat(x), ny = parseFloat(y);
          var cmp = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
          return order === "asc" ? cmp : -cmp;
        });
        rows.forEach(function (r) { batch.tBodies[0].appendChild(r); });
      });
    });
  }

  drawTimeline();
  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () { var wasFit = scale === fitScale; drawTimeline(); if (wasFit) zoom(0); }, 150);
  });

  /* test hook: #test-click=N clicks cue row N once the page is drawn (headless browser tests) */
  var hook = /#test-click=(\d+)/.exec(location.hash);
  if (hook) {
    var row = document.querySelector('tr[data-cue="' + hook[1] + '"]');
    if (row) row.cells[3].click();
    document.documentElement.setAttribute("data-cue-marks", String(cueMarks.length));
  }
})();
