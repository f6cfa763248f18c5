// A page waiting for a PDF (or for a report to be issued) asks the same address for the job's
// state as JSON and says where it has got to, in place, instead of reloading. When the job is
// done (ready, or failed) it loads the address again: a ready PDF opens, a failure shows its page.
// Without JavaScript the page's <noscript> refresh does the same.
const waiting = document.querySelector('[data-pdf-job]')

if (waiting) {
  const url = waiting.dataset.pollUrl
  const interval = Math.max(1, Number(waiting.dataset.interval) || 3) * 1000
  const message = waiting.querySelector('[data-pdf-job-message]')

  const poll = async () => {
    try {
      const reply = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      const job = await reply.json()
      if (job.state === 'ready' || job.state === 'failed' || job.state === 'issued') {
        window.location.replace(url)
        return
      }
      if (message && job.message && message.textContent !== job.message) {
        message.textContent = job.message
      }
    } catch (error) {
      // A dropped connection or a restart: keep waiting, the next try may work.
    }
    window.setTimeout(poll, interval)
  }
  window.setTimeout(poll, interval)
}
