// lib.mjs - shared helpers of the remote's test clients (node, no packages).
// Every request has a deadline, so a hung server fails the test instead of
// hanging it.
import fs from "node:fs";
import http from "node:http";
import net from "node:net";

export function fail(msg) {
  console.error("FAIL: " + msg);
  process.exit(1);
}

export function note(msg) {
  console.log("-- " + msg);
}

// remote URL "http://127.0.0.1:PORT/?key=KEY" -> {host, port, key}
export function parseRemote(url) {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port), key: u.searchParams.get("key"), url };
}

// One request on a fresh connection. opts: method, path, headers, body,
// from (local address), timeout (ms). Resolves {status, headers, body}.
export function request(r, opts) {
  return new Promise((resolve, reject) => {
    const body = opts.body === undefined ? undefined : Buffer.from(opts.body);
    const headers = Object.assign({ Connection: "close" }, opts.headers || {});
    if (body) headers["Content-Length"] = body.length;
    const req = http.request({
      host: r.host, port: r.port, method: opts.method || "GET", path: opts.path || "/",
      headers, localAddress: opts.from || "127.0.0.1", agent: opts.agent || false,
      timeout: opts.timeout || 10000,
    }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error("timed out: " + (opts.method || "GET") + " " + opts.path)));
    req.on("error", reject);
    if (body) req.write(body);
    req.end();
  });
}

export function api(r, method, path, body) {
  const headers = { Authorization: "Bearer " + r.key };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  return request(r, { method, path, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

export async function status(r) {
  const res = await api(r, "GET", "/api/status");
  if (res.status !== 200) fail("GET /api/status answered " + res.status);
  return JSON.parse(res.body);
}

// Polls the status until pred(status) holds; bounded by limitMs (wall clock,
// generous: it only bounds a failure). Returns the status.
export async function waitStatus(r, what, pred, limitMs = 20000) {
  const until = Date.now() + limitMs;
  for (;;) {
    const s = await status(r);
    if (pred(s)) return s;
    if (Date.now() > until) fail("timed out waiting for " + what + " (status " + JSON.stringify(s) + ")");
    await new Promise((res) => setTimeout(res, 20));
  }
}

// Raw bytes on a socket; resolves with everything the server sent before
// closing (or after limitMs).
export function raw(r, bytes, from = "127.0.0.1", limitMs = 10000) {
  return new Promise((resolve) => {
    const s = net.connect({ host: r.host, port: r.port, localAddress: from });
    const chunks = [];
    const timer = setTimeout(() => s.destroy(), limitMs);
    s.on("connect", () => s.write(bytes));
    s.on("data", (c) => chunks.push(c));
    s.on("error", () => {});
    s.on("close", () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString("latin1");
      const m = /^HTTP\/1\.\d (\d{3})/.exec(text);
      resolve({ status: m ? Number(m[1]) : 0, text });
    });
  });
}

// Resident memory of a process, in kB (Linux /proc).
export function rssKb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync("/proc/" + pid + "/status", "utf8"));
  if (!m) fail("no VmRSS for pid " + pid);
  return Number(m[1]);
}
