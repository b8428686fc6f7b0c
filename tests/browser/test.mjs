// Browser tests of ASL Studio's web build: headless Debian Chromium (through playwright-core)
// loads web/dist from a local server on 127.0.0.1 and drives the app through the functions the
// wasm module exports (window.aslStudio), since the canvas has no DOM.
//
//   node --test test.mjs          (after web/build.sh; tests/browser/run.sh does both)
//
// Environment: ASL_STUDIO_DIST (default ../../web/dist), CHROMIUM (default /usr/bin/chromium),
// ASL_STUDIO_BENCH_OUT (a file to write the load-time measurements to, as JSON).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const dist = path.resolve(process.env.ASL_STUDIO_DIST ?? path.join(repo, 'web/dist'));
const artifacts = path.join(here, 'artifacts');
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
// SwiftShader and a busy 2-core machine make the first frame slow; be generous.
const START_TIMEOUT_MS = 180_000;

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

let server;
let baseUrl;
let browser;
const pages = [];

function serveDist() {
  return new Promise((resolve, reject) => {
    const srv = http.createServer((req, res) => {
      const url = new URL(req.url, 'http://127.0.0.1');
      const relative = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
      const file = path.resolve(dist, `.${relative}`);
      if (!file.startsWith(dist + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(200, {
        'content-type': MIME[path.extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      });
      fs.createReadStream(file).pipe(res);
    });
    srv.on('error', reject);
    // Port 0: the system picks a free port; 127.0.0.1 only.
    srv.listen(0, '127.0.0.1', () => resolve(srv));
  });
}

before(async () => {
  assert.ok(fs.existsSync(path.join(dist, 'index.html')), `no build in ${dist}: run web/build.sh`);
  fs.mkdirSync(artifacts, { recursive: true });
  server = await serveDist();
  baseUrl = `http://127.0.0.1:${server.address().port}/`;
  browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
    ],
  });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
});

/**
 * Opens the studio in a fresh browser context (fresh local storage unless `context` is given)
 * and records console errors, page errors and every request the page makes.
 */
async function openStudio({ url = baseUrl, context, initScript, waitForFrame = true } = {}) {
  const ctx = context ?? (await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' }));
  const page = await ctx.newPage();
  const record = { errors: [], requests: [] };
  page.on('console', (msg) => { if (msg.type() === 'error') record.errors.push(msg.text()); });
  page.on('pageerror', (err) => record.errors.push(String(err)));
  page.on('request', (req) => record.requests.push(req.url()));
  if (initScript) await page.addInitScript(initScript);
  pages.push(page);
  await page.goto(url);
  if (waitForFrame) {
    await page.waitForFunction(() => window.aslStudio?.firstFrameMs() !== undefined || window.aslStudioError,
      null, { timeout: START_TIMEOUT_MS, polling: 100 });
    const startError = await page.evaluate(() => window.aslStudioError ?? null);
    assert.equal(startError, null, 'the studio started');
  }
  return { page, context: ctx, record };
}

/** Runs a test body; on failure saves a screenshot of the page under artifacts/. */
function browserTest(name, body) {
  test(name, async () => {
    const before = pages.length;
    try {
      await body();
    } catch (error) {
      const page = pages[pages.length - 1];
      if (page && pages.length > before && !page.isClosed()) {
        const file = path.join(artifacts, `${name.replace(/[^a-z0-9]+/gi, '-')}.png`);
        await page.screenshot({ path: file }).catch(() => {});
        console.error(`screenshot: ${file}`);
      }
      throw error;
    } finally {
      for (const page of pages.splice(before)) await page.context().close().catch(() => {});
    }
  });
}

/** Distinct colours and the share of the most common one in a PNG screenshot (decoded by the page). */
async function pixelStats(page, png) {
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width; c.height = img.height;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const data = g.getImageData(0, 0, c.width, c.height).data;
    const counts = new Map();
    for (let i = 0; i < data.length; i += 4) {
      const key = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const top = Math.max(...counts.values());
    return { distinct: counts.size, dominantShare: top / (data.length / 4) };
  }, png.toString('base64'));
}

function corpusDefinitions(count) {
  const manifest = fs.readFileSync(path.join(repo, 'tests/data/corpus/MANIFEST.tsv'), 'utf8').trim().split('\n');
  const header = manifest[0].split('\t');
  const col = (name) => header.indexOf(name);
  const rows = manifest.slice(1).map((line) => line.split('\t'))
    .filter((r) => r[col('path')].startsWith('real/') && r[col('format')] === 'json' && r[col('validity')] === 'valid');
  // A spread: the deepest nesting, the largest, JSONata, and a few ordinary ones.
  const byDepth = [...rows].sort((a, b) => Number(b[col('max_depth')]) - Number(a[col('max_depth')]));
  const bySize = [...rows].sort((a, b) => Number(b[col('bytes')]) - Number(a[col('bytes')]));
  const jsonata = rows.filter((r) => r[col('uses')].includes('JSONata'));
  const picked = new Map();
  for (const r of [byDepth[0], bySize[0], jsonata[0], ...rows.filter((_, i) => i % 37 === 0)]) {
    if (r && picked.size < count) picked.set(r[col('path')], r);
  }
  return [...picked.keys()].map((p) => ({ name: p, text: fs.readFileSync(path.join(repo, 'tests/data/corpus', p), 'utf8') }));
}

const SAMPLE = fs.readFileSync(path.join(repo, 'app/assets/sample.asl.json'), 'utf8');
// Results of the sample's three Task states, in the simulator's conformance mock form.
const SAMPLE_MOCKS = {
  DownloadFile: { StatusCode: 200, Payload: { bucket: 'staging-bucket', key: 'incoming/orders.csv' } },
  TransformFile: { JobRunId: 'jr_0001', JobRunState: 'SUCCEEDED' },
  Cleanup: {},
};

// An AWS Step Functions Local mock file for the sample whose test case GlueFails makes the Glue
// job throw.
const GLUE_FAILS_MOCK_CONFIG = {
  StateMachines: { Etl: { TestCases: { GlueFails: {
    DownloadFile: 'Downloaded', TransformFile: 'GlueThrows', NotifyFailure: 'Published', Cleanup: 'Deleted',
  } } } },
  MockedResponses: {
    Downloaded: { 0: { Return: SAMPLE_MOCKS.DownloadFile } },
    GlueThrows: { 0: { Throw: { Error: 'Glue.AWSGlueException', Cause: 'job crashed' } } },
    Published: { 0: { Return: { MessageId: 'm-1' } } },
    Deleted: { 0: { Return: {} } },
  },
};

const SAMPLE_INPUT = { source: 's3://landing/orders.csv' };
// What the sample outputs with those results: ResultSelector keeps bucket and key, the Glue
// result lands in $.transform, Cleanup discards its result, the Choice finds no $.error.
const SAMPLE_OUTPUT = {
  source: 's3://landing/orders.csv',
  download: { bucket: 'staging-bucket', key: 'incoming/orders.csv' },
  transform: { JobRunId: 'jr_0001', JobRunState: 'SUCCEEDED' },
};

browserTest('the page loads, draws its first frame and logs no error', async () => {
  const { page, record } = await openStudio();
  const timing = await page.evaluate(() => ({
    firstFrameMs: window.aslStudio.firstFrameMs(),
    domContentLoadedMs: performance.getEntriesByType('navigation')[0]?.domContentLoadedEventEnd ?? null,
  }));
  assert.ok(timing.firstFrameMs > 0, 'first frame time reported');
  assert.equal(await page.locator('#status').isHidden(), true, 'the loading message is gone');
  await page.waitForTimeout(500);
  assert.deepEqual(record.errors, [], 'console errors');
  assert.equal(await page.evaluate(() => window.aslStudio.hasPanicked()), false);
  const foreign = record.requests.filter((u) => !u.startsWith(baseUrl));
  assert.deepEqual(foreign, [], 'the page requests nothing outside its own origin');
  console.log(`first frame at ${timing.firstFrameMs.toFixed(0)} ms after navigation start (DOMContentLoaded ${timing.domContentLoadedMs?.toFixed(0)} ms)`);
  if (process.env.ASL_STUDIO_BENCH_OUT) fs.writeFileSync(process.env.ASL_STUDIO_BENCH_OUT, JSON.stringify(timing));
});

browserTest('the canvas is drawn (the screenshot is not blank)', async () => {
  const { page } = await openStudio();
  await page.waitForTimeout(300);
  const stats = await pixelStats(page, await page.locator('canvas').screenshot());
  assert.ok(stats.distinct >= 16, `only ${stats.distinct} colours`);
  assert.ok(stats.dominantShare < 0.998, `one colour covers ${(stats.dominantShare * 100).toFixed(1)}%`);
});

browserTest('definitions loaded from JavaScript export back equal by value', async () => {
  const { page, record } = await openStudio();
  const definitions = corpusDefinitions(6);
  assert.ok(definitions.length >= 4, 'corpus definitions found');
  for (const { name, text } of definitions) {
    const exported = await page.evaluate(async ([t, n]) => {
      window.aslStudio.loadDefinition(t, n);
      await new Promise((r) => requestAnimationFrame(() => r()));
      return window.aslStudio.currentAsl();
    }, [text, path.basename(name)]);
    assert.deepEqual(JSON.parse(exported), JSON.parse(text), name);
  }
  const bad = await page.evaluate(() => {
    try { window.aslStudio.loadDefinition('{"StartAt": ', 'broken.json'); return null; } catch (e) { return String(e.message); }
  });
  assert.ok(bad && bad.length > 0, 'broken text is refused with a message');
  assert.equal(await page.evaluate(() => window.aslStudio.hasPanicked()), false);
  assert.deepEqual(record.errors, []);
});

browserTest('the bundled sample runs in the simulator with the expected output', async () => {
  const { page } = await openStudio();
  const result = JSON.parse(await page.evaluate(([def, input, mocks]) => {
    window.aslStudio.loadDefinition(def, 'etl-pipeline.asl.json');
    return window.aslStudio.simulate(JSON.stringify(input), JSON.stringify({ mocks }));
  }, [SAMPLE, SAMPLE_INPUT, SAMPLE_MOCKS]));
  assert.equal(result.status, 'SUCCEEDED', JSON.stringify(result).slice(0, 400));
  assert.deepEqual(result.output, SAMPLE_OUTPUT);
  assert.equal(result.stateTransitions, 5);
  // The Glue job throws (an AWS Step Functions Local mock file): the Catch notifies, cleans up,
  // and the machine ends in its own Fail state.
  const mockConfig = GLUE_FAILS_MOCK_CONFIG;
  const failed = JSON.parse(await page.evaluate(([input, options]) =>
    window.aslStudio.simulate(JSON.stringify(input), JSON.stringify(options)),
  [SAMPLE_INPUT, { mockConfig, testCase: 'GlueFails' }]));
  assert.equal(failed.status, 'FAILED');
  assert.equal(failed.error, 'ETL.TransformFailed');
});

browserTest('a click on a state selects it', async () => {
  const { page } = await openStudio();
  await page.evaluate((def) => window.aslStudio.loadDefinition(def, 'etl-pipeline.asl.json'), SAMPLE);
  await page.waitForTimeout(500);
  const names = Object.keys(JSON.parse(SAMPLE).States);
  const rectOf = (name) => page.evaluate((n) => { const r = window.aslStudio.stateRect(n); return r ? Array.from(r) : null; }, name);
  if (await rectOf(names[0])) {
    for (const name of [names[1], names[0]]) {
      const [x, y, w, h] = await rectOf(name);
      await page.mouse.click(x + w / 2, y + h / 2);
      await page.waitForFunction((n) => window.aslStudio.selectedState() === n, name, { timeout: 10_000 });
    }
    return;
  }
  // The designer does not report where it drew a state: probe the middle of the page, nearest the
  // vertical centre line first (a top-down flowchart is centred), until a click selects a state.
  assert.equal(await page.evaluate(() => window.aslStudio.selectedState() ?? null), null, 'nothing selected at first');
  const { width, height } = page.viewportSize();
  const points = [];
  for (let x = width * 0.25; x <= width * 0.75; x += 24) {
    for (let y = height * 0.12; y <= height * 0.88; y += 16) points.push([x, y]);
  }
  points.sort((a, b) => Math.abs(a[0] - width / 2) - Math.abs(b[0] - width / 2) || a[1] - b[1]);
  let selected = null;
  for (const [x, y] of points.slice(0, 400)) {
    await page.mouse.click(x, y);
    // More than egui's double-click window: a second click must not start a rename.
    await page.waitForTimeout(320);
    selected = await page.evaluate(() => window.aslStudio.selectedState() ?? null);
    if (selected) break;
  }
  assert.ok(names.includes(selected), `a click selected a state of the sample (got ${selected})`);
});

browserTest('work survives a reload (autosave to local storage)', async () => {
  const { page, context } = await openStudio();
  const [{ text }] = corpusDefinitions(1);
  await page.evaluate((t) => window.aslStudio.loadDefinition(t, 'mine.asl.json'), text);
  await page.waitForFunction(() => Object.keys(localStorage).some((k) => k.startsWith('asl-studio:')), null, { timeout: 10_000 });
  await page.waitForTimeout(1_500);
  const again = await openStudio({ context });
  assert.deepEqual(JSON.parse(await again.page.evaluate(() => window.aslStudio.currentAsl())), JSON.parse(text));
});

browserTest('a share link carries the definition in its fragment', async () => {
  const { page } = await openStudio();
  const [, { text }] = corpusDefinitions(2);
  const link = await page.evaluate((t) => {
    window.aslStudio.loadDefinition(t, 'shared.asl.json');
    return window.aslStudio.shareLink();
  }, text);
  assert.match(link, /#asl=1\.[A-Za-z0-9_-]+$/);
  const opened = await openStudio({ url: link });
  assert.deepEqual(JSON.parse(await opened.page.evaluate(() => window.aslStudio.currentAsl())), JSON.parse(text));
  assert.equal(await opened.page.evaluate(() => location.hash), '', 'the fragment is cleared, so a reload keeps later edits');
  // The page's "Share link" button puts the same link on the clipboard.
  await opened.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
  await opened.page.locator('#share').click();
  await opened.page.waitForFunction(() => document.getElementById('share').textContent === 'Link copied');
  const copied = await opened.page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, link);
});

browserTest("the designer's Open (Ctrl+O) shows the browser's file picker and opens the file", async () => {
  const { page } = await openStudio();
  const [, , { name, text }] = corpusDefinitions(3);
  await page.locator('#asl_studio_canvas').focus();
  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser', { timeout: 10_000 }),
    page.keyboard.press('Control+o'),
  ]);
  await chooser.setFiles({ name: path.basename(name), mimeType: 'application/json', buffer: Buffer.from(text) });
  await page.waitForFunction((t) => JSON.stringify(JSON.parse(window.aslStudio.currentAsl())) === JSON.stringify(JSON.parse(t)),
    text, { timeout: 15_000 });
});

browserTest('a file dropped on the page opens', async () => {
  const { page, record } = await openStudio();
  const [, , , { text }] = corpusDefinitions(4);
  await page.evaluate((t) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([t], 'dropped.asl.json', { type: 'application/json' }));
    const canvas = document.getElementById('asl_studio_canvas');
    canvas.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    canvas.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, text);
  await page.waitForFunction((t) => JSON.stringify(JSON.parse(window.aslStudio.currentAsl())) === JSON.stringify(JSON.parse(t)),
    text, { timeout: 15_000 });
  assert.deepEqual(record.errors, []);
});

browserTest("the designer's Save as (Ctrl+Shift+S) offers a download of the definition", async () => {
  const { page } = await openStudio();
  await page.locator('#asl_studio_canvas').focus();
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 10_000 }),
    page.keyboard.press('Control+Shift+S'),
  ]);
  assert.match(download.suggestedFilename(), /^etl-pipeline.*\.json$/);
  const saved = fs.readFileSync(await download.path(), 'utf8');
  assert.deepEqual(JSON.parse(saved), JSON.parse(SAMPLE), 'a fresh page shows the bundled sample');
  // The page's own export does the same.
  const [exported] = await Promise.all([
    page.waitForEvent('download', { timeout: 10_000 }),
    page.evaluate(() => window.aslStudio.downloadCurrent('pipeline.asl.json')),
  ]);
  assert.equal(exported.suggestedFilename(), 'pipeline.asl.json');
  assert.deepEqual(JSON.parse(fs.readFileSync(await exported.path(), 'utf8')), JSON.parse(SAMPLE));
});

browserTest('the simulator pane exports the run history as a download and imports a mock file from the picker', async () => {
  const { page, record } = await openStudio();
  const simulator = () => page.evaluate(() => JSON.parse(window.aslStudio.simulatorState()));
  const ranToEnd = () => page.waitForFunction(() => {
    const state = JSON.parse(window.aslStudio.simulatorState());
    return state.phase === 'ready' || state.startError;
  }, null, { timeout: 30_000 });
  // F5 shows the pane and runs the bundled sample (and does not reload the page).
  await page.locator('#asl_studio_canvas').focus();
  await page.keyboard.press('F5');
  await ranToEnd();
  const first = await simulator();
  assert.equal(first.startError, null);
  assert.ok(first.status, 'the run has an outcome');

  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 10_000 }),
    page.evaluate(() => window.aslStudio.simulatorExportHistory()),
  ]);
  assert.equal(download.suggestedFilename(), 'execution-history.json');
  const history = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
  assert.equal(history.events[0].type, 'ExecutionStarted');
  assert.ok(history.events.some((e) => e.type === 'TaskStateEntered'), 'the sample entered its Task states');
  assert.equal((await simulator()).exportMessage, 'Downloaded execution-history.json.');

  // A Step Functions Local mock file that makes the Glue job throw: the Catch ends the run in Fail.
  const mockFile = GLUE_FAILS_MOCK_CONFIG;
  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser', { timeout: 10_000 }),
    page.evaluate(() => window.aslStudio.simulatorOpenMockFile()),
  ]);
  await chooser.setFiles({ name: 'MockConfigFile.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(mockFile)) });
  await page.waitForFunction(() => JSON.parse(window.aslStudio.simulatorState()).mockMessage?.startsWith('MockConfigFile.json:'),
    null, { timeout: 15_000 });
  const imported = await simulator();
  assert.equal(imported.mockMessage, 'MockConfigFile.json: Imported mocks for 4 state(s).');
  assert.deepEqual(JSON.parse(imported.mockFile), mockFile);
  await page.locator('#asl_studio_canvas').focus();
  await page.keyboard.press('Control+r');
  await page.waitForFunction(() => JSON.parse(window.aslStudio.simulatorState()).error === 'ETL.TransformFailed',
    null, { timeout: 30_000 });
  assert.equal((await simulator()).status, 'FAILED');
  assert.deepEqual(record.errors, []);
  assert.equal(await page.evaluate(() => window.aslStudio.hasPanicked()), false);
});

browserTest('without WebGL2 the page says so', async () => {
  const { page } = await openStudio({
    waitForFrame: false,
    initScript: () => {
      const original = HTMLCanvasElement.prototype.getContext;
      HTMLCanvasElement.prototype.getContext = function (kind, ...rest) {
        return kind === 'webgl2' ? null : original.call(this, kind, ...rest);
      };
    },
  });
  await page.waitForFunction(() => window.aslStudioError, null, { timeout: 30_000 });
  assert.match(await page.locator('#status').innerText(), /WebGL2/);
});

browserTest('without WebAssembly SIMD the page says so', async () => {
  const { page } = await openStudio({
    waitForFrame: false,
    initScript: () => {
      const validate = WebAssembly.validate;
      // A browser before SIMD rejects any module with a v128 type (0x7b) in its type section.
      WebAssembly.validate = (bytes) => (bytes.length < 64 && Array.from(bytes).includes(0x7b) ? false : validate(bytes));
    },
  });
  await page.waitForFunction(() => window.aslStudioError, null, { timeout: 30_000 });
  assert.match(await page.locator('#status').innerText(), /SIMD/);
});

/** Width and height of a PNG from its IHDR chunk (after the 8-byte signature). */
function pngSize(bytes) {
  assert.deepEqual([...bytes.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], 'a PNG signature');
  assert.equal(bytes.subarray(12, 16).toString('latin1'), 'IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Runs `action` in the page and returns the download it starts (name and bytes). */
async function downloadOf(page, action, arg) {
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 30_000 }),
    page.evaluate(action, arg),
  ]);
  return { name: download.suggestedFilename(), bytes: fs.readFileSync(await download.path()) };
}

browserTest('File > Export diagram > SVG downloads a picture naming every state, in the chosen theme', async () => {
  const { page, record } = await openStudio();
  const light = await downloadOf(page, () => window.aslStudio.exportDiagram('svg', false));
  assert.equal(light.name, 'etl-pipeline.svg');
  const parsed = await page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
    return {
      error: doc.querySelector('parsererror')?.textContent ?? null,
      root: doc.documentElement.localName,
      texts: [...doc.querySelectorAll('text')].map((t) => t.textContent),
      background: doc.querySelector('rect')?.getAttribute('fill') ?? null,
    };
  }, light.bytes.toString('utf8'));
  assert.equal(parsed.error, null, 'the SVG parses');
  assert.equal(parsed.root, 'svg');
  for (const name of Object.keys(JSON.parse(SAMPLE).States)) {
    assert.ok(parsed.texts.includes(name), `the picture names ${name}`);
  }
  const dark = await downloadOf(page, () => window.aslStudio.exportDiagram('svg', true));
  assert.notEqual(dark.bytes.toString('utf8'), light.bytes.toString('utf8'), 'the dark theme draws other colours');
  assert.deepEqual(record.errors, []);
});

browserTest('File > Export diagram > PNG downloads a non-blank PNG of the SVG size times the scale', async () => {
  const { page, record } = await openStudio();
  const svg = (await downloadOf(page, () => window.aslStudio.exportDiagram('svg', false))).bytes.toString('utf8');
  const root = svg.slice(svg.indexOf('<svg'), svg.indexOf('>', svg.indexOf('<svg')));
  const attribute = (name) => Number(root.match(new RegExp(` ${name}="([0-9.]+)"`))[1]);
  const [svgWidth, svgHeight] = [attribute('width'), attribute('height')];
  assert.ok(svgWidth > 100 && svgHeight > 100, `SVG size ${svgWidth}x${svgHeight}`);
  for (const scale of [1, 2]) {
    const png = await downloadOf(page, (s) => window.aslStudio.exportDiagram('png', false, s), scale);
    assert.equal(png.name, 'etl-pipeline.png');
    // Kept for comparing with `asl-studio render --to png` by eye or by script.
    fs.writeFileSync(path.join(artifacts, `export-etl-pipeline-${scale}x.png`), png.bytes);
    assert.deepEqual(pngSize(png.bytes), { width: Math.ceil(svgWidth * scale), height: Math.ceil(svgHeight * scale) }, `scale ${scale}`);
    const stats = await pixelStats(page, png.bytes);
    assert.ok(stats.distinct >= 16, `only ${stats.distinct} colours at scale ${scale}`);
    assert.ok(stats.dominantShare < 0.98, `one colour covers ${(stats.dominantShare * 100).toFixed(1)}% at scale ${scale}`);
  }
  // An absurd scale is refused with a message instead of a huge canvas (the status dialog shows it).
  await page.evaluate(() => window.aslStudio.exportDiagram('png', false, 1000));
  await page.waitForTimeout(300);
  assert.deepEqual(record.errors, []);
  assert.equal(await page.evaluate(() => window.aslStudio.hasPanicked()), false);
});

/** A definition of about `states` states from the shared generator (tests/data/bench/gen_asl.py). */
function generated(states, depth) {
  const script = path.join(repo, 'tests/data/bench/gen_asl.py');
  return execFileSync('python3', [script, String(states), '--depth', String(depth)], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

browserTest('a definition of 1,600 states is laid out over several frames and then drawn whole', async () => {
  const { page, record } = await openStudio();
  const text = generated(1600, 0);
  const startAt = JSON.parse(text).StartAt;
  const frames = await page.evaluate(async ([t, name]) => {
    window.aslStudio.loadDefinition(t, 'big.asl.json');
    let busy = 0;
    for (let frame = 0; frame < 20_000; frame++) {
      await new Promise((resolve) => requestAnimationFrame(resolve));
      if (window.aslStudio.isLayingOut()) {
        busy += 1;
      } else if (window.aslStudio.stateRect(name) !== undefined) {
        return busy;
      }
    }
    return -1;
  }, [text, startAt]);
  assert.ok(frames > 1, `laid out while ${frames} frames were drawn`);
  // Laid out: the start state has its box (fitted, the whole machine is far smaller than 1:1).
  const rect = await page.evaluate((name) => window.aslStudio.stateRect(name), startAt);
  assert.ok(rect[2] > 0 && rect[3] > 0, `${startAt} at ${rect}`);
  assert.equal(await page.evaluate(() => window.aslStudio.isLayingOut()), false);
  assert.deepEqual(record.errors, []);
  assert.equal(await page.evaluate(() => window.aslStudio.hasPanicked()), false);
});

browserTest('a 1,500-state definition opened over several frames ends as one opened within loadDefinition', async () => {
  const { page, record } = await openStudio();
  const text = generated(1500, 0);
  const startAt = JSON.parse(text).StartAt;
  const open = (spread) => page.evaluate(async ([t, name, spread]) => {
    window.aslStudio.setSpreadOpening(spread);
    window.aslStudio.loadDefinition(t, 'big.asl.json');
    // What the page's next calls see, before any frame: the new document, the rest to come.
    const right = { asl: window.aslStudio.currentAsl(), state: JSON.parse(window.aslStudio.designerState()) };
    for (let frame = 0; frame < 20_000; frame++) {
      await new Promise((resolve) => requestAnimationFrame(resolve));
      if (!window.aslStudio.isLayingOut() && window.aslStudio.stateRect(name) !== undefined) break;
    }
    return { right, shown: JSON.parse(window.aslStudio.designerState()), rect: window.aslStudio.stateRect(name) };
  }, [text, startAt, spread]);
  const spread = await open(true);
  assert.deepEqual(JSON.parse(spread.right.asl), JSON.parse(text), 'the document is there when loadDefinition returns');
  assert.equal(spread.right.state.opening, true, 'checking it is left to the frames after');
  assert.deepEqual(spread.right.state.problems, { errors: 0, warnings: 0, infos: 0 }, 'the last document\'s problems are gone');
  const atOnce = await open(false);
  assert.equal(atOnce.right.state.opening, false);
  assert.deepEqual(atOnce.right.state.problems, atOnce.shown.problems, 'checked within the call');
  // What the user sees in the end is the same either way.
  assert.equal(spread.shown.opening, false);
  assert.equal(spread.shown.states, atOnce.shown.states);
  assert.ok(spread.shown.states >= 1500, `${spread.shown.states} states`);
  assert.deepEqual(spread.shown.problems, atOnce.shown.problems);
  assert.ok(spread.shown.problems.warnings + spread.shown.problems.errors > 0, 'the generated machine has problems to list');
  assert.equal(spread.shown.codeText, text, 'the code view holds the text as loaded');
  assert.equal(atOnce.shown.codeText, text);
  assert.ok(spread.rect && spread.rect[2] > 0 && spread.rect[3] > 0, `${startAt} drawn at ${spread.rect}`);
  assert.deepEqual(spread.rect, atOnce.rect, 'laid out and fitted alike');
  assert.deepEqual(record.errors, []);
  assert.equal(await page.evaluate(() => window.aslStudio.hasPanicked()), false);
});

browserTest('Compare with file… waits for the picked file, then marks what changed', async () => {
  const { page, record } = await openStudio();
  const comparison = () => page.evaluate(() => JSON.parse(window.aslStudio.comparisonState()));
  assert.equal((await comparison()).comparing, false);
  // The older version: NotifyFailure was called AlertOperators, the Glue job timed out sooner,
  // and an Audit state has since been removed.
  const old = JSON.parse(SAMPLE.replaceAll('"NotifyFailure"', '"AlertOperators"'));
  old.States.TransformFile.TimeoutSeconds = 600;
  old.States.Audit = { Type: 'Pass', End: true };
  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser', { timeout: 10_000 }),
    page.evaluate(() => window.aslStudio.compareWithFile()),
  ]);
  const waiting = await comparison();
  assert.equal(waiting.pending, true, 'waiting for the file');
  assert.equal(waiting.comparing, false);
  await chooser.setFiles({ name: 'etl-old.asl.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(old, null, 2)) });
  await page.waitForFunction(() => JSON.parse(window.aslStudio.comparisonState()).comparing, null, { timeout: 15_000 });
  const shown = await comparison();
  assert.equal(shown.pending, false);
  assert.match(shown.status, /^Compared with etl-old\.asl\.json: \d+ change\(s\); gone: state Audit/);
  assert.equal(shown.states.NotifyFailure, 'renamed from AlertOperators');
  assert.equal(shown.states.TransformFile, 'changed');
  assert.equal(shown.states.DownloadFile, undefined, 'an unchanged state is not marked');
  // The exported picture carries the same marks: the note lists what is gone.
  const svg = (await downloadOf(page, () => window.aslStudio.exportDiagram('svg', false))).bytes.toString('utf8');
  assert.ok(svg.includes('Audit'), 'the removed state is listed in the picture');
  // The document itself is untouched.
  assert.deepEqual(JSON.parse(await page.evaluate(() => window.aslStudio.currentAsl())), JSON.parse(SAMPLE));
  assert.deepEqual(record.errors, []);
});

browserTest('the simulator pane runs a Map over 10,000 items to its end and shows the result', async () => {
  const { page, record } = await openStudio();
  const definition = fs.readFileSync(path.join(repo, 'tests/data/bench/map10k.asl.json'), 'utf8');
  const input = fs.readFileSync(path.join(repo, 'tests/data/bench/map10k.input.json'), 'utf8');
  await page.evaluate(([d, i]) => {
    window.aslStudio.loadDefinition(d, 'map10k.asl.json');
    window.aslStudio.simulatorSetInput(i);
  }, [definition, input]);
  await page.locator('#asl_studio_canvas').focus();
  await page.keyboard.press('F5');
  await page.waitForFunction(() => {
    const state = JSON.parse(window.aslStudio.simulatorState());
    return state.phase === 'ready' || state.startError;
  }, null, { timeout: 180_000 });
  const state = await page.evaluate(() => JSON.parse(window.aslStudio.simulatorState()));
  assert.equal(state.startError, null);
  // A Standard run of 30,001 state executions passes the 25,000-event history limit, as on AWS;
  // either way the pane has the run's outcome.
  assert.ok(['SUCCEEDED', 'FAILED'].includes(state.status), JSON.stringify(state.status));
  assert.ok(state.output !== null || state.error !== null);
  assert.deepEqual(record.errors, []);
  assert.equal(await page.evaluate(() => window.aslStudio.hasPanicked()), false);
});

/** Waits until the Tests panel's work is over; its state then. */
async function testsSettled(page) {
  await page.waitForFunction(() => !JSON.parse(window.aslStudio.testsState()).busy, null,
    { timeout: 300_000, polling: 100 });
  return JSON.parse(await page.evaluate(() => window.aslStudio.testsState()));
}

browserTest('Generate tests makes a passing suite a few steps a frame, and frames keep coming while it works', async () => {
  const { page, record } = await openStudio();
  // The sample: the suite is made, loaded as the mock file and run; every case passes.
  await page.evaluate((def) => {
    window.aslStudio.loadDefinition(def, 'etl-pipeline.asl.json');
    window.aslStudio.testsGenerate();
  }, SAMPLE);
  const sample = await testsSettled(page);
  assert.equal(sample.message, null);
  assert.ok(sample.generated?.cases >= 2, JSON.stringify(sample));
  assert.deepEqual([sample.passed, sample.failed], [sample.generated.cases, 0]);
  // A definition whose generation takes many steps (about 2,100 natively, each a slice of a run or one
  // solve): each frame does its share,
  // so frames keep being drawn and the progress moves on between them.
  const text = fs.readFileSync(path.join(repo,
    'tests/data/corpus/real/workflows-collection/sfn-rds-to-aurora-migrate-postgres-cdk__statemachine.asl.json'), 'utf8');
  const run = await page.evaluate(async (t) => {
    const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
    window.aslStudio.loadDefinition(t, 'migrate.asl.json');
    while (window.aslStudio.isLayingOut()) await frame();
    const idle = [performance.now()];
    for (let i = 0; i < 5; i++) { await frame(); idle.push(performance.now()); }
    const idleMs = (idle.at(-1) - idle[0]) / 5;
    const times = [];
    const progress = new Set();
    window.aslStudio.testsGenerate();
    const start = performance.now();
    for (;;) {
      await frame();
      times.push(performance.now());
      const state = JSON.parse(window.aslStudio.testsState());
      if (state.generating) progress.add(`${state.generating.cases} cases, ${state.generating.targetsLeft} left`);
      if (state.generated || state.message || performance.now() - start > 300_000) {
        const gaps = times.map((time, i) => time - (i === 0 ? start : times[i - 1]));
        return { frames: times.length, progress: [...progress], totalMs: times.at(-1) - start,
          maxGapMs: Math.max(...gaps), idleMs, generated: state.generated, message: state.message };
      }
    }
  }, text);
  console.log(`generating for migrate: ${run.totalMs.toFixed(0)} ms over ${run.frames} frames, longest frame ${run.maxGapMs.toFixed(0)} ms (idle frames ${run.idleMs.toFixed(0)} ms), ${run.progress.length} progress states`);
  assert.equal(run.message, null);
  assert.ok(run.generated?.cases >= 2, JSON.stringify(run));
  assert.ok(run.frames >= 5, `only ${run.frames} frames while generating`);
  assert.ok(run.progress.length >= 3, `progress seen: ${run.progress}`);
  assert.ok(run.maxGapMs < run.totalMs / 2, `one frame took ${run.maxGapMs} ms of ${run.totalMs} ms`);
  const settled = await testsSettled(page);
  assert.equal(settled.failed, 0, JSON.stringify(settled));
  assert.deepEqual(record.errors, []);
  assert.equal(await page.evaluate(() => window.aslStudio.hasPanicked()), false);
});
