/**
 * The preview's stand-in for Electron's preload: `window.classlock` over loopback HTTP
 * (fetch for requests, Server-Sent Events for new Views). Plain script, loaded before the app.
 */
export const PREVIEW_BRIDGE_JS = `(() => {
  const listeners = new Set();
  const post = async (path, body) => {
    const r = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const data = await r.json();
    if (!r.ok) throw new Error(data.error || 'preview request failed');
    return data;
  };
  const events = new EventSource('/api/events');
  events.onmessage = (e) => { const v = JSON.parse(e.data); listeners.forEach((l) => l(v)); };
  window.classlock = {
    getView: async () => (await fetch('/api/view')).json(),
    send: (intent) => post('/api/intent', intent),
    onView: (l) => { listeners.add(l); return () => listeners.delete(l); },
  };
})();
`;

/** A separate page of buttons, so the screens themselves stay exactly as users see them. */
export const CONTROLS_HTML = `<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Classlock preview controls</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'">
<style>body{font:18px system-ui,sans-serif;margin:2rem;max-width:40rem}button{font-size:18px;margin:.3rem;padding:.6rem 1rem}</style>
</head><body>
<h1>Preview controls</h1>
<p>Keep the preview open in another tab or window; these buttons change what it shows.</p>
<p id="no-token" hidden>This page was opened without its token. Open the controls address exactly as it was printed (it ends with #token=…).</p>
<button data-a="restart">Start again (first login)</button>
<button data-a="warn">Go idle (the warning shows now)</button>
<button data-a="lock">Lock now</button>
<button data-a="internet">Withdraw internet access</button>
<button data-a="network">Withdraw network access</button>
<p id="out" role="status"></p>
<script>
// The token is after the # so it never reaches a server log or a Referer header.
const token = new URLSearchParams(location.hash.slice(1)).get('token') || '';
document.getElementById('no-token').hidden = token !== '';
for (const b of document.querySelectorAll('button')) b.onclick = async () => {
  const out = document.getElementById('out');
  try {
    const r = await fetch('/api/preview/' + b.dataset.a, { method: 'POST', headers: { 'x-classlock-token': token } });
    const v = await r.json();
    out.textContent = r.ok ? 'Now showing: ' + v.screen : v.error;
  } catch (e) {
    out.textContent = 'The preview is not answering (was it stopped?)';
  }
};
</script></body></html>
`;
