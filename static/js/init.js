// Start the GOV.UK Frontend components. A static file rather than an inline
// script, so a Content-Security-Policy needs no 'unsafe-inline' for it.
// Keep the semicolon after the import: collectstatic rewrites its path to the
// hashed file name only when the statement ends with one (laming/storage.py).
import { initAll } from '../govuk/govuk-frontend.min.js';

initAll();
