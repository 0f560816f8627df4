"""Errors a page can fail with; each carries a one-line reason for the user."""


class ExtractError(Exception):
    """A page could not be turned into a report. ``str(err)`` is the one-line reason."""


class UndecodableError(ExtractError):
    """The bytes are not text in any encoding a Chinese government site uses."""


class NotAReportError(ExtractError):
    """The page decoded but is not a report (list page, error page, empty page)."""


class DocumentRejectedError(ExtractError):
    """A document (PDF, DOCX, OFD, DOC, WPS) that cannot be read: encrypted, scanned, corrupt, too large."""
