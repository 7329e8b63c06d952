// SPDX-License-Identifier: BSD-2-Clause
// The replay page's script (replay.html): reads the run's JSON, merges the
// peers' trace lines into one sequence of events (by each peer's clock t,
// then peer id, then the peer's own order), and shows the state after any
// prefix of it: hold-back queues, the head's wait as the ordering core
// decides it (order_total.c: member q covers the head (sender p, seq s,
// ts) once its counted state has S[p] >= s or C >= ts; order_fifo.c: the
// head waits for the gap in its sender's stream), the space-time diagram,
// the delivery lanes and the report.  Everything from the run is shown as
// text (textContent), never parsed as markup.
"use strict";
(function () {
	const T0 = performance.now();
	const run = JSON.parse(document.getElementById("run").textContent);
	const N = run.n;
	const $ = (id) => document.getElementById(id);
	const body = document.body;

	// ---- the events -------------------------------------------------
	function bits(hex) {
		const m = [];
		for (let i = 0; i < N; i++) {
			const d = parseInt(hex[hex.length - 1 - (i >> 2)] || "0", 16);
			m.push(((d >> (i & 3)) & 1) === 1);
		}
		return m;
	}
	function parse(p, j, line) {
		const f = line.split(" ");
		const e = { p: p, j: j, k: f[0].charAt(1), t: Number(f[1]) };
		const v = f.slice(2).map(Number);
		switch (e.k) {
		case "S": e.s = p; e.q = v[0]; e.ts = v[1]; break;
		case "R": e.s = v[0]; e.q = v[1]; e.ts = v[2]; e.clock = v[3]; break;
		case "A": e.from = v[0]; e.c = v[1]; break;
		case "K": e.from = v[0]; e.s = v[1]; e.q = v[2]; break;
		case "D": e.pos = v[0]; e.s = v[1]; e.q = v[2]; e.ts = v[3]; e.via = v[4]; break;
		case "V": e.view = v[0]; e.members = bits(f[3] || "0"); break;
		default: return null;
		}
		return e;
	}
	const ev = [];
	let exact = true;
	run.peers.forEach((pr, p) => {
		if (pr.cut) exact = false;
		pr.trace.forEach((line, j) => {
			const e = parse(p, j, line);
			if (e) ev.push(e);
		});
	});
	ev.sort((a, b) => a.t - b.t || a.p - b.p || a.j - b.j);
	const E = ev.length;
	const key = (s, q) => s + ":" + q;

	// ---- the state after K events ------------------------------------
	function fresh() {
		const st = [];
		for (let i = 0; i < N; i++) {
			st.push({
				got: Array.from({ length: N }, () => new Set()),
				ts: new Map(),
				proc: new Array(N).fill(0),
				held: new Map(),
				delivered: 0,
				cc: new Array(N).fill(0),
				cs: Array.from({ length: N }, () => new Array(N).fill(0)),
				members: new Array(N).fill(true),
				view: 0
			});
		}
		return st;
	}
	function arrive(P, self, s, q, ts) {
		P.got[s].add(q);
		P.ts.set(key(s, q), ts);
		P.held.set(key(s, q), { s: s, q: q, ts: ts });
		// The stream processes its DATA in seq order; a DATA of another
		// processed is its stamp-time state: it raises that sender's C.
		while (P.got[s].has(P.proc[s] + 1)) {
			P.proc[s]++;
			const t = P.ts.get(key(s, P.proc[s]));
			if (s !== self && t > P.cc[s]) P.cc[s] = t;
		}
	}
	function apply(st, e) {
		const P = st[e.p];
		switch (e.k) {
		case "S": case "R": arrive(P, e.p, e.s, e.q, e.ts); break;
		case "A": if (e.c > P.cc[e.from]) P.cc[e.from] = e.c; break;
		case "K": if (e.q > P.cs[e.from][e.s]) P.cs[e.from][e.s] = e.q; break;
		case "D": P.held.delete(key(e.s, e.q)); P.delivered = e.pos + 1; break;
		case "V":
			// A new view forgets every counted state (total_installed).
			P.members = e.members; P.view = e.view;
			P.cc.fill(0); P.cs.forEach((r) => r.fill(0));
			break;
		}
	}
	let cur = fresh(), curK = 0;
	function goTo(K) {
		K = Math.max(0, Math.min(E, K));
		if (K < curK) { cur = fresh(); curK = 0; }
		while (curK < K) apply(cur, ev[curK++]);
		return K;
	}
	function queueOf(P) {
		return Array.from(P.held.values()).sort((a, b) => a.ts - b.ts || a.s - b.s);
	}
	// The head and what it waits for, as the core decides it.
	function headOf(i, P, queue) {
		if (run.order === "total") {
			const h = queue.find((m) => m.q <= P.proc[m.s]);
			if (!h) return null;
			const waits = [];
			for (let j = 0; j < N; j++) {
				if (j === i || j === h.s || !P.members[j]) continue;
				if (P.cs[j][h.s] < h.q && P.cc[j] < h.ts) waits.push(j);
			}
			return { m: h, waits: waits };
		}
		if (!queue.length) return null;
		const h = queue[0];
		return { m: h, waits: [h.s], gap: key(h.s, P.proc[h.s] + 1) };
	}

	// ---- the first disagreement -------------------------------------
	const logs = run.peers.map((pr) => {
		const a = [];
		for (let k = 0; k + 1 < pr.log.length; k += 2) a.push(key(pr.log[k], pr.log[k + 1]));
		return a;
	});
	const judged = run.peers.map((pr, i) => i).filter((i) =>
		!run.peers[i].departed && run.peers[i].status !== "no-log");
	let first = null;
	(function () {
		if (judged.length < 2) return;
		const ref = judged[0];
		const len = Math.max(...judged.map((i) => logs[i].length));
		for (let j = 0; j < len && !first; j++)
			for (const b of judged)
				if (logs[b][j] !== undefined && logs[ref][j] !== undefined &&
				    logs[b][j] !== logs[ref][j]) {
					first = { pos: j, a: ref, b: b, x: logs[ref][j], y: logs[b][j] };
					break;
				}
		if (!first) return;
		// Where it shows: the first instant at which two peers have
		// delivered different messages at that position.
		let k = -1;
		const seen = new Map();
		for (let g = 0; g < E && k < 0; g++) {
			const e = ev[g];
			if (e.k !== "D" || e.pos !== first.pos || !judged.includes(e.p)) continue;
			seen.set(key(e.s, e.q), true);
			if (seen.size > 1) k = g;
		}
		first.K = k < 0 ? 0 : k + 1;
	})();
	function arrivalAt(p, m) {
		const [s, q] = m.split(":").map(Number);
		return ev.find((e) => e.p === p && (e.k === "S" || e.k === "R") && e.s === s && e.q === q);
	}
	function ms(us) { return (us / 1000).toFixed(1) + " ms"; }
	function explainFirst() {
		if (!first) {
			$("why").textContent = judged.length < 2 ? "Fewer than two logs to compare." :
				"None: every peer delivered the same messages in the same order.";
			$("b-first").disabled = true;
			return;
		}
		const f = first, t0 = E ? ev[0].t : 0;
		let s = "Position " + f.pos + ": peer " + f.a + " delivered " + f.x +
			", peer " + f.b + " delivered " + f.y + ". ";
		const when = (e) => e ? (e.k === "S" ? "was sent there" : "arrived") + " at +" + ms(e.t - t0) : "is not in its trace";
		for (const p of [f.a, f.b])
			s += "At peer " + p + ", " + f.x + " " + when(arrivalAt(p, f.x)) + ", " + f.y + " " + when(arrivalAt(p, f.y)) + ". ";
		const rx = byMsg.get(f.x), ry = byMsg.get(f.y);
		if (rx && ry && rx.send >= 0 && ry.send >= 0) {
			const [early, late] = ev[rx.send].t <= ev[ry.send].t ? [f.x, f.y] : [f.y, f.x];
			const d0 = Math.abs(ev[ry.send].t - ev[rx.send].t);
			let any = false;
			for (const p of [f.a, f.b]) {
				const ae = arrivalAt(p, early), al = arrivalAt(p, late);
				if (ae && al && al.t < ae.t) {
					s += "At peer " + p + ", " + late + ", sent " + ms(d0) + " after " + early +
						", overtook it: it arrived " + ms(ae.t - al.t) + " before it. ";
					any = true;
				}
			}
			if (!any) s += "Neither overtook the other on the way; the two peers took them in different orders. ";
		}
		if (run.order !== "total")
			s += "In " + run.order + " order nothing holds a message back for the others, so each peer delivers in the order its network brought them.";
		$("why").textContent = s;
		$("why-core").textContent = run.explained ? "The comparison server: " + run.explained : "";
	}

	// ---- time axis: compressed gaps, zoom, pan ----------------------
	const u = new Float64Array(E);
	const breaks = [];
	(function () {
		const gaps = [];
		for (let g = 1; g < E; g++) if (ev[g].t > ev[g - 1].t) gaps.push(ev[g].t - ev[g - 1].t);
		gaps.sort((a, b) => a - b);
		// A gap beyond 20 times the 90th percentile (a late resend) is
		// drawn as that much, marked, so that it squeezes nothing.
		const cap = gaps.length ? Math.max(1, 20 * gaps[Math.floor(gaps.length * 0.9)]) : 1;
		for (let g = 1; g < E; g++) {
			const d = ev[g].t - ev[g - 1].t;
			u[g] = u[g - 1] + Math.min(d, cap);
			if (d > cap) breaks.push({ u: u[g] - cap / 2, skipped: d - cap });
		}
	})();
	const UMAX = E ? u[E - 1] : 1;
	let v0 = 0, v1 = UMAX > 0 ? UMAX : 1;
	const cv = $("st"), ctx = cv.getContext("2d");
	const LEFT = 70, LANE = 46, TOP = 24;
	function colour(s) { return "hsl(" + Math.round(360 * s / Math.max(1, N)) + ",65%,42%)"; }
	function X(uu) { return LEFT + (uu - v0) / (v1 - v0) * (cv.width - LEFT - 10); }
	function Y(p) { return TOP + p * LANE + LANE / 2; }

	// Per message: its send, receipts, deliveries and first covers.
	const byMsg = new Map();
	function rec(m) { if (!byMsg.has(m)) byMsg.set(m, { send: -1, recv: [], dlv: [], ack: [] }); return byMsg.get(m); }
	const coverSeen = new Map();
	ev.forEach((e, g) => {
		if (e.k === "S") rec(key(e.s, e.q)).send = g;
		else if (e.k === "R") rec(key(e.s, e.q)).recv.push(g);
		else if (e.k === "D") rec(key(e.s, e.q)).dlv.push(g);
		else if (e.k === "K") {
			const c = e.p + "/" + e.from + "/" + e.s, lo = coverSeen.get(c) || 0;
			for (let q = lo + 1; q <= e.q; q++) rec(key(e.s, q)).ack.push(g);
			coverSeen.set(c, Math.max(lo, e.q));
		}
	});
	let selected = null;

	function lo(uu) { let a = 0, b = E; while (a < b) { const m = (a + b) >> 1; if (u[m] < uu) a = m + 1; else b = m; } return a; }
	function draw() {
		cv.height = TOP + N * LANE + 30;
		const W = cv.width;
		ctx.clearRect(0, 0, W, cv.height);
		ctx.font = "11px sans-serif";
		ctx.textBaseline = "middle";
		for (let p = 0; p < N; p++) {
			ctx.strokeStyle = "#bbb"; ctx.lineWidth = 1;
			ctx.beginPath(); ctx.moveTo(LEFT, Y(p)); ctx.lineTo(W - 10, Y(p)); ctx.stroke();
			ctx.fillStyle = "#333"; ctx.fillText("peer " + p, 4, Y(p));
		}
		const a = Math.max(0, lo(v0) - 1), b = Math.min(E, lo(v1) + 1);
		// Arrows: a receipt whose span meets the view.
		for (const [m, r] of byMsg) {
			if (r.send < 0) continue;
			const su = u[r.send];
			const sel = m === selected;
			for (const g of r.recv) {
				if (Math.max(su, u[g]) < v0 || Math.min(su, u[g]) > v1) continue;
				ctx.strokeStyle = sel ? "#000" : colour(ev[r.send].p);
				ctx.globalAlpha = selected && !sel ? 0.25 : 0.8;
				ctx.lineWidth = sel ? 2.5 : 1;
				ctx.beginPath(); ctx.moveTo(X(su), Y(ev[r.send].p)); ctx.lineTo(X(u[g]), Y(ev[g].p)); ctx.stroke();
			}
		}
		ctx.globalAlpha = 1;
		// Dots, views, and labels that fit (never two in one place).
		const lastUp = new Array(N).fill(-1e9), lastDn = new Array(N).fill(-1e9);
		let hidden = 0;
		for (let g = a; g < b; g++) {
			const e = ev[g], x = X(u[g]), y = Y(e.p);
			if (x < LEFT - 5 || x > W) continue;
			if (e.k === "V") {
				ctx.fillStyle = "#000"; ctx.fillRect(x - 1, y - LANE / 2 + 2, 3, LANE - 4);
				const t = "view " + e.view, w = ctx.measureText(t).width;
				if (x + 3 > lastUp[e.p]) { ctx.fillText(t, x + 3, y - 9); lastUp[e.p] = x + 3 + w + 4; } else hidden++;
				continue;
			}
			if (e.k === "A" || e.k === "K") {
				if (selected && (byMsg.get(selected) || { ack: [] }).ack.includes(g)) {
					ctx.fillStyle = "#000"; ctx.beginPath();
					ctx.moveTo(x, y - 5); ctx.lineTo(x + 4, y); ctx.lineTo(x, y + 5); ctx.lineTo(x - 4, y); ctx.fill();
				}
				continue;
			}
			const m = key(e.s, e.q), sel = m === selected;
			ctx.fillStyle = colour(e.s);
			if (e.k === "D") ctx.fillRect(x - 1, y + 3, 3, 8);
			else { ctx.beginPath(); ctx.arc(x, y, e.k === "S" ? 4 : 2.5, 0, 7); ctx.fill(); }
			if (sel) { ctx.strokeStyle = "#000"; ctx.lineWidth = 2; ctx.beginPath(); ctx.arc(x, y, 7, 0, 7); ctx.stroke(); }
			const up = e.k === "S", t = up ? m : (e.k === "D" ? "#" + e.pos : "");
			if (!t) continue;
			const w = ctx.measureText(t).width, last = up ? lastUp : lastDn;
			if (x - w / 2 > last[e.p]) {
				ctx.fillStyle = "#333";
				ctx.fillText(t, x - w / 2, up ? y - 10 : y + 17);
				last[e.p] = x + w / 2 + 3;
			} else hidden++;
		}
		// Gaps drawn shorter than they were.
		ctx.fillStyle = "#999";
		let nb = 0;
		for (const br of breaks) {
			if (br.u < v0 || br.u > v1) continue;
			nb++;
			ctx.fillText("\u2248", X(br.u) - 3, TOP - 10);
		}
		// Now.
		if (curK > 0) {
			const x = X(u[curK - 1]);
			ctx.strokeStyle = "#d00"; ctx.lineWidth = 1;
			ctx.beginPath(); ctx.moveTo(x, TOP - 4); ctx.lineTo(x, cv.height - 20); ctx.stroke();
		}
		const span = (v1 - v0) / 1000;
		let note = "Shown: " + span.toFixed(1) + " ms of drawn time, events " + a + " to " + b + " of " + E + ". ";
		if (hidden) note += hidden + " labels left out where they would overlap: zoom in to read them. ";
		if (breaks.length) note += breaks.length + " long gaps (\u2248) drawn shorter than they were (" + nb + " in view), " +
			ms(breaks.reduce((t, br) => t + br.skipped, 0)) + " in all. ";
		$("st-note").textContent = note;
	}
	function zoom(f, at) {
		const w = (v1 - v0) * f, c = at === undefined ? (v0 + v1) / 2 : at;
		const r = (c - v0) / (v1 - v0);
		v0 = c - r * w; v1 = v0 + w;
		if (w >= UMAX) { v0 = 0; v1 = UMAX || 1; }
		draw();
	}
	function uAt(px) { return v0 + (px - LEFT) / (cv.width - LEFT - 10) * (v1 - v0); }
	function pxOf(ev0) { const r = cv.getBoundingClientRect(); return (ev0.clientX - r.left) * cv.width / r.width; }
	cv.addEventListener("wheel", (w) => { w.preventDefault(); zoom(w.deltaY > 0 ? 1.25 : 0.8, uAt(pxOf(w))); }, { passive: false });
	let drag = null;
	cv.addEventListener("mousedown", (m) => { drag = { x: pxOf(m), v0: v0, v1: v1, moved: false }; });
	window.addEventListener("mouseup", (m) => {
		if (drag && !drag.moved) pick(m);
		drag = null;
	});
	cv.addEventListener("mousemove", (m) => {
		if (!drag) return;
		const dx = pxOf(m) - drag.x;
		if (Math.abs(dx) > 3) drag.moved = true;
		const du = dx / (cv.width - LEFT - 10) * (drag.v1 - drag.v0);
		v0 = drag.v0 - du; v1 = drag.v1 - du; draw();
	});
	cv.addEventListener("dblclick", () => zoom(1e12));
	$("z-in").onclick = () => zoom(0.5);
	$("z-out").onclick = () => zoom(2);
	$("z-fit").onclick = () => zoom(1e12);
	function pick(m) {
		const r = cv.getBoundingClientRect();
		const px = pxOf(m), py = (m.clientY - r.top) * cv.height / r.height;
		let best = null, bd = 64;
		const a = Math.max(0, lo(uAt(px - 8)) - 1), b = Math.min(E, lo(uAt(px + 8)) + 1);
		for (let g = a; g < b; g++) {
			const e = ev[g];
			if (e.s === undefined || e.k === "K") continue;
			const d = (X(u[g]) - px) ** 2 + (Y(e.p) - py) ** 2;
			if (d < bd) { bd = d; best = key(e.s, e.q); }
		}
		select(best);
	}
	function select(m) {
		selected = m;
		const r = m && byMsg.get(m);
		if (!r) { $("sel").textContent = "None: click a dot in the diagram or a queue entry."; draw(); render(); return; }
		const at = (g) => "peer " + ev[g].p + " at event " + (g + 1);
		let s = "Message " + m + (r.send >= 0 ? " (ts " + ev[r.send].ts + "), sent by " + at(r.send) : "") + ". ";
		s += "Received: " + (r.recv.length ? r.recv.map(at).join(", ") : "nowhere traced") + ". ";
		if (run.order === "total")
			s += "ACK states covering it counted: " + (r.ack.length ? r.ack.map((g) => "peer " + ev[g].p + " counts peer " + ev[g].from + "'s (event " + (g + 1) + ")").join(", ") : "none traced") + ". ";
		s += "Delivered: " + (r.dlv.length ? r.dlv.map((g) => at(g) + " as #" + ev[g].pos).join(", ") : "not yet traced") + ".";
		$("sel").textContent = s;
		draw(); render();
	}

	// ---- delivery lanes ----------------------------------------------
	function drawLanes() {
		const lc = $("lanes"), lx = lc.getContext("2d");
		const len = Math.max(1, ...logs.map((l) => l.length));
		const cw = Math.max(1, Math.min(12, Math.floor(1100 / len))), rh = 14, left = 60;
		lc.width = left + len * cw + 10; lc.height = 16 + N * rh + 4;
		lx.font = "11px sans-serif"; lx.textBaseline = "middle";
		const bad = new Set(run.positions);
		for (let p = 0; p < N; p++) {
			lx.fillStyle = "#333"; lx.fillText("peer " + p, 2, 16 + p * rh + rh / 2);
			logs[p].forEach((m, j) => {
				lx.fillStyle = colour(Number(m.split(":")[0]));
				lx.fillRect(left + j * cw, 16 + p * rh, Math.max(1, cw - (cw > 3 ? 1 : 0)), rh - 2);
			});
			for (const vw of run.peers[p].views) {
				lx.fillStyle = "#000"; lx.fillRect(left + vw[0] * cw - 1, 16 + p * rh - 1, 2, rh);
			}
		}
		lx.fillStyle = "#d00";
		for (const j of bad) lx.fillRect(left + j * cw, 4, Math.max(1, cw - 1), 8);
		$("lanes-note").textContent = len + " positions; " + run.mismatched + " where the peers disagree" +
			(run.positions.length < run.mismatched ? " (the first " + run.positions.length + " marked)" : "") + ".";
	}

	// ---- the state panel ----------------------------------------------
	function el(tag, text, cls) { const x = document.createElement(tag); if (text !== undefined) x.textContent = text; if (cls) x.className = cls; return x; }
	function describe(e) {
		const t0 = E ? ev[0].t : 0, at = " at +" + ms(e.t - t0) + " (peer " + e.p + "'s clock)";
		switch (e.k) {
		case "S": return "peer " + e.p + " sends " + key(e.s, e.q) + " with ts " + e.ts + at;
		case "R": return "peer " + e.p + " receives " + key(e.s, e.q) + " (ts " + e.ts + "), clock now " + e.clock + at;
		case "A": return "peer " + e.p + " counts an ACK state of peer " + e.from + ": C = " + e.c + at;
		case "K": return "peer " + e.p + " counts peer " + e.from + " as having processed " + key(e.s, e.q) + at;
		case "D": return "peer " + e.p + " delivers " + key(e.s, e.q) + " as #" + e.pos + at;
		case "V": return "peer " + e.p + " installs view " + e.view + " (members " + e.members.map((b, i) => b ? i : -1).filter((i) => i >= 0).join(",") + ")" + at;
		}
		return "";
	}
	function render() {
		const box = $("queues");
		box.textContent = "";
		for (let i = 0; i < N; i++) {
			const P = cur[i], queue = queueOf(P), h = headOf(i, P, queue);
			const d = el("div", undefined, "peer");
			d.dataset.peer = String(i);
			d.dataset.delivered = String(P.delivered);
			d.appendChild(el("span", "peer " + i + " (" + run.peers[i].host + ", " + run.peers[i].status + ")", "name"));
			d.appendChild(el("span", " delivered " + P.delivered + (P.view ? ", view " + P.view : "") + ", holds " + queue.length + ": "));
			const ol = el("ol");
			for (const m of queue) {
				const k = key(m.s, m.q);
				const li = el("li", k + " ts " + m.ts);
				li.dataset.held = k;
				if (run.order === "total" && m.q > P.proc[m.s]) li.classList.add("early");
				if (k === selected) li.classList.add("sel");
				if (h && h.m === m) {
					li.classList.add("head");
					li.dataset.waits = h.waits.join(",");
					if (h.gap) li.dataset.gap = h.gap;
				}
				li.onclick = () => select(k);
				ol.appendChild(li);
			}
			d.appendChild(ol);
			if (h) {
				let w;
				if (h.gap) w = el("span", " head " + key(h.m.s, h.m.q) + " waits for " + h.gap + " (a gap in peer " + h.m.s + "'s stream)", "wait");
				else if (h.waits.length) w = el("span", " head " + key(h.m.s, h.m.q) + " waits for the ACK state of " + h.waits.map((j) => "peer " + j).join(", "), "wait");
				else w = el("span", " head " + key(h.m.s, h.m.q) + " is acknowledged by every member: it is delivered next", "ok");
				d.appendChild(w);
			}
			box.appendChild(d);
		}
		$("slider").value = String(curK);
		$("where").textContent = "event " + curK + " of " + E;
		$("event").textContent = curK === 0 ? "Before anything." : "Event " + curK + ": " + describe(ev[curK - 1]);
		body.dataset.t = String(curK);
	}
	function show(K, keepHash) {
		goTo(K);
		if (!keepHash) history.replaceState(null, "", "#t=" + (curK === E ? "end" : curK));
		// Keep now in view.
		if (curK > 0) {
			const x = u[curK - 1];
			if (x < v0 || x > v1) { const w = v1 - v0; v0 = Math.max(0, x - w / 2); v1 = v0 + w; }
		}
		render(); draw();
	}
	function fromHash() {
		const h = decodeURIComponent(location.hash.slice(1));
		if (h === "first") return show(first ? first.K : 0, true);
		const m = /^t=(\d+|end)$/.exec(h);
		if (!m) return show(0, true);
		show(m[1] === "end" ? E : Number(m[1]), true);
	}

	// ---- controls ----------------------------------------------------
	let timer = null;
	function play(on) {
		if (timer) { clearInterval(timer); timer = null; }
		$("b-play").textContent = on ? "pause" : "play";
		if (!on) return;
		timer = setInterval(() => { if (curK >= E) return play(false); show(curK + 1); }, 1000 / Number($("speed").value));
	}
	$("b-start").onclick = () => show(0);
	$("b-prev").onclick = () => show(curK - 1);
	$("b-next").onclick = () => show(curK + 1);
	$("b-end").onclick = () => show(E);
	$("b-play").onclick = () => play(!timer);
	$("speed").onchange = () => { if (timer) play(true); };
	$("b-first").onclick = () => { if (first) { location.hash = "first"; } };
	$("slider").max = String(E);
	$("slider").oninput = () => show(Number($("slider").value));
	window.addEventListener("hashchange", fromHash);
	document.addEventListener("keydown", (k) => {
		if (k.target.tagName === "SELECT" || k.target.tagName === "INPUT") return;
		if (k.key === "ArrowRight") show(curK + 1);
		else if (k.key === "ArrowLeft") show(curK - 1);
		else if (k.key === " ") { k.preventDefault(); play(!timer); }
	});

	// ---- the page ----------------------------------------------------
	$("title").textContent = "MPComm run " + run.run + ": " + run.order + " order, " + N + " peers \u00d7 " + run.m + " messages, " + run.status;
	$("summary").textContent = "Delay " + run.delay_ms[0] + ":" + run.delay_ms[1] + " ms, loss " + run.loss +
		", duplication " + run.dup + ", seed " + run.seed + "; " + run.mismatched + " mismatched rounds; " + E +
		" traced events (first " + run.trace + " messages of each peer)." + (run.problem ? " Problem: " + run.problem : "") +
		(run.note ? " " + run.note : "");
	if (!exact) {
		const cut = run.peers.filter((p) => p.cut).map((p) => p.id);
		$("inexact").hidden = false;
		$("inexact").textContent = "The traces of peer " + cut.join(", ") + " were cut (beyond the traced messages or ACK states): queues and waits shown may be incomplete.";
	}
	body.dataset.exact = exact ? "1" : "0";
	body.dataset.events = String(E);
	body.dataset.first = String(first ? first.K : -1);
	$("report").textContent = run.report;
	cv.width = Math.max(600, Math.min(4000, Math.floor(cv.parentElement.clientWidth || 1200)));
	explainFirst();
	drawLanes();
	fromHash();
	body.dataset.loadMs = (performance.now() - T0).toFixed(1);
	body.dataset.ready = "1";
})();
