// The dispatcher's page: while a plan is being made, poll its status (JSON) and show phase, best,
// bound and gap; when it is done (or failed), reload the page to show the plan.
(function () {
  const box = document.getElementById('progress');
  if (!box || box.dataset.state !== 'running') return;
  const url = box.dataset.statusUrl;
  const job = box.dataset.job;
  const fmt = x => (x === null || x === undefined) ? '-' : Math.round(x).toLocaleString('en-US');
  const set = (id, text) => { const e = document.getElementById(id); if (e) e.textContent = text; };
  async function poll() {
    try {
      const r = await fetch(url, {headers: {'Accept': 'application/json'}, credentials: 'same-origin'});
      const s = await r.json();
      if (String(s.job) !== job) { location.reload(); return; }
      set('progress-state', s.state);
      set('phase', s.phase);
      set('seconds', s.seconds.toFixed(1));
      set('best', fmt(s.best_cny));
      set('bound', fmt(s.bound_cny));
      set('gap', s.gap === null ? '-' : (100 * s.gap).toFixed(1));
      if (s.state !== 'running') { location.reload(); return; }
    } catch (e) { /* the server is busy: try again */ }
    setTimeout(poll, 500);
  }
  setTimeout(poll, 300);
})();
