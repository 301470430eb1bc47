"""Loaders for the guides an office already has: Markdown, HTML, PDF, Word, plain text, and our YAML.

`load_path(folder)` turns every supported file under a folder into a `Document` whose sections split
at the file's headings. Ids are ``file:<relative path>`` and ``file:<relative path>#s<n>``, stable
while the file is unchanged. Unreadable files are skipped with a warning, never raised.
Parsing libraries (pypdf, python-docx, BeautifulSoup, markdown-it) are imported only when a file of
their type is loaded.

    python -m knowledge.loaders PATH    # summary: documents, sections, skipped files
"""

from knowledge.loaders.base import LoadError
from knowledge.loaders.folder import SUPPORTED_SUFFIXES, LoadReport, PathLoader, Skipped, load_file, load_path

__all__ = ["SUPPORTED_SUFFIXES", "LoadError", "LoadReport", "PathLoader", "Skipped", "load_file", "load_path"]
