// Starts ASL Studio on the page's canvas, with a loading state and plain messages when the
// browser cannot run it. The wasm module's exports are published as `window.aslStudio` for
// embedding and tests.
import init, * as studio from './asl_studio.js';

const CANVAS_ID = 'asl_studio_canvas';
const status = document.getElementById('status');

function showError(title, detail) {
  status.hidden = false;
  status.className = 'error';
  status.replaceChildren();
  const box = document.createElement('div');
  const heading = document.createElement('strong');
  heading.textContent = title;
  box.append(heading);
  if (detail) {
    const text = document.createElement('p');
    text.textContent = detail;
    box.append(text);
  }
  status.append(box);
  window.aslStudioError = `${title}${detail ? `: ${detail}` : ''}`;
}

function hasWebGl2() {
  try {
    return !!document.createElement('canvas').getContext('webgl2');
  } catch {
    return false;
  }
}

const share = document.getElementById('share');

document.addEventListener('asl-studio-first-frame', () => {
  status.hidden = true;
  share.hidden = false;
}, { once: true });

share.addEventListener('click', () => {
  try {
    window.aslStudio.copyShareLink();
    share.textContent = 'Link copied';
  } catch (error) {
    console.warn(error);
    share.textContent = 'Cannot share';
  }
  setTimeout(() => { share.textContent = 'Share link'; }, 2000);
});

async function main() {
  if (typeof WebAssembly !== 'object') {
    showError('This browser cannot run WebAssembly.', 'ASL Studio needs a current Chrome, Edge, Firefox or Safari.');
    return;
  }
  if (!hasWebGl2()) {
    showError('This browser has WebGL2 turned off or unsupported.',
      'ASL Studio draws with WebGL2. Enable hardware acceleration (or WebGL) in the browser settings, or use a current browser.');
    return;
  }
  try {
    await init();
    window.aslStudio = studio;
    await studio.start(CANVAS_ID);
    // eframe stops drawing after a panic (and logs it to the console); say so on the page.
    const watch = setInterval(() => {
      if (studio.hasPanicked()) {
        clearInterval(watch);
        showError('ASL Studio stopped after an internal error.',
          'Your work is autosaved in this browser: reload the page to recover it.');
      }
    }, 1000);
  } catch (error) {
    console.error(error);
    showError('ASL Studio could not start.', String(error?.message ?? error));
  }
}

main();
