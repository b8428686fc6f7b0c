// Shared by the bench and profile scripts: the web build served on loopback, and Chromium started
// as this machine allows it (no sandbox as root, no GPU, no background networking: the closed
// network refuses it).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };

/** Serves the files of `dist` (nothing outside it) on a free loopback port; returns the server and its URL. */
export async function serveDist(dist) {
  const server = http.createServer((req, res) => {
    const rel = new URL(req.url, 'http://127.0.0.1').pathname;
    const file = path.resolve(dist, `.${rel === '/' ? '/index.html' : rel}`);
    if (!file.startsWith(dist + path.sep) || !fs.existsSync(file)) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}/` };
}

/** Headless Chromium ($CHROMIUM or Debian's) drawing with SwiftShader. */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
  });
}
