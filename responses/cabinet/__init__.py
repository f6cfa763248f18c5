"""The Cabinet report: what it says (content), its narrative forms, its writes (services), its
pages (views) and its issue in the background (issuing, tasks). It is built from the council's
responses, so it lives with them; its records (CabinetReport, Meeting, Decision, PdfJob) are the
council's papers, in authorities.models, and its PDF is rendered by authorities.pdf."""
