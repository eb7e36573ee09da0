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
  var seq = 0, offset = 0, deadline = null, socket = null, retry = 500;
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

  // The chart is drawn on the server (one chart component for every page); after a new price
  // the script fetches it again, at most once a second.
  var chartTimer = null;
  function refreshChart() {
    if (chartTimer) return;
    chartTimer = setTimeout(function () {
      chartTimer = null;
      fetch("/auctions/" + id + "/chart", { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) { if (html !== null) $("chart").innerHTML = html; })
        .catch(function () {});
    }, 1000);
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
    if ((board.price_history || []).length) refreshChart();
    deadline = board.next_deadline ? Date.parse(board.next_deadline) : null;
    setText("phase", phaseName(board.phase.phase));
    renderBoard(board);
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
