"""Turning option strings into values: ids, --fields/--filter sources, JSON, encodings.

No I/O beyond reading the named source (a file, stdin, or a URL through the fetch function
the caller passes in). Nothing here imports requests; the JSON5 parser is imported only when
strict JSON has failed.
"""

from __future__ import annotations

import codecs
import json
import os
import re
from collections.abc import Callable, Iterable
from typing import IO, Any

from oint_py.errors import InputError

# The forms that survive every shell, shown whenever quotes look eaten (WINDOWS.md).
QUOTING_HINT = (
    "Quote the JSON so the shell keeps its inner quotes: OPI's form "
    "\"{'EMAIL':'a@b.org'}\" works the same in bash, cmd.exe and PowerShell; strict JSON in "
    'cmd.exe is "{""EMAIL"":""a@b.org""}"; in bash \'{"EMAIL":"a@b.org"}\'; or put the JSON '
    "in a UTF-8 file and pass its path"
)


def strip_wrapping(value: str) -> str:
    """Strip whitespace and one pair of stray quotes ("x", 'x', ""x"" as cmd.exe leaves them)."""
    text = value.strip().lstrip("\ufeff").strip()  # a BOM: the first cell of an Excel CSV
    for quote in ('""', '"', "'"):
        if len(text) >= 2 * len(quote) and text.startswith(quote) and text.endswith(quote):
            return text[len(quote) : -len(quote)].strip()
    return text


def parse_user_id(value: str, option: str = "--userid") -> int:
    """A positive integer, given as ``2626`` or ``"2626"``."""
    text = strip_wrapping(value)
    if re.fullmatch(r"[0-9]{19,}", text):
        raise InputError(
            f"{option} is too large to be a user ID: {text[:25]}{'...' if len(text) > 25 else ''}",
            f"Pass the user's numeric ID, e.g. {option} 2626.",
        )
    if not re.fullmatch(r"[0-9]{1,18}", text) or int(text) <= 0:
        shown = text if len(text) <= 40 else text[:37] + "..."
        fix = f"Pass the user's numeric ID, e.g. {option} 2626."
        if re.match(r"^[0-9]+\s*[;,\t]", text):
            fix += " It looks like a whole CSV line: split it on the file's separator (Excel "
            fix += "in some locales writes ; instead of ,)."
        raise InputError(f"{option} must be a positive integer, not {shown!r}", fix)
    return int(text)


def decode_bytes(data: bytes, source: str) -> str:
    """UTF-8 (with or without BOM) or UTF-16/32 with a BOM; never a silent cp1251 guess."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                break
    else:
        if b"\x00" in data:
            raise InputError(
                f"{source} looks like UTF-16 or UTF-32 without a byte order mark",
                "Save it as UTF-8 (or UTF-16 with a BOM, as PowerShell 5 and Notepad do).",
            )
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    raise InputError(
        f"{source} is not UTF-8 text",
        "Save it as UTF-8 (in Notepad: Save as, Encoding: UTF-8) or UTF-16 with a BOM.",
    )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _looks_quote_stripped(text: str) -> bool:
    """`{EMAIL:a@b}` or `'{EMAIL:a@b}'`: a shell (cmd.exe, PowerShell 5) ate the quotes."""
    inner = text[1:-1] if len(text) >= 2 and text[0] == text[-1] == "'" else text
    return inner.startswith("{") and '"' not in inner and "'" not in inner and ":" in inner


# No Bitrix24 field nests deeper; a limit keeps every later step (JSON encoding, --test,
# the comparisons of --verify) far from Python's recursion limit.
MAX_DEPTH = 32


def _depth(value: Any) -> int:
    """Nesting depth of a JSON value, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            break
        if isinstance(item, dict):
            stack.extend((v, level + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, level + 1) for v in item)
    return deepest


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """Keys are case-insensitive on the portal: a repeated key would silently lose a value."""
    pairs = list(pairs)
    seen: set[str] = set()
    for key, _ in pairs:
        folded = key.upper() if isinstance(key, str) else str(key)
        if folded in seen:
            raise _DuplicateKey(key)
        seen.add(folded)
    return dict(pairs)


def parse_object(text: str, source: str, *, inline: bool = True) -> dict[str, Any]:
    """Strict JSON first, then OPI's single-quoted style through JSON5; a non-empty object.

    ``inline``: the text was typed on the command line, so a parse failure may be the
    shell's doing and the error shows the quoting that works in each shell.
    """
    stripped = text.strip()
    if not stripped:
        raise InputError(f"{source} is empty", 'Give a JSON object such as {"NAME":"Ivan"}.')
    if inline and stripped.startswith("-") and not stripped[1:2].isdigit():
        raise InputError(
            f"{source} took {_excerpt(stripped)!r} as its value",
            f"Put the JSON (or a file name) right after {source}.",
        )
    hint = _syntax_hint(stripped, inline)
    try:
        try:
            value = json.loads(
                stripped, parse_constant=_reject_constant, object_pairs_hook=_unique_keys
            )
        except ValueError as strict_error:
            if inline and _looks_quote_stripped(stripped):
                raise InputError(
                    f"{source} looks like JSON whose quotes the shell removed: "
                    f"{_excerpt(stripped)}",
                    hint,
                ) from None
            value = _parse_json5(stripped, source, strict_error, hint)
    except RecursionError:
        raise InputError(
            f"{source} is nested too deeply", f"Keep it under {MAX_DEPTH} levels."
        ) from None
    except _DuplicateKey as duplicate:
        raise InputError(
            f'{source} has the key "{_excerpt(str(duplicate.key))}" more than once '
            "(keys are case-insensitive on the portal)",
            "Keep one of them: the portal would silently use only one value.",
        ) from None
    if _depth(value) > MAX_DEPTH:
        raise InputError(f"{source} is nested too deeply", f"Keep it under {MAX_DEPTH} levels.")
    _check_values(value, source)
    if not isinstance(value, dict):
        raise InputError(
            f"{source} must be a JSON object ({{...}}), not {type(value).__name__}",
            'Give the fields as an object, e.g. {"NAME":"Ivan"}.',
        )
    if not value:
        if source.startswith("--filter"):
            raise InputError(
                f"{source} is an empty object",
                "Give at least one filter key (see GetUserFilterStructure); to list every user, "
                "use GetUser --all.",
            )
        raise InputError(f"{source} is an empty object", "Give at least one field to send.")
    return value


APOSTROPHE_HINT = (
    "In OPI's single-quoted style an apostrophe ends the value: write O\\'Brien, or put that "
    "value in double quotes: {'LAST_NAME':\"O'Brien\"}"
)


def _syntax_hint(text: str, inline: bool) -> str:
    """What most likely went wrong: the shell ate the quotes, an apostrophe inside OPI's
    single quotes, or plain JSON syntax."""
    if inline and (_looks_quote_stripped(text) or ('"' not in text and "'" not in text)):
        return QUOTING_HINT + "."
    if "'" in text:
        return APOSTROPHE_HINT + "."
    syntax = (
        "Check the JSON: keys and strings in double quotes, a comma between pairs, braces closed"
    )
    if inline:  # the shell may have split or changed it
        quoting = QUOTING_HINT[0].lower() + QUOTING_HINT[1:]
        return f"{syntax}. If that looks right, the shell changed it: {quoting}."
    return syntax + "."


def _parse_json5(text: str, source: str, strict_error: ValueError, hint: str) -> Any:
    import json5  # only now: strict JSON failed (OPI's single-quoted style)

    try:
        value = json5.loads(text, object_pairs_hook=_unique_keys)
    except _DuplicateKey:
        raise
    except Exception:  # any input, any parser complaint: a usage error, never a traceback
        detail = "single-quoted" if "'" in text else str(strict_error).split(":")[0]
        raise InputError(
            f"{source} is not valid JSON ({detail or 'parse error'}): {_excerpt(text)}",
            hint,
        ) from None
    return value


def _check_values(value: Any, source: str) -> None:
    """What JSON (and the portal) cannot carry: NaN, Infinity or numbers beyond a float
    (`1e400`), and lone UTF-16 surrogates (`"\\ud83d"`, half an emoji)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float) and (item != item or item in (float("inf"), float("-inf"))):
            raise InputError(
                f"{source} contains NaN, Infinity or a number too large to send",
                "Use an ordinary number, or a string.",
            )
        texts = [item] if isinstance(item, str) else list(item) if isinstance(item, dict) else []
        for text in texts:
            if any("\ud800" <= ch <= "\udfff" for ch in text):
                raise InputError(
                    f"{source} contains a broken character (half of a UTF-16 pair) in "
                    f"{_excerpt(text)!r}",
                    "Write the whole character, or its \\uXXXX\\uXXXX pair.",
                )
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _excerpt(text: str, limit: int = 60) -> str:
    printable = "".join(ch if ch.isprintable() else " " for ch in text)
    one_line = " ".join(printable.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 3] + "..."


def _looks_like_path(text: str) -> bool:
    if text[:1] in ("{", "["):
        return False
    if "/" in text or "\\" in text or text.lower().endswith((".json", ".json5", ".txt")):
        return True
    # fields.jsn, users.json.tmp: a file name, not JSON (no quotes, colons or braces)
    return re.fullmatch(r"[\w\-.]+\.[A-Za-z0-9]{1,5}", text) is not None


def read_source(
    value: str,
    option: str,
    *,
    stdin: IO[bytes] | None,
    fetch: Callable[[str], bytes] | None,
) -> tuple[str, str]:
    """Resolve a --fields/--filter value to (text, description of its source).

    Order (CONTRACT.md): ``-`` stdin; ``@path`` or an existing file; an http(s) URL fetched
    with ``fetch``; otherwise the value itself as inline JSON.
    """
    if value == "-":
        if stdin is None:
            raise InputError(f"{option} - needs standard input", "Pipe the JSON into oint.")
        return decode_bytes(stdin.read(), f"{option} from standard input"), "standard input"
    path = value[1:] if value.startswith("@") else value
    if value.startswith("@") or (len(value) < 4096 and os.path.isfile(value)):
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            raise InputError(
                f"{option} names a file that does not exist: {path}",
                "Check the path (relative paths start from the current directory).",
            ) from None
        except OSError as error:
            raise InputError(
                f"{option} names a file that cannot be read: {path} ({error.strerror})",
                "Check the path and its permissions.",
            ) from None
        return decode_bytes(data, f"the file {path}"), f"the file {path}"
    if len(path) < 4096 and os.path.isdir(path):
        raise InputError(
            f"{option} names a folder, not a file: {path}", "Give the JSON file's path."
        )
    stripped = value.strip()
    if re.match(r"(?i)https?://", stripped):
        if fetch is None:
            raise InputError(f"{option} cannot be fetched here", "Save it to a file.")
        if re.search(r"(?i)/rest/", stripped):
            raise InputError(
                f"{option} is a Bitrix24 REST address, not a JSON file",
                f"Give the portal address with --url, and the JSON itself (or a file) with "
                f"{option}.",
            )
        shown = display_url(stripped)
        return decode_bytes(fetch(stripped), f"{option} from {shown}"), shown
    if _looks_like_path(stripped):
        raise InputError(
            f"{option} names a file that does not exist: {stripped}",
            "Check the path, or give the JSON itself.",
        )
    return value, option


def display_url(url: str) -> str:
    """A --fields URL as messages show it: no user:password, no query (it may hold a key)."""
    url = re.sub(r"(?i)^([a-z][a-z0-9+.\-]*://)[^/@]*@", r"\1***@", url)
    base, query = url.split("?", 1)[0], "?" in url
    return base + ("?***" if query else "")


def load_object(
    value: str,
    option: str = "--fields",
    *,
    stdin: IO[bytes] | None = None,
    fetch: Callable[[str], bytes] | None = None,
) -> dict[str, Any]:
    """Resolve and parse a --fields/--filter value into a non-empty JSON object."""
    text, source = read_source(value, option, stdin=stdin, fetch=fetch)
    inline = source == option
    return parse_object(text, option if inline else f"{option} ({source})", inline=inline)
