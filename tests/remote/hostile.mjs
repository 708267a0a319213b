// hostile.mjs - hostile clients against a playing `relax play --remote`:
//   node hostile.mjs URL PID [BURST]
// wrong keys, slow headers (slowloris), a bounded burst of requests,
// oversized bodies and headers, malformed JSON, path traversal. Every
// answer must be a clean 4xx (or a refusal to connect past the caps), the
// good client must still be served, the state must not change, and the
// player's memory must stay flat over the burst. The caller checks the
// audio (no underruns, no gaps). Loopback only; hostile traffic comes from
// 127.0.0.2-4 so 127.0.0.1 keeps its good standing.
import net from "node:net";
import { api, fail, note, parseRemote, raw, request, rssKb, status, waitStatus } from "./lib.mjs";

const [url, pidArg, burstArg] = process.argv.slice(2);
if (!url || !pidArg) fail("usage: node hostile.mjs URL PID [BURST]");
const r = parseRemote(url);
const pid = Number(pidArg);
const BURST = Number(burstArg || 2000);
const is4xx = (s) => s >= 400 && s < 500;

async function main() {
  const before = await waitStatus(r, "playing", (s) => s.state === "playing", 60000);

  note("no key: 401 and nothing else, whatever the path");
  for (const [method, path] of [["GET", "/"], ["GET", "/api/status"], ["GET", "/api/events"],
    ["POST", "/api/pause"], ["GET", "/../../etc/passwd"], ["GET", "/api/../../../etc/shadow"]]) {
    const res = await request(r, { method, path, from: "127.0.0.3" });
    if (res.status !== 401) fail(`${method} ${path} without a key: ${res.status}`);
    if (res.body !== "401 unauthorized\n") fail("a 401 said more: " + JSON.stringify(res.body));
    if (res.headers["set-cookie"] || res.headers["access-control-allow-origin"]) fail("a 401 carried a cookie or CORS header");
  }

  note("wrong keys: 401, then 429 for that address (without looking at its key)");
  const seen = {};
  for (let i = 0; i < 40; i++) {
    const k = i % 2 ? "A".repeat(32) : r.key.slice(0, -1) + (r.key.endsWith("0") ? "1" : "0");
    const res = await request(r, { path: "/api/status?key=" + k, from: "127.0.0.2" });
    if (!is4xx(res.status)) fail("wrong key answered " + res.status);
    seen[res.status] = (seen[res.status] || 0) + 1;
  }
  note("wrong keys: " + JSON.stringify(seen));
  if (!seen[401] || !seen[429] || seen[401] > 15) fail("no rate limiting of wrong keys: " + JSON.stringify(seen));
  const locked = await request(r, { path: "/api/status?key=" + r.key, from: "127.0.0.2" });
  if (locked.status !== 429) fail("the locked-out address got " + locked.status + " with the right key");
  const good = await api(r, "GET", "/api/status");
  if (good.status !== 200) fail("the good client got " + good.status + " while another address was locked out");

  note("path traversal with the key: 404, no file contents");
  for (const p of ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/api/../../../etc/passwd",
    "//etc/passwd", "/api/%2e%2e%2fstatus", "/..%5c..%5cwindows", "/api/status/../../x", "/api/events/../../../etc/passwd"]) {
    const sep = p.includes("?") ? "&" : "?";
    const res = await request(r, { path: p + sep + "key=" + r.key });
    if (!is4xx(res.status)) fail(`GET ${p}: ${res.status}`);
    if (/root:|\[boot/.test(res.body)) fail(`GET ${p} leaked a file`);
  }

  note("malformed and out-of-range bodies: 400 with one line of JSON, state unchanged");
  const bad = [
    ["/api/seek", "{"], ["/api/seek", "{\"position_ms\": }"], ["/api/seek", "[]"], ["/api/seek", "\"x\""],
    ["/api/seek", "{\"position_ms\": 1e999}"], ["/api/seek", "{\"position_ms\": -5}"],
    ["/api/seek", "{\"position_ms\": 99999999999}"], ["/api/seek", "{\"position_ms\": 1, \"position_ms\": 2}"],
    ["/api/volume", "{\"db\": 12}"], ["/api/volume", "{\"db\": \"-6\"}"], ["/api/volume", "{\"db\": -6, \"x\": 1}"],
    ["/api/background", "{\"db\": -99}"], ["/api/line", "{\"dir\": \"sideways\"}"], ["/api/pause", "{\"a\": 1}"],
    ["/api/length", "{\"length_ms\": 1}"], ["/api/seek", "\u0000\u0001\u0002"], ["/api/seek", "{\"position_ms\": 5}garbage"],
    ["/api/volume", "{\"db\": -6}".repeat(3)], ["/api/seek", "{\"\\ud800\": 1}"],
  ];
  for (const [path, body] of bad) {
    const res = await request(r, { method: "POST", path, body,
      headers: { Authorization: "Bearer " + r.key, "Content-Type": "application/json" } });
    if (res.status !== 400) fail(`POST ${path} ${JSON.stringify(body)}: ${res.status} ${res.body}`);
    if (!/^\{"error":"[^\n]*"\}\n$/.test(res.body)) fail("not one line of JSON: " + JSON.stringify(res.body));
  }
  const form = await request(r, { method: "POST", path: "/api/pause", body: "a=b",
    headers: { Authorization: "Bearer " + r.key, "Content-Type": "application/x-www-form-urlencoded" } });
  if (form.status !== 415) fail("a form body got " + form.status);
  const after = await status(r);
  for (const f of ["state", "volume_db", "background_db", "length_ms"])
    if (after[f] !== before[f]) fail(`${f} changed from ${before[f]} to ${after[f]} after refused requests`);

  note("oversized body and headers: 413/431");
  const big = await raw(r, `POST /api/seek HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${r.key}\r\n` +
    "Content-Type: application/json\r\nContent-Length: 1048576\r\n\r\n" + " ".repeat(65536), "127.0.0.3");
  if (big.status !== 413) fail("a 1 MB body: " + big.status);
  let chunked = `POST /api/seek HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${r.key}\r\n` +
    "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (let i = 0; i < 64; i++) chunked += "400\r\n" + "x".repeat(1024) + "\r\n";
  const ch = await raw(r, chunked + "0\r\n\r\n", "127.0.0.3");
  if (ch.status !== 413) fail("a 64 kB chunked body: " + ch.status);
  const hdr = await raw(r, `GET /api/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${r.key}\r\n` +
    "X-Big: " + "h".repeat(100000) + "\r\n\r\n", "127.0.0.3");
  if (!is4xx(hdr.status)) fail("100 kB of headers: " + hdr.status);
  const many = await raw(r, "GET /api/status HTTP/1.1\r\nHost: x\r\n" + "X-A: b\r\n".repeat(5000) + "\r\n", "127.0.0.3");
  if (!is4xx(many.status)) fail("5000 header lines: " + many.status);
  const junk = await raw(r, "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n", "127.0.0.3");
  if (junk.status !== 0 && !is4xx(junk.status)) fail("a TLS hello got " + junk.status);

  note("slow headers from one address: its connections are capped, others are served");
  const slow = [];
  for (let i = 0; i < 12; i++) {
    const s = net.connect({ host: r.host, port: r.port, localAddress: "127.0.0.4" });
    s.on("error", () => {});
    s.closedEarly = false;
    s.on("close", () => { s.closedEarly = true; });
    slow.push(s);
  }
  const drip = "GET /api/status HTTP/1.1\r\nHost: x\r\nX-Slow: ";
  for (let i = 0; i < 8; i++) {   // one byte each 250 ms for 2 s
    for (const s of slow) if (!s.closedEarly) s.write(drip[i] || "a");
    const t0 = Date.now();
    const res = await api(r, "GET", "/api/status");
    if (res.status !== 200) fail("the good client got " + res.status + " during the slowloris");
    const wait = 250 - (Date.now() - t0);
    if (wait > 0) await new Promise((res2) => setTimeout(res2, wait));
  }
  const dropped = slow.filter((s) => s.closedEarly).length;
  note(`slowloris: ${dropped} of 12 connections from one address were refused`);
  if (dropped < 4) fail("the per-address connection cap did not hold");
  for (const s of slow) s.destroy();

  // a fresh connection per request: the per-address cap (8) counts a closed
  // connection until its thread is gone, so the good client keeps to 4 at a
  // time; the hostile one uses 16 and may be refused a connection
  const burst = async (n, from, key, width) => {
    const statuses = {};
    let next = 0;
    const worker = async () => {
      while (next < n) {
        const i = next++;
        const path = i % 4 === 3 ? "/api/nope" : "/api/status";
        const headers = key ? { Authorization: "Bearer " + key } : {};
        const res = await request(r, { path, headers, from }).catch(() => ({ status: "refused" }));
        statuses[res.status] = (statuses[res.status] || 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: width }, worker));
    return statuses;
  };
  note(`burst: ${BURST} requests with the key, each on a fresh connection`);
  await burst(200, "127.0.0.1", r.key, 4);   // warm up: thread stacks, malloc arenas
  const rss0 = rssKb(pid);
  let t0 = Date.now();
  const st = await burst(BURST, "127.0.0.1", r.key, 4);
  let secs = (Date.now() - t0) / 1000;
  const rss1 = rssKb(pid);
  note(`burst: ${JSON.stringify(st)} in ${secs.toFixed(1)} s (${Math.round(BURST / secs)}/s); ` +
    `player RSS ${rss0} kB -> ${rss1} kB`);
  if (st[200] !== BURST - Math.floor(BURST / 4) || st[404] !== Math.floor(BURST / 4))
    fail("unexpected answers in the burst: " + JSON.stringify(st));
  if (secs > 120) fail("the burst took " + secs + " s");

  note(`burst: ${BURST} requests without the key, 16 at a time`);
  t0 = Date.now();
  const hb = await burst(BURST, "127.0.0.3", null, 16);
  secs = (Date.now() - t0) / 1000;
  const rss2 = rssKb(pid);
  note(`hostile burst: ${JSON.stringify(hb)} in ${secs.toFixed(1)} s; player RSS ${rss2} kB`);
  for (const k of Object.keys(hb))
    if (k !== "401" && k !== "refused") fail("the hostile burst got " + k);
  if (!hb[401]) fail("no 401 in the hostile burst");
  if (secs > 120) fail("the hostile burst took " + secs + " s");
  if (Math.max(rss1, rss2) - rss0 > 2048) fail(`memory grew by ${Math.max(rss1, rss2) - rss0} kB over the bursts`);

  const end = await status(r);
  if (end.state !== "playing") fail("the player is " + end.state + " after the hostile clients");
  if (end.position_ms <= before.position_ms) fail("the position did not advance");
  console.log("hostile: all refused cleanly, player still playing at " + end.position_ms + " ms");
}

main().catch((e) => fail(e.stack || String(e)));
