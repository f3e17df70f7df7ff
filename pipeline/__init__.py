"""ot-eval: evaluation pipeline for strukturert tverrfaglig oppfølgingsteam (OT)."""

import os

# The Excel files ot-eval writes (the sample, the corpus, the KE templates) must be the same
# bytes on every machine. openpyxl serialises XML with lxml when it is installed (pyfixest
# brings it in, through maketables and python-docx) and with the standard library otherwise,
# and the two differ; always the standard library. Set before anything imports openpyxl.
os.environ.setdefault("OPENPYXL_LXML", "False")

__version__ = "0.1.0"
