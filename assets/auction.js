// Live auction page (issue 4): board, price chart, countdown synchronised to the server clock,
// and for a participant the one-click bid with confirmation. Reconnects by itself and resumes
// from the last event seen (?after=seq); a bid retried after a reconnection keeps its
// request_id, so the server never counts it twice. The page is readable without this script.
(function () {
  "use strict";
  var root = document.getElementById("auction");
  if (!root || !window.WebSocket) return;
  var id = root.dataset.auction;
  var isBidder = root.dataset.bidder === "true";
  var byScore = root.dataset.byScore === "true"; // score ranking: price ÷ (1 + Σ features)
  var msg = document.getElementById("auction-messages").dataset;
  var $ = function (x) { return document.getElementById(x); };
  var seq = 0, offset = 0, deadline = null, history = [], socket = null, retry = 500;
  var pending = null; // {request_id, frame} of an unacknowledged bid

  function setText(elementId, text) { var e = $(elementId); if (e) e.textContent = text; }
  // data-phase-not_started is dataset.phaseNot_started (only "-x" is camel-cased).
  function phaseName(phase) { return msg["phase" + phase.charAt(0).toUpperCase() + phase.slice(1)] || phase; }
  function reason(code) {
    var key = "reason" + code.replace("auction.", "").split("_").map(function (w) { return w.charAt(0).toUpperCase() + w.slice(1); }).join("");
    return msg[key] || code;
  }

  function renderBoard(board) {
    var body = $("board").tBodies[0];
    while (body.firstChild) body.removeChild(body.firstChild);
    board.board.forEach(function (row) {
      var tr = document.createElement("tr");
      var cells = [row.rank == null ? "" : String(row.rank), row.label, row.price == null ? "—" : row.price];
      if (byScore) cells.push(row.score == null ? "—" : row.score);
      cells.push(String(row.accepted_bids), row.name || "");
      cells.forEach(function (text, i) {
        var td = document.createElement("td");
        if (i >= 2 && i < cells.length - 1) td.className = "num";
        td.textContent = text;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }

  function renderChart() {
    var box = $("chart");
    if (!history.length) return;
    var W = 640, H = 240, P = 40, NS = "http://www.w3.org/2000/svg";
    var times = history.map(function (p) { return Date.parse(p.at); });
    var prices = history.map(function (p) { return parseFloat(p.price); }); // drawing only
    var t0 = Math.min.apply(null, times), t1 = Math.max(Math.max.apply(null, times), t0 + 1);
    var lo = Math.min.apply(null, prices), hi = Math.max.apply(null, prices), span = hi > lo ? hi - lo : 1;
    var x = function (t) { return P + (t - t0) / (t1 - t0) * (W - 2 * P); };
    var y = function (p) { return P / 2 + (hi - p) / span * (H - 1.5 * P); };
    var svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    svg.setAttribute("class", "chart");
    svg.setAttribute("role", "img");
    var labels = [];
    history.forEach(function (p) { if (labels.indexOf(p.label) < 0) labels.push(p.label); });
    labels.sort();
    labels.forEach(function (label, i) {
      var d = "", last = null;
      history.forEach(function (p, k) {
        if (p.label !== label) return;
        var px = x(times[k]).toFixed(1), py = y(prices[k]).toFixed(1);
        d += last === null ? "M" + px + "," + py : " L" + px + "," + last + " L" + px + "," + py;
        last = py;
      });
      d += " L" + (W - P) + "," + last;
      var path = document.createElementNS(NS, "path");
      path.setAttribute("d", d);
      path.setAttribute("class", "series s" + (i % 8));
      svg.appendChild(path);
      var text = document.createElementNS(NS, "text");
      text.setAttribute("x", W - P + 2);
      text.setAttribute("y", last);
      text.setAttribute("class", "legend s" + (i % 8));
      text.textContent = label;
      svg.appendChild(text);
    });
    while (box.firstChild) box.removeChild(box.firstChild);
    box.appendChild(svg);
  }

  function renderMe(me) {
    if (!me) return;
    setText("my-label", me.label);
    setText("my-price", me.own_price);
    setText("my-rank", me.own_rank == null ? "—" : String(me.own_rank));
    setText("best-price", me.best_price == null ? "—" : me.best_price);
    if (byScore) {
      setText("my-score", me.own_score == null ? "—" : me.own_score);
      setText("best-score", me.best_score == null ? "—" : me.best_score);
    }
    setText("my-turn", me.your_turn ? msg.yourTurn : msg.notYourTurn);
    setText("max-acceptable", me.max_acceptable_price == null ? "—" : me.max_acceptable_price);
    var input = $("bid-price");
    if (input && !input.value && me.max_acceptable_price) input.value = me.max_acceptable_price;
  }

  function onState(frame) {
    offset = Date.parse(frame.server_now) - Date.now();
    var board = frame.board;
    seq = Math.max(seq, frame.seq);
    (board.price_history || []).forEach(function (p) {
      var known = history.some(function (h) { return h.seq === p.seq && h.label === p.label && h.at === p.at; });
      if (!known) history.push(p);
    });
    deadline = board.next_deadline ? Date.parse(board.next_deadline) : null;
    setText("phase", phaseName(board.phase.phase));
    renderBoard(board);
    renderChart();
    renderMe(frame.me);
    if (board.finished && frame.type === "update") setTimeout(function () { location.reload(); }, 1500);
  }

  function onAck(frame) {
    if (pending && frame.request_id === pending.request_id) pending = null;
    var outcome = frame.ack.outcome || {};
    if (outcome.status === "accepted") {
      setText("bid-outcome", msg.accepted);
      $("bid-price").value = "";
    } else if (outcome.reason) {
      var extra = outcome.reason.required_max ? " (≤ " + outcome.reason.required_max + ")" : "";
      setText("bid-outcome", msg.refused + " " + reason(outcome.reason.code) + extra);
    }
    if (frame.ack.view) renderMe(frame.ack.view);
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + "/api/auctions/" + id + "/live?after=" + seq);
    socket.onopen = function () {
      retry = 500;
      setText("connection", msg.live);
      if (pending) socket.send(pending.frame); // same request_id: never counted twice
    };
    socket.onmessage = function (event) {
      var frame = JSON.parse(event.data);
      if (frame.type === "snapshot" || frame.type === "update") onState(frame);
      else if (frame.type === "ack") onAck(frame);
      else if (frame.type === "error") { pending = null; setText("bid-outcome", frame.message); }
    };
    socket.onclose = function () {
      setText("connection", msg.reconnecting);
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 5000);
    };
  }

  setInterval(function () {
    if (deadline === null) { setText("countdown", "—"); return; }
    var left = Math.max(0, deadline - (Date.now() + offset));
    var s = Math.floor(left / 1000);
    setText("countdown", Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0"));
  }, 250);

  if (isBidder) {
    var form = $("bid-form");
    var confirmBox = $("bid-confirm");
    var send = function (frame) {
      pending = { request_id: frame.request_id, frame: JSON.stringify(frame) };
      if (socket && socket.readyState === 1) socket.send(pending.frame);
    };
    var newId = function () { return "r" + Date.now().toString(36) + Math.random().toString(36).slice(2, 10); };
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var price = $("bid-price").value.trim().replace(",", ".");
      if (!price) return;
      setText("bid-confirm-text", msg.confirm + " " + price + " " + root.dataset.currency + "?");
      confirmBox.hidden = false;
      $("bid-confirm-yes").focus();
    });
    $("bid-confirm-yes").addEventListener("click", function () {
      confirmBox.hidden = true;
      var price = $("bid-price").value.trim().replace(",", ".");
      send({ type: "bid", price: price, request_id: newId() });
    });
    $("bid-confirm-no").addEventListener("click", function () { confirmBox.hidden = true; });
    $("bid-pass").addEventListener("click", function () { send({ type: "pass", request_id: newId() }); });
  }
  connect();
})();
