"""One pass over a text file, independent of the CSV parser: its encoding and its lines.

The parser (pyarrow) says how many rows it read; this pass says how many the file holds, so
that a row swallowed by a stray quote or lost by a reader can never pass unnoticed. It decodes
the whole file once (a bad byte is found before any row is loaded), counts its lines and empty
lines, and finds the lines that leave a quoted value open at their end: a stray quote that
would make the parser run on into the next lines. Counting runs on bytes with numpy.

Line terminators are \\n, \\r\\n and a lone \\r (old Mac exports), as for the parser. An empty
line (no characters at all) holds no row; any other line is a row, a broken one included.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pipeline.errors import UserError

BLOCK = 1 << 22
QUOTE = ord('"')
MAX_OPEN_QUOTE_LINES = 100_000
UTF8_LETTER = re.compile(rb"[\xc2-\xc3][\x80-\xbf]")  # æ ø å é … written in UTF-8
ASCII_COMPATIBLE = ("utf-8", "utf-8-sig", "cp1252", "latin-1")


@dataclass
class TextScan:
    encoding: str
    lines: int  # lines in the file; a last line without a terminator counts
    empty: np.ndarray  # line numbers (1-based) of the empty lines, ascending
    odd_quotes: dict[int, str] = field(default_factory=dict)  # line -> text: odd number of '"'
    ends_with_newline: bool = True
    sha256: str = ""  # of the file's bytes, taken in the same pass (no second read for it)

    def records(self) -> int:
        """Rows the file holds below its header line: its non-empty lines after line 1."""
        return self.lines - 1 - int(np.count_nonzero(self.empty > 1))

    def line_of(self, records: np.ndarray) -> np.ndarray:
        """Line numbers of non-empty records (1 = the header line) in file order."""
        if not len(self.empty):
            return records
        before = self.empty - np.arange(len(self.empty))  # non-empty lines before each empty one
        return records + np.searchsorted(before, records, side="right")

    def open_quote_lines(self, delimiter: str) -> dict[int, str]:
        """Lines whose end falls inside a quoted value, by the CSV rules."""
        return {n: t for n, t in self.odd_quotes.items() if leaves_quote_open(t, delimiter)}


def leaves_quote_open(line: str, delimiter: str) -> bool:
    """True if a quoted value opened on this line is still open at its end (RFC 4180: a quote
    opens a value only at the start of a field; "" inside a quoted value is one quote)."""
    inside = False
    at_start = True
    i = 0
    while i < len(line):
        ch = line[i]
        if inside:
            if ch == '"':
                if line[i + 1 : i + 2] == '"':
                    i += 1
                else:
                    inside = False
        elif ch == '"' and at_start:
            inside = True
        at_start = not inside and ch == delimiter
        i += 1
    return inside


def text_blocks(
    path: Path, encoding: str, digest: hashlib._Hash | None = None
) -> Iterator[tuple[bytes, bool]]:
    """The file as ASCII-compatible bytes in blocks that end after a line terminator
    (UTF-16 is decoded and written as UTF-8 first); the flag marks the last block. `digest`,
    if given, is fed every byte of the file as read."""
    decoder = None if encoding in ASCII_COMPATIBLE else codecs.getincrementaldecoder(encoding)()
    carry = b""
    with path.open("rb") as fh:
        if encoding == "utf-8-sig":
            if (bom := fh.read(3)) == codecs.BOM_UTF8:
                if digest is not None:
                    digest.update(bom)
            else:
                fh.seek(0)
        while True:
            raw = fh.read(BLOCK)
            if digest is not None:
                digest.update(raw)
            last = not raw
            data = raw if decoder is None else decoder.decode(raw, final=last).encode("utf-8")
            if decoder is not None and data.startswith(codecs.BOM_UTF8):
                data = data[3:]  # the BOM of UTF-16, decoded
            data = carry + data
            if last:
                if data:
                    yield data, True
                return
            cut = data.rfind(b"\n") + 1
            if not cut:  # no \n: cut after a lone \r that is not the block's last byte
                cut = data.rfind(b"\r", 0, len(data) - 1) + 1
            if cut:
                yield data[:cut], False
                carry = data[cut:]
            else:
                carry = data


def line_spans(data: bytes, last: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(starts, content ends, terminator positions) of the lines of a block from `text_blocks`."""
    arr = np.frombuffer(data, np.uint8)
    if b"\r" not in data:  # the common case, in half the time
        ends = np.flatnonzero(arr == 10)
        if last and (not len(ends) or ends[-1] != len(arr) - 1):
            ends = np.append(ends, len(arr))
        starts = np.concatenate(([0], ends[:-1] + 1)).astype(np.int64)
        return starts, ends, ends
    lf, cr = arr == 10, arr == 13
    lone_cr = cr.copy()
    lone_cr[:-1] &= ~lf[1:]
    ends = np.flatnonzero(lf | lone_cr)
    if last and (not len(ends) or ends[-1] != len(arr) - 1):
        ends = np.append(ends, len(arr))  # a last line without a terminator
    starts = np.concatenate(([0], ends[:-1] + 1)).astype(np.int64)
    inner = ends < len(arr)
    crlf = np.zeros(len(ends), bool)
    at = ends[inner]
    crlf[inner] = lf[at] & (at > 0) & cr[np.maximum(at - 1, 0)]
    return starts, ends - crlf, ends


def _text_of(encoding: str) -> str:
    """How to read a line of `text_blocks` output back as text."""
    return encoding if encoding in ("cp1252", "latin-1") else "utf-8"


def _lines(path: Path, encoding: str) -> TextScan:
    lines = 0
    empty: list[np.ndarray] = []
    odd: dict[int, str] = {}
    tail = b""
    digest = hashlib.sha256()
    for data, last in text_blocks(path, encoding, digest):
        starts, content_end, ends = line_spans(data, last)
        empty.append(np.flatnonzero(content_end <= starts) + lines + 1)
        if b'"' in data and len(starts):
            # per line, whether it holds an odd number of quotes: xor over its bytes
            odd_line = np.bitwise_xor.reduceat(np.frombuffer(data, np.uint8) == QUOTE, starts)
            for i in np.flatnonzero(odd_line)[: MAX_OPEN_QUOTE_LINES - len(odd)]:
                text = data[starts[i] : content_end[i]].decode(_text_of(encoding), "replace")
                odd[lines + 1 + int(i)] = text
        lines += len(ends)
        tail = data[-1:]
    return TextScan(
        encoding=encoding,
        lines=lines,
        empty=np.concatenate(empty) if empty else np.array([], np.int64),
        odd_quotes=odd,
        ends_with_newline=tail in (b"\n", b"\r"),
        sha256=digest.hexdigest(),
    )


def _decodes(path: Path, encoding: str) -> tuple[int, int, bool] | None:
    """None if the whole file decodes; else (byte offset, line, cut off) of the first bad
    byte, where `cut off` means the file ends inside a character."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    newlines = 0
    with path.open("rb") as fh:
        ascii_safe = encoding in ASCII_COMPATIBLE
        while block := fh.read(BLOCK):
            if ascii_safe and block.isascii() and not decoder.getstate()[0]:
                offset += len(block)  # ASCII is itself in these encodings: nothing to decode
                newlines += block.count(b"\n")
                continue
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                bad = offset + exc.start
                return bad, newlines + block[: exc.start].count(b"\n") + 1, False
            offset += len(block)
            newlines += block.count(b"\n")
    pending = len(decoder.getstate()[0])
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return offset - pending, newlines + 1, True
    return None


def _first_line_with(path: Path, pattern: re.Pattern[bytes]) -> int:
    with path.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            if pattern.search(line):
                return number
    return 0


def detect_encoding(path: Path, configured: str | None) -> str:
    """The configured encoding (checked), else UTF-8 (BOM or not), UTF-16 (by its BOM or its
    zero bytes), else cp1252 (Windows exports), else latin-1. A file that mixes UTF-8 with a
    one-byte encoding is stopped: decoding it as either would garble some of its rows."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    if configured:
        try:
            codecs.lookup(configured)
        except LookupError as exc:
            raise UserError(
                "The configured encoding is unknown",
                file=path,
                found=repr(configured),
                hint="Use e.g. 'utf-8', 'cp1252', 'latin-1' or 'utf-16'",
            ) from exc
        bad = _decodes(path, configured)
        if bad is not None:
            offset, line, _ = bad
            with path.open("rb") as fh:
                fh.seek(offset)
                byte = fh.read(1)
            raise UserError(
                f"The file cannot be read as {configured}",
                file=path,
                row=line,
                expected=f"text in {configured}",
                found=f"the byte {byte.hex(' ')} (0x{byte.hex()})",
                hint="Remove options.encoding to let ot-eval detect it, or set it to the file's "
                "encoding (Excel and Nettskjema exports on Windows are often 'cp1252')",
            )
        return configured
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif b"\x00" in head:  # UTF-16 without a BOM (sniff has told it from binary data)
        zero_odd = head[1::2].count(0) > head[0::2].count(0)
        candidates = ["utf-16-le" if zero_odd else "utf-16-be"]
    else:
        candidates = ["utf-8"]
    bad = _decodes(path, candidates[0])
    if bad is None:
        return candidates[0]
    if bad[2]:
        raise UserError(
            "The file ends in the middle of a character: it looks cut off",
            file=path,
            row=bad[1],
            hint="Export the file again and check that the copy finished",
        )
    if candidates[0].startswith("utf-16"):
        raise UserError(
            "The file starts as UTF-16 text but cannot be read as such",
            file=path,
            row=bad[1],
            hint="Export it again (as UTF-8 if the program offers it)",
        )
    utf8_line = _first_line_with(path, UTF8_LETTER)
    if utf8_line:
        raise UserError(
            "The file mixes two text encodings: some lines are UTF-8, others not",
            file=path,
            row=bad[1],
            expected="one encoding for the whole file",
            found=f"UTF-8 letters on line {utf8_line} and a byte that is not UTF-8 on line "
            f"{bad[1]}",
            hint="Files exported separately were probably joined: export the data again as "
            "one file, or convert every part to UTF-8 before joining",
        )
    return "cp1252" if _decodes(path, "cp1252") is None else "latin-1"


def scan(path: Path, configured: str | None) -> TextScan:
    return _lines(path, detect_encoding(path, configured))
