// Start the GOV.UK Frontend components. A static file rather than an inline
// script, so a Content-Security-Policy needs no 'unsafe-inline' for it.
import { initAll } from '../govuk/govuk-frontend.min.js'

initAll()
