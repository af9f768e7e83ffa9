"""Unit tests: --userid, quote stripping, every --fields source and encoding."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from oint_py.errors import InputError
from oint_py.inputs import QUOTING_HINT, load_object, parse_user_id, strip_wrapping


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2626", "2626"),
        ('"2626"', "2626"),
        ("'2626'", "2626"),
        ('""2626""', "2626"),
        ("  2626 ", "2626"),
        ('"', '"'),
        ("", ""),
        ("a'", "a'"),
    ],
)
def test_strip_wrapping(raw: str, expected: str) -> None:
    assert strip_wrapping(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [("2626", 2626), ('"3204"', 3204), ("007", 7)])
def test_user_id_accepts_positive_integers(raw: str, expected: int) -> None:
    assert parse_user_id(raw) == expected


@pytest.mark.parametrize("raw", ["0", "-1", "abc", "2.5", "", "1e3", "١٢"])
def test_user_id_rejects_everything_else(raw: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_user_id(raw)
    assert caught.value.message.startswith("--userid must be a positive integer, not ")
    assert caught.value.message.endswith("Pass the user's numeric ID, e.g. --userid 2626.")


def test_strict_json_keeps_types_nesting_and_order() -> None:
    text = '{"Z":1,"A":"7","N":null,"L":[1,"2"],"O":{"x":true},"F":1.5}'
    value = load_object(text)
    assert list(value) == ["Z", "A", "N", "L", "O", "F"]
    assert value == {"Z": 1, "A": "7", "N": None, "L": [1, "2"], "O": {"x": True}, "F": 1.5}


def test_opi_single_quoted_style() -> None:
    value = load_object("{'EMAIL':'87f4@example.org','NAME':'Oleg','UF_DEPARTMENT':'7'}")
    assert value == {"EMAIL": "87f4@example.org", "NAME": "Oleg", "UF_DEPARTMENT": "7"}


def test_json5_is_not_imported_for_strict_json() -> None:
    sys.modules.pop("json5", None)
    load_object('{"NAME":"Ivan"}')
    assert "json5" not in sys.modules
    load_object("{'NAME':'Ivan'}")
    assert "json5" in sys.modules


@pytest.mark.parametrize("raw", ["{EMAIL:a@b}", "'{EMAIL:a@b}'", "{NAME:Ivan Petrov}"])
def test_quote_stripped_json_gets_the_shell_hint(raw: str) -> None:
    with pytest.raises(InputError) as caught:
        load_object(raw)
    assert caught.value.message.startswith(
        "--fields looks like JSON whose quotes the shell removed: "
    )
    assert caught.value.message.endswith(QUOTING_HINT + ".")
    assert """"{""EMAIL"":""a@b.org""}\"""" in caught.value.message
    assert """"{'EMAIL':'a@b.org'}\"""" in caught.value.message


@pytest.mark.parametrize(
    ("raw", "start"),
    [
        ('{"NAME":"Ivan', "--fields is not valid JSON"),
        ("[1,2]", "--fields must be a JSON object ({...}), not list"),
        ('"text"', "--fields must be a JSON object ({...}), not str"),
        ("{}", "--fields is an empty object"),
        ("   ", "--fields is empty"),
        ('{"A":NaN}', "--fields contains NaN, Infinity or a number too large to send"),
        ("{'A':Infinity}", "--fields contains NaN, Infinity or a number too large to send"),
    ],
)
def test_bad_json(raw: str, start: str) -> None:
    with pytest.raises(InputError) as caught:
        load_object(raw)
    assert caught.value.message.startswith(start)


def test_file_by_path_and_at_path(tmp_path: Path) -> None:
    path = tmp_path / "fields.json"
    path.write_text('{"NAME":"Иван"}', encoding="utf-8")
    assert load_object(str(path)) == {"NAME": "Иван"}
    assert load_object("@" + str(path)) == {"NAME": "Иван"}


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-8", b""),
        ("utf-8", b"\xef\xbb\xbf"),
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b"\xfe\xff"),
    ],
)
def test_file_encodings(tmp_path: Path, encoding: str, bom: bytes) -> None:
    path = tmp_path / "fields.json"
    path.write_bytes(bom + '{"LAST_NAME":"Тестов"}'.encode(encoding))
    assert load_object(str(path)) == {"LAST_NAME": "Тестов"}


def test_cp1251_file_is_refused_not_guessed(tmp_path: Path) -> None:
    path = tmp_path / "fields.json"
    path.write_bytes('{"LAST_NAME":"Тестов"}'.encode("cp1251"))
    with pytest.raises(InputError) as caught:
        load_object(str(path))
    assert caught.value.message == (
        f"the file {path} is not UTF-8 text. Save it as UTF-8 (in Notepad: Save as, "
        "Encoding: UTF-8) or UTF-16 with a BOM."
    )


@pytest.mark.parametrize("raw", ["missing.json", "dir/fields", "C:\\data\\f.txt", "@nowhere"])
def test_missing_file_is_reported_as_missing(raw: str, tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_object(raw)
    assert "names a file that does not exist" in caught.value.message


def test_stdin() -> None:
    data = io.BytesIO("\ufeff{'NAME':'Ivan'}".encode())
    assert load_object("-", stdin=data) == {"NAME": "Ivan"}


def test_url_source_uses_the_fetch_function() -> None:
    seen: list[str] = []

    def fetch(url: str) -> bytes:
        seen.append(url)
        return b'{"WORK_POSITION":"QA"}'

    assert load_object("https://files.example.org/f.json", fetch=fetch) == {"WORK_POSITION": "QA"}
    assert seen == ["https://files.example.org/f.json"]


def test_filter_option_name_in_messages() -> None:
    with pytest.raises(InputError) as caught:
        load_object("{}", "--filter")
    assert caught.value.message == (
        "--filter is an empty object. Give at least one filter key (see GetUserFilterStructure); "
        "to list every user, use GetUser --all."
    )


def test_utf16_without_bom_is_named_not_echoed(tmp_path: Path) -> None:
    path = tmp_path / "fields.json"
    path.write_bytes('{"NAME":"Ivan"}'.encode("utf-16-le"))
    with pytest.raises(InputError) as caught:
        load_object(str(path))
    assert caught.value.message == (
        f"the file {path} looks like UTF-16 or UTF-32 without a byte order mark. Save it as "
        "UTF-8 (or UTF-16 with a BOM, as PowerShell 5 and Notepad do)."
    )


def test_folder_as_fields(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_object(str(tmp_path))
    assert caught.value.message == (
        f"--fields names a folder, not a file: {tmp_path}. Give the JSON file's path."
    )


@pytest.mark.parametrize(
    "raw", ['{"NAME":"x","NAME":"y"}', '{"NAME":"x","name":"y"}', "{'NAME':'x','Name':'y'}"]
)
def test_duplicate_keys_are_refused(raw: str) -> None:
    with pytest.raises(InputError) as caught:
        load_object(raw)
    assert caught.value.message.startswith("--fields has the key ")
    assert caught.value.message.endswith(
        " more than once (keys are case-insensitive on the portal). Keep one of them: the "
        "portal would silently use only one value."
    )


def test_bad_json_in_a_file_gets_no_shell_hint(tmp_path: Path) -> None:
    path = tmp_path / "fields.json"
    path.write_text("{NAME:Boris Petrov}", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_object(str(path))
    assert caught.value.message == (
        f"--fields (the file {path}) is not valid JSON (Expecting property name enclosed in "
        "double quotes): {NAME:Boris Petrov}. Check the JSON: keys and strings in double "
        "quotes, a comma between pairs, braces closed."
    )


def test_fetched_url_is_shown_without_its_query_or_password() -> None:
    with pytest.raises(InputError) as caught:
        load_object("https://u:pw@files.example.org/f.json?key=QKEY", fetch=lambda url: b"[1]")
    assert caught.value.message.startswith(
        "--fields (https://***@files.example.org/f.json?***) must be a JSON object"
    )
    assert "QKEY" not in caught.value.message and "pw" not in caught.value.message


@pytest.mark.parametrize(
    ("raw", "start"),
    [
        ('{"AGE":1e400}', "--fields contains NaN, Infinity or a number too large to send"),
        ('{"NAME":"\\ud83d"}', "--fields contains a broken character (half of a UTF-16 pair)"),
        ('{"\\ud83d":"x"}', "--fields contains a broken character (half of a UTF-16 pair)"),
    ],
)
def test_values_json_cannot_carry(raw: str, start: str) -> None:
    with pytest.raises(InputError) as caught:
        load_object(raw)
    assert caught.value.message.startswith(start)


@pytest.mark.parametrize("raw", ["fields.jsn", "users.json.tmp", "data.csv"])
def test_file_names_with_other_extensions_are_missing_files(raw: str) -> None:
    with pytest.raises(InputError) as caught:
        load_object(raw)
    assert caught.value.message == (
        f"--fields names a file that does not exist: {raw}. Check the path, or give the JSON "
        "itself."
    )


def test_huge_user_id() -> None:
    with pytest.raises(InputError) as caught:
        parse_user_id("99999999999999999999999")
    assert caught.value.message == (
        "--userid is too large to be a user ID: 99999999999999999999999. Pass the user's "
        "numeric ID, e.g. --userid 2626."
    )


def test_apostrophe_in_opi_single_quotes_gets_its_own_hint() -> None:
    with pytest.raises(InputError) as caught:
        load_object("{'LAST_NAME':'O'Brien'}")
    assert caught.value.message == (
        "--fields is not valid JSON (single-quoted): {'LAST_NAME':'O'Brien'}. In OPI's "
        "single-quoted style an apostrophe ends the value: write O\\'Brien, or put that value "
        "in double quotes: {'LAST_NAME':\"O'Brien\"}."
    )
    assert load_object("{'LAST_NAME':'O\\'Brien'}") == {"LAST_NAME": "O'Brien"}
    assert load_object("{'LAST_NAME':\"O'Brien\"}") == {"LAST_NAME": "O'Brien"}


def test_an_option_taken_as_the_fields_value() -> None:
    with pytest.raises(InputError) as caught:
        load_object("--test")
    assert caught.value.message == (
        "--fields took '--test' as its value. Put the JSON (or a file name) right after --fields."
    )
