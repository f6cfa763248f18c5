// A page waiting for a PDF (or for a report to be issued) asks the same address for the job's
// state as JSON and says where it has got to, in place, instead of reloading. When the job is
// done (ready, or failed) it loads the address again: a ready PDF opens, a failure shows its page.
// Anything else (the session ended and sign-in answered, a server error) is loaded as a page too,
// so the person sees it rather than a page that waits for ever. Without JavaScript the page's
// <noscript> refresh does the same.
const waiting = document.querySelector('[data-pdf-job]')

if (waiting) {
  const url = waiting.dataset.pollUrl
  const interval = Math.max(1, Number(waiting.dataset.interval) || 3) * 1000
  const message = waiting.querySelector('[data-pdf-job-message]')
  const done = ['ready', 'failed', 'issued']

  const poll = async () => {
    let job
    try {
      const reply = await fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      const isJson = (reply.headers.get('Content-Type') || '').startsWith('application/json')
      if (reply.redirected || !isJson) {
        window.location.replace(url)
        return
      }
      job = await reply.json()
    } catch (error) {
      // A dropped connection or a restart: keep waiting, the next try may work.
      window.setTimeout(poll, interval)
      return
    }
    if (done.includes(job.state)) {
      window.location.replace(url)
      return
    }
    if (message && job.message && message.textContent !== job.message) {
      message.textContent = job.message
    }
    window.setTimeout(poll, interval)
  }
  window.setTimeout(poll, interval)
}
