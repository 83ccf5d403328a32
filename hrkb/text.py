"""How stored texts end their lines: with LF alone, whichever way they came in."""


def lf_lines(text: str) -> str:
    """``text`` with each CR LF and each lone CR made LF.

    Mentions, citations and quotes point into texts by character offsets, and a changed text is
    compared with the stored one line by line: a text must read the same however it arrived. A
    browser's text area sends CR LF (the HTML standard); a file or a spreadsheet's cell written on
    Windows may hold either.
    """
    return text.replace("\r\n", "\n").replace("\r", "\n")
