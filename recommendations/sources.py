"""The documents the reference data comes from, by the names a reader knows them by.

Every shipped record keeps the seed file it came from in `source_document` (a file name such as
000_f2379ec1b9ddf4ad.txt, shown in the admin only) and the place in it in `source_reference`. Pages,
exports and papers never show the file name: they cite the document by the name below, e.g.
"Darlington Borough Council, Cabinet report, main report paragraphs 11 and 12".
"""

# Seed file name -> the document as a reader would cite it (see ../shared/seeds/README.md).
DOCUMENT_NAMES = {
    "000_f2379ec1b9ddf4ad.txt": "Darlington Borough Council, Cabinet report",
    "001_0595a2620ba36ceb.txt": "Central Bedfordshire Council, Appendix 1 "
    "(summary of actions in the Laming Report)",
    "002_611c8d93ec9475bc.txt": "Newcastle Safeguarding Children Board, presentation on Lord Laming's report",
    "003_aa9d365f017a61f0.txt": "Stockton-on-Tees Borough Council, Cabinet decision record of 11 June 2009",
    "004_57078ae0ead0d98e.txt": "Department for Children, Schools and Families, consultation on the revised "
    "Working Together to Safeguard Children",
}

# The recommendations are Lord Laming's words, whichever council's document the tracker took them from
# (Central Bedfordshire's appendix quotes all 58), so they cite his report.
LAMING_REPORT = "Lord Laming, The Protection of Children in England (March 2009)"


def document_name(source_document):
    """The readable name of a source document. A name an administrator typed that is not a seed file
    is shown as typed; a seed file never is."""
    return DOCUMENT_NAMES.get(source_document, source_document)
