// Start-up benchmark of the web build: loads the page N times (fresh profile each time) in headless
// Chromium and prints the time from navigation start to the first painted frame
// (window.aslStudio.firstFrameMs(), performance.now() at the end of the first frame), plus the
// wasm size. Usage: node bench.mjs [runs=5]   (after web/build.sh)
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(process.env.ASL_STUDIO_DIST ?? path.join(here, '../../web/dist'));
const runs = Number(process.argv[2] ?? 5);
const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };

const server = http.createServer((req, res) => {
  const rel = new URL(req.url, 'http://127.0.0.1').pathname;
  const file = path.resolve(dist, `.${rel === '/' ? '/index.html' : rel}`);
  if (!file.startsWith(dist + path.sep) || !fs.existsSync(file)) { res.writeHead(404).end(); return; }
  res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
  fs.createReadStream(file).pipe(res);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
});
const times = [];
try {
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForFunction(() => window.aslStudio?.firstFrameMs() !== undefined, null, { timeout: 180_000 });
    times.push(await page.evaluate(() => window.aslStudio.firstFrameMs()));
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
}
times.sort((a, b) => a - b);
const wasm = fs.readFileSync(path.join(dist, 'asl_studio_bg.wasm'));
const gz = zlib.gzipSync(wasm, { level: 9 }).length;
console.log(`wasm ${wasm.length} bytes raw, ${gz} bytes gzipped`);
console.log(`first frame after navigation start, ${runs} loads: median ${times[Math.floor(times.length / 2)].toFixed(0)} ms, min ${times[0].toFixed(0)} ms, max ${times[times.length - 1].toFixed(0)} ms`);
