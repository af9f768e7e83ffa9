"""CLI tests: exact stdout, stderr and exit code for each row of the exit-code table."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
import requests
import requests_mock

from oint_py.testing._answer import error_body
from tests.clihelp import invoke

SECRET = "h0m3s3cr3tw3bh00k"
HOOK = f"https://b24-ar17wx.bitrix24.by/rest/1/{SECRET}/"
ENDPOINT = HOOK + "user.update"
TOKEN = "t0k3n-abcdef0123456789"
OK = json.loads((Path(__file__).parents[1] / "oint_py/data/user.update.ok.json").read_text())


def update(*extra: str) -> list[str]:
    return ["bitrix24", "UpdateUser", "--url", HOOK, "--userid", "2626", *extra]


def test_exit_0_prints_the_answer_exactly() -> None:
    with requests_mock.Mocker() as mock:
        mock.post(ENDPOINT, json=OK)
        result = invoke(*update("--fields", '{"EMAIL":"a@example.org","UF_DEPARTMENT":1}'))
    assert result.code == 0
    assert result.stdout == json.dumps(OK, indent=1) + "\n"
    assert result.stderr == ""
    sent = mock.request_history[0]
    assert sent.method == "POST"
    assert sent.headers["Content-Type"] == "application/json; charset=utf-8"
    assert sent.headers["Accept"] == "application/json"
    assert sent.headers["User-Agent"] == "oint-py/0.1.0"
    assert sent.body == b'{"ID": 2626, "EMAIL": "a@example.org", "UF_DEPARTMENT": 1}'


def test_exit_1_portal_error_prints_answer_and_one_error_line() -> None:
    status, body = error_body("ERROR_CORE", "Incorrect E-Mail<br>")
    with requests_mock.Mocker() as mock:
        mock.post(ENDPOINT, status_code=status, json=body)
        result = invoke(*update("--fields", '{"EMAIL":"bad"}'))
    assert result.code == 1
    assert result.stdout == json.dumps(body, indent=1) + "\n"
    assert result.stderr == (
        "Error: the portal answered ERROR_CORE: Incorrect E-Mail (HTTP 400). "
        "Check the ID and the values sent.\n"
    )


def test_exit_1_on_error_with_http_200() -> None:
    status, body = error_body("insufficient_scope")
    assert status == 200
    with requests_mock.Mocker() as mock:
        mock.post(ENDPOINT, status_code=200, json=body)
        result = invoke(*update("--fields", '{"NAME":"Ivan"}'))
    assert result.code == 1
    assert json.loads(result.stdout) == body
    assert result.stderr.startswith("Error: the portal answered insufficient_scope: ")


def test_exit_2_nothing_sent() -> None:
    with requests_mock.Mocker() as mock:
        result = invoke(*update("--fields", "{EMAIL:a@b}"))
        assert mock.call_count == 0
    assert result.code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(
        "Error: --fields looks like JSON whose quotes the shell removed"
    )


def test_exit_3_no_json_answer() -> None:
    with requests_mock.Mocker() as mock:
        mock.post(
            ENDPOINT,
            status_code=200,
            text="<html><body>Maintenance</body></html>",
            headers={"Content-Type": "text/html"},
        )
        result = invoke(*update("--fields", '{"NAME":"Ivan"}'))
    assert result.code == 3
    assert result.stdout == ""
    assert result.stderr == (
        "Error: no JSON answer from b24-ar17wx.bitrix24.by: HTTP 200, text/html, "
        "'Maintenance'. Check that --url points at the Bitrix24 portal's REST address.\n"
    )


def test_exit_3_dns_failure_is_masked() -> None:
    with requests_mock.Mocker() as mock:
        mock.post(
            ENDPOINT,
            exc=requests.exceptions.ConnectionError(
                f"HTTPSConnectionPool(host='b24-ar17wx.bitrix24.by', port=443): Max retries "
                f"exceeded with url: /rest/1/{SECRET}/user.update (Caused by "
                "NameResolutionError: Failed to resolve 'b24-ar17wx.bitrix24.by')"
            ),
        )
        result = invoke(*update("--fields", '{"NAME":"Ivan"}'))
    assert result.code == 3
    assert result.stdout == ""
    assert result.stderr == (
        "Error: could not connect to b24-ar17wx.bitrix24.by: the host name could not be "
        "resolved. Check the address in --url and your network or proxy.\n"
    )
    assert mock.call_count == 1


def test_redirect_is_exit_3_and_never_followed_as_get() -> None:
    with requests_mock.Mocker() as mock:
        mock.post(
            ENDPOINT,
            status_code=302,
            headers={"Location": "https://b24-ar17wx.bitrix24.by/bitrix/coupon_activation.php"},
        )
        result = invoke(*update("--fields", '{"NAME":"Ivan"}'))
    assert result.code == 3
    assert mock.call_count == 1
    assert result.stderr == (
        "Error: the portal redirected (HTTP 302) to "
        "https://b24-ar17wx.bitrix24.by/bitrix/coupon_activation.php, away from the REST API "
        "(an expired licence, a login or maintenance page?); not followed. Open the portal "
        "in a browser to see why, and fix --url.\n"
    )


def test_test_mode_describes_and_sends_nothing() -> None:
    with requests_mock.Mocker() as mock:
        result = invoke(
            "bitrix24",
            "updateuser",
            "-u",
            "b24-ar17wx.bitrix24.by",
            "-s",
            '"2628"',
            "-t",
            TOKEN,
            "-f",
            "{'NAME':'Oleg'}",
            "--test",
        )
        assert mock.call_count == 0
    assert result.code == 0
    assert result.stderr == ""
    assert result.stdout == (
        "{\n"
        ' "method": "POST",\n'
        ' "url": "https://b24-ar17wx.bitrix24.by/rest/user.update",\n'
        ' "headers": {\n'
        '  "Content-Type": "application/json; charset=utf-8",\n'
        '  "Accept": "application/json",\n'
        '  "User-Agent": "oint-py/0.1.0"\n'
        " },\n"
        ' "body": {\n'
        '  "ID": 2628,\n'
        '  "NAME": "Oleg",\n'
        '  "auth": "***"\n'
        " }\n"
        "}\n"
    )


def test_token_goes_in_the_body_never_the_url() -> None:
    with requests_mock.Mocker() as mock:
        mock.post("https://b24-ar17wx.bitrix24.by/rest/user.update", json=OK)
        result = invoke(
            "bitrix24",
            "UpdateUser",
            "--url",
            "b24-ar17wx.bitrix24.by",
            "--userid",
            "2628",
            "--fields",
            '{"NAME":"Oleg"}',
            "--token",
            TOKEN,
        )
    assert result.code == 0
    sent = mock.request_history[0]
    assert sent.url == "https://b24-ar17wx.bitrix24.by/rest/user.update"
    assert sent.json() == {"ID": 2628, "NAME": "Oleg", "auth": TOKEN}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (HOOK, ENDPOINT),
        (HOOK + "profile.json", ENDPOINT),
        (HOOK.rstrip("/"), ENDPOINT),
        (f'"{HOOK}"', ENDPOINT),
        (f'""{HOOK}""', ENDPOINT),
        (f"  {HOOK} ", ENDPOINT),
        (f"b24-ar17wx.bitrix24.by/rest/1/{SECRET}", ENDPOINT),
        (f"HTTPS://B24-AR17WX.bitrix24.by/rest/1/{SECRET}/", ENDPOINT),
        (
            f"http://127.0.0.1:8024/rest/1/{SECRET}/",
            f"http://127.0.0.1:8024/rest/1/{SECRET}/user.update",
        ),
        (
            f"https://www.example.org/rest/7/{SECRET}/",
            f"https://www.example.org/rest/7/{SECRET}/user.update",
        ),
    ],
)
def test_webhook_url_forms(url: str, expected: str) -> None:
    with requests_mock.Mocker() as mock:
        mock.post(expected, json=OK)
        result = invoke("bitrix24", "UpdateUser", "-u", url, "-s", "2626", "-f", '{"NAME":"A"}')
    assert (result.code, result.stderr) == (0, "")
    assert mock.request_history[0].url == expected


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (
            ["-u", "b24.example.org"],
            {},
            "Error: --url is a portal address without a webhook secret, and no token is given. "
            "Pass the webhook URL (https://<portal>/rest/<user id>/<secret>/), or --token (or "
            "BITRIX24_TOKEN) with an OAuth token.\n",
        ),
        (
            ["-u", HOOK, "-t", TOKEN],
            {},
            "Error: --url is a webhook URL (it carries a secret) and --token is given too. "
            "Use one: the webhook URL alone, or the portal address with --token.\n",
        ),
        (
            ["-u", HOOK],
            {"BITRIX24_TOKEN": TOKEN},
            "Error: --url is a webhook URL (it carries a secret) and BITRIX24_TOKEN is set. "
            "Unset BITRIX24_TOKEN for webhook calls, or give the portal address alone.\n",
        ),
        (
            [],
            {},
            "Error: --url is missing. Pass the webhook URL (--url "
            "https://<portal>/rest/<user id>/<secret>/) or set BITRIX24_URL.\n",
        ),
        (
            ["-u", "ftp://b24.example.org/rest/1/x/"],
            {},
            "Error: --url must be an http:// or https:// address, not ftp://. Use the webhook URL "
            "(https://<portal>/rest/<user id>/<secret>/).\n",
        ),
        (
            ["-u", "https://b24.example.org/rest/1/"],
            {},
            "Error: --url ends after the user id: the webhook secret is missing. Copy the whole "
            "webhook URL (https://<portal>/rest/<user id>/<secret>/) from the portal.\n",
        ),
        (
            ["-u", "https://b24.example.org:99999/rest/1/x/"],
            {},
            "Error: --url has an invalid port: 99999. A port is a number from 1 to 65535; "
            "most portals need none.\n",
        ),
    ],
)
def test_url_usage_errors(args: list[str], env: dict[str, str | None], message: str) -> None:
    with requests_mock.Mocker() as mock:
        result = invoke("bitrix24", "UpdateUser", *args, "-s", "1", "-f", '{"NAME":"A"}', env=env)
        assert mock.call_count == 0
    assert (result.code, result.stdout, result.stderr) == (2, "", message)
    assert TOKEN not in result.stderr


def test_url_from_environment_and_env_named_in_messages() -> None:
    with requests_mock.Mocker() as mock:
        mock.post(ENDPOINT, json=OK)
        result = invoke(
            "bitrix24", "UpdateUser", "-s", "1", "-f", '{"NAME":"A"}', env={"BITRIX24_URL": HOOK}
        )
    assert result.code == 0
    result = invoke(
        "bitrix24", "UpdateUser", "-s", "1", "-f", '{"NAME":"A"}', env={"BITRIX24_URL": "ftp://x"}
    )
    assert result.stderr.startswith("Error: BITRIX24_URL must be an http:// or https:// address")


def test_http_to_a_remote_host_warns() -> None:
    with requests_mock.Mocker() as mock:
        mock.post(f"http://intranet.example.org/rest/1/{SECRET}/user.update", json=OK)
        result = invoke(
            "bitrix24",
            "UpdateUser",
            "-u",
            f"http://intranet.example.org/rest/1/{SECRET}/",
            "-s",
            "1",
            "-f",
            '{"NAME":"A"}',
        )
    assert result.code == 0
    assert result.stderr == (
        "Warning: intranet.example.org is reached over plain http: the webhook secret or token "
        "crosses the network unencrypted. Use https:// unless this is an on-premise portal on "
        "a trusted network.\n"
    )


def test_id_in_fields() -> None:
    with requests_mock.Mocker() as mock:
        mock.post(ENDPOINT, json=OK)
        same = invoke(*update("--fields", '{"id":"2626","NAME":"A"}'))
        assert mock.request_history[0].json() == {"ID": 2626, "NAME": "A"}
        other = invoke(*update("--fields", '{"ID":7,"NAME":"A"}'))
        assert mock.call_count == 1
    assert same.code == 0
    assert (other.code, other.stdout) == (2, "")
    assert other.stderr == (
        "Error: --fields has ID=7 but --userid is 2626. Remove the ID from --fields or make it "
        "match --userid.\n"
    )


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["bitrix24", "UpdateUser", "-u", HOOK, "-f", "{}"], "Missing option '-s' / '--userid'"),
        (["bitrix24", "NoSuchMethod"], "No such command 'NoSuchMethod'"),
        (update("-f", '{"A":1}', "--timeout", "0"), "Invalid value for '--timeout'"),
        (update("-f", '{"A":1}', "--retries", "x"), "Invalid value for '--retries'"),
    ],
)
def test_click_usage_errors_exit_2(args: list[str], fragment: str) -> None:
    result = invoke(*args)
    assert result.code == 2
    assert result.stdout == ""
    assert fragment in result.stderr
    assert "Error: " in result.stderr


def test_ascii_and_unicode_output() -> None:
    answer = {"result": {"NAME": "Иван"}}
    with requests_mock.Mocker() as mock:
        mock.post(ENDPOINT, json=answer)
        plain = invoke(*update("-f", '{"NAME":"Иван"}'))
        escaped = invoke(*update("-f", '{"NAME":"Иван"}', "--ascii"))
    assert plain.stdout == '{\n "result": {\n  "NAME": "Иван"\n }\n}\n'
    assert escaped.stdout == '{\n "result": {\n  "NAME": "\\u0418\\u0432\\u0430\\u043d"\n }\n}\n'
    assert mock.request_history[0].body == '{"ID": 2626, "NAME": "Иван"}'.encode()


def test_out_file_on_success_and_untouched_on_exit_3(tmp_path: Path) -> None:
    target = tmp_path / "answer.json"
    with requests_mock.Mocker() as mock:
        mock.post(ENDPOINT, json=OK)
        ok = invoke(*update("-f", '{"NAME":"A"}', "--out", str(target)))
    assert (ok.code, ok.stdout, ok.stderr) == (0, "", f"Saved the answer to {target}\n")
    assert target.read_bytes() == (json.dumps(OK, indent=1) + "\n").encode()
    with requests_mock.Mocker() as mock:
        mock.post(ENDPOINT, text="oops")
        failed = invoke(*update("-f", '{"NAME":"A"}', "--out", str(target)))
    assert failed.code == 3
    assert target.read_bytes() == (json.dumps(OK, indent=1) + "\n").encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answer.json"]


def test_out_in_missing_folder_is_exit_2_before_sending(tmp_path: Path) -> None:
    with requests_mock.Mocker() as mock:
        result = invoke(*update("-f", '{"NAME":"A"}', "--out", str(tmp_path / "no" / "a.json")))
        assert mock.call_count == 0
    assert result.code == 2
    assert (
        result.stderr
        == f"Error: --out names a folder that does not exist: {tmp_path / 'no'}. Create it first.\n"
    )


def test_debug_trace_masks_secrets() -> None:
    with requests_mock.Mocker() as mock:
        mock.post("https://b24.example.org/rest/user.update", json=OK)
        result = invoke(
            "bitrix24",
            "UpdateUser",
            "-u",
            "b24.example.org",
            "-t",
            TOKEN,
            "-s",
            "5",
            "-f",
            '{"NAME":"A"}',
            "--debug",
        )
    assert result.code == 0
    lines = result.stderr.splitlines()
    assert lines[0] == "> POST https://b24.example.org/rest/user.update (attempt 1)"
    assert '> {"ID": 5, "NAME": "A", "auth": "***"}' in lines
    assert any(line.startswith("< HTTP 200") for line in lines)
    assert TOKEN not in result.stderr and TOKEN not in result.stdout


def test_listing_and_help() -> None:
    listing = invoke("bitrix24")
    assert listing.code == 0
    assert "Users management:\n  GetCurrentUser " in listing.stdout
    assert "\n  UpdateUser              Change a user's fields (user.update).\n" in listing.stdout
    helped = invoke("bitrix24", "UPDATEUSER", "--help")
    assert helped.code == 0
    assert "BITRIX24_URL" in helped.stdout and "BITRIX24_TOKEN" in helped.stdout
    assert invoke("--version").stdout == "oint 0.1.0\n"
    bare = invoke()
    assert (bare.code, bare.stderr) == (0, "")
    assert bare.stdout.startswith("Usage: oint [OPTIONS] [COMMAND] [ARGS]...\n")


def test_fields_from_stdin() -> None:
    with requests_mock.Mocker() as mock:
        mock.post(ENDPOINT, json=OK)
        result = invoke(*update("-f", "-"), input='{"NAME":"Пётр"}'.encode("utf-16"))
    assert result.code == 0
    assert mock.request_history[0].json() == {"ID": 2626, "NAME": "Пётр"}


@pytest.mark.parametrize("option", ["--timeout", "--max-wait"])
def test_nan_seconds_are_a_usage_error(option: str) -> None:
    with requests_mock.Mocker() as mock:
        result = invoke(*update("-f", '{"NAME":"A"}', option, "nan"))
        assert mock.call_count == 0
    assert (result.code, result.stdout) == (2, "")
    assert f"Error: Invalid value for '{option}'" in result.stderr
    assert result.stderr.endswith(": 'nan' is not a number of seconds.\n")


@pytest.mark.parametrize(
    "url",
    [
        f"https:/b24.example.org/rest/1/{SECRET}/",
        f"https//b24.example.org/rest/1/{SECRET}/",
        f"http//127.0.0.1:8024/rest/1/{SECRET}/",
        "http:b24.example.org",
    ],
)
def test_misspelled_scheme_is_refused_before_any_lookup(url: str) -> None:
    with requests_mock.Mocker() as mock:
        result = invoke("bitrix24", "UpdateUser", "-u", url, "-s", "1", "-f", '{"NAME":"A"}')
        assert mock.call_count == 0
    assert (result.code, result.stdout) == (2, "")
    assert result.stderr == (
        "Error: --url has a misspelled scheme: it must start with https:// or http://. Use the "
        "webhook URL (https://<portal>/rest/<user id>/<secret>/).\n"
    )


def test_missing_user_id_in_webhook() -> None:
    result = invoke(
        "bitrix24",
        "UpdateUser",
        "-u",
        f"https://b24.example.org/rest/{SECRET}/",
        "-s",
        "1",
        "-f",
        '{"NAME":"A"}',
    )
    assert (result.code, result.stdout) == (2, "")
    assert result.stderr == (
        "Error: --url is not a webhook URL: the user id is missing between /rest/ and the "
        "secret. Copy the whole webhook URL (https://<portal>/rest/<user id>/<secret>/) from "
        "the portal.\n"
    )
    assert SECRET not in result.stderr


def test_plain_http_server_behind_an_https_url() -> None:
    with requests_mock.Mocker() as mock:
        mock.post(
            ENDPOINT,
            exc=requests.exceptions.SSLError(
                "HTTPSConnectionPool(host='b24-ar17wx.bitrix24.by', port=443): Max retries "
                f"exceeded with url: /rest/1/{SECRET}/user.update (Caused by SSLError(SSLError(1, "
                "'[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)')))"
            ),
        )
        result = invoke(*update("-f", '{"NAME":"A"}'))
    assert (result.code, result.stdout) == (3, "")
    assert result.stderr == (
        "Error: b24-ar17wx.bitrix24.by did not answer in TLS: it seems to speak plain http, "
        "not https. If it is an http-only on-premise portal or a local test server, write "
        "http:// in --url (an address without a scheme means https).\n"
    )


# --- secrets in messages built outside the transport's own masking ------------------------


def test_portal_error_description_echoing_secrets_is_masked() -> None:
    body = {
        "error": "INVALID_CREDENTIALS",
        "error_description": f"Bad hook {HOOK} ({SECRET.upper()}) token {TOKEN}",
    }
    with requests_mock.Mocker() as mock:
        mock.post(ENDPOINT, status_code=401, json=body)
        result = invoke(*update("-f", '{"NAME":"A"}'), env={"BITRIX24_TOKEN": None})
    assert result.code == 1
    assert json.loads(result.stdout) == body  # the portal's own answer, as sent
    assert SECRET not in result.stderr and SECRET.upper() not in result.stderr
    assert result.stderr.startswith(
        "Error: the portal answered INVALID_CREDENTIALS: Bad hook "
        "https://b24-ar17wx.bitrix24.by/rest/1/***/ (***) token "
    )


def test_fields_url_that_is_the_webhook_is_refused_unfetched() -> None:
    with requests_mock.Mocker() as mock:
        result = invoke(*update("-f", HOOK))
        assert mock.call_count == 0
    assert (result.code, result.stdout) == (2, "")
    assert result.stderr == (
        "Error: --fields is a Bitrix24 REST address, not a JSON file. Give the portal address "
        "with --url, and the JSON itself (or a file) with --fields.\n"
    )


def test_fields_url_errors_mask_the_token() -> None:
    fields_url = f"https://files.example.org/{TOKEN}/fields.json"
    with requests_mock.Mocker() as mock:
        mock.get(fields_url, exc=requests.exceptions.ConnectionError(f"refused for {fields_url}"))
        result = invoke(
            "bitrix24", "UpdateUser", "-u", "b24.example.org", "-t", TOKEN, "-s", "1",
            "-f", fields_url, "--debug",
        )  # fmt: skip
    assert (result.code, result.stdout) == (2, "")
    assert TOKEN not in result.stderr
    assert "Error: could not fetch https://files.example.org/***/fields.json: " in result.stderr


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            f"https://b24.example.org\\rest\\1\\{SECRET}\\",
            "Error: --url contains backslashes. Use forward slashes, as in "
            "https://<portal>/rest/<user id>/<secret>/.\n",
        ),
        (
            f"https://b24.example.org:0/rest/1/{SECRET}/",
            "Error: --url has an invalid port: 0. A port is a number from 1 to 65535; most "
            "portals need none.\n",
        ),
        (
            f"https://портал.рф/rest/1/{SECRET}/",
            "Error: --url has a host name that is not ASCII: портал.рф. Write it as "
            "xn--80awhdgm.xn--p1ai (its punycode form).\n",
        ),
        (
            f"https://b24.example.org/rest/١/{SECRET}/",
            "Error: --url is not a webhook URL: /rest/ must be followed by the user id and the "
            "secret. Use https://<portal>/rest/<user id>/<secret>/.\n",
        ),
    ],
)
def test_more_url_mistakes(url: str, message: str) -> None:
    with requests_mock.Mocker() as mock:
        result = invoke("bitrix24", "UpdateUser", "-u", url, "-s", "1", "-f", '{"NAME":"A"}')
        assert mock.call_count == 0
    assert (result.code, result.stdout, result.stderr) == (2, "", message)


def test_userid_with_a_bom_from_an_excel_csv() -> None:
    with requests_mock.Mocker() as mock:
        mock.post(ENDPOINT, json=OK)
        result = invoke(
            "bitrix24", "UpdateUser", "-u", HOOK, "-s", "\ufeff2626", "-f", '{"NAME":"A"}'
        )
    assert result.code == 0
    assert mock.request_history[0].json()["ID"] == 2626


def test_deeply_nested_fields_are_a_usage_error() -> None:
    deep = '{"NAME":' + "[" * 5000 + "]" * 5000 + "}"
    with requests_mock.Mocker() as mock:
        result = invoke(*update("-f", deep))
        assert mock.call_count == 0
    assert (result.code, result.stdout) == (2, "")
    assert result.stderr == "Error: --fields is nested too deeply. Keep it under 32 levels.\n"


@pytest.mark.parametrize("target", ["/dev/null", ""])
def test_out_that_is_not_a_regular_file_is_refused_before_sending(target: str) -> None:
    with requests_mock.Mocker() as mock:
        result = invoke(*update("-f", '{"NAME":"A"}', "--out", target))
        assert mock.call_count == 0
    assert (result.code, result.stdout) == (2, "")
    assert result.stderr in (
        "Error: --out must name a regular file, not a device or pipe: /dev/null. Leave --out "
        "out to write to stdout, and redirect that.\n",
        "Error: --out is empty. Give a file name, or leave --out out for stdout.\n",
    )


def test_out_writes_through_a_link_and_keeps_the_mode(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old")
    real.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    with requests_mock.Mocker() as mock:
        mock.post(ENDPOINT, json=OK)
        result = invoke(*update("-f", '{"NAME":"A"}', "--out", str(link)))
    assert result.code == 0
    assert link.is_symlink()
    assert json.loads(real.read_text()) == OK
    assert real.stat().st_mode & 0o777 == 0o640


def test_fire_and_empty_complete_true_false() -> None:
    from oint_py.cli.users import BOOL_WORD

    ctx = click.Context(click.Command("x"))
    param = click.Option(["--fire"])
    assert [i.value for i in BOOL_WORD.shell_complete(ctx, param, "")] == ["true", "false"]
    assert [i.value for i in BOOL_WORD.shell_complete(ctx, param, "F")] == ["false"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["-s", "5019", "-f", '{"NAME":"A"}', "--userid", "5020"],
            "Error: -s is given more than once (as -s and --userid): give it once.",
        ),
        (
            ["-s5019", "-f", '{"NAME":"A"}', "-s", "5020"],
            "Error: -s is given more than once (as -s and -s): give it once.",
        ),
        (
            ["-s", "1", "--fields=x", "-f", '{"NAME":"A"}'],
            "Error: --fields is given more than once (as --fields and -f): give it once.",
        ),
    ],
)
def test_a_value_option_given_twice_is_refused(args: list[str], message: str) -> None:
    with requests_mock.Mocker() as mock:
        result = invoke("bitrix24", "UpdateUser", "-u", HOOK, *args)
        assert mock.call_count == 0
    assert (result.code, result.stdout) == (2, "")
    assert result.stderr.splitlines()[-1] == message


def test_repeated_flags_and_option_like_values_are_fine() -> None:
    with requests_mock.Mocker() as mock:
        result = invoke(*update("-f", '{"NAME":"-s"}', "--debug", "--debug", "--test"))
        assert mock.call_count == 0
    assert result.code == 0


def test_out_that_is_the_fields_file_is_refused(tmp_path: Path) -> None:
    fields = tmp_path / "same.json"
    fields.write_text('{"NAME":"A"}')
    with requests_mock.Mocker() as mock:
        result = invoke(*update("-f", f"@{fields}", "--out", str(fields)))
        assert mock.call_count == 0
    assert (result.code, result.stdout) == (2, "")
    assert result.stderr == (
        f"Error: --out is the file the fields come from: {fields}. Write the answer to another "
        "file.\n"
    )
    assert fields.read_text() == '{"NAME":"A"}'


def test_fields_url_redirects_are_followed_but_never_to_a_rest_address() -> None:
    with requests_mock.Mocker() as mock:
        mock.get(
            "https://files.example.org/a.json", status_code=302, headers={"Location": "/b.json"}
        )
        mock.get("https://files.example.org/b.json", text='{"NAME":"Redirected"}')
        mock.post(ENDPOINT, json=OK)
        good = invoke(*update("-f", "https://files.example.org/a.json"))
        assert mock.request_history[-1].json() == {"ID": 2626, "NAME": "Redirected"}
    assert good.code == 0
    with requests_mock.Mocker() as mock:
        mock.get(
            "https://files.example.org/a.json",
            status_code=301,
            headers={"Location": f"https://b24.example.org/rest/1/{SECRET}/user.delete"},
        )
        bad = invoke(*update("-f", "https://files.example.org/a.json"))
        assert [r.url for r in mock.request_history] == ["https://files.example.org/a.json"]
    assert (bad.code, bad.stdout) == (2, "")
    assert bad.stderr == (
        "Error: could not fetch https://files.example.org/a.json: it redirects (HTTP 301) to an "
        "address that is not followed (http, or a Bitrix24 REST address). Save the JSON to a "
        "file. Nothing was sent to the portal.\n"
    )


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["bitrix24", "UpdateUser", "-s", "1", "-f", '{"NAME":"A"}', HOOK], "(https://"),
        (["bitrix24", "GetCurrentUser", "-u", "b24.example.org", TOKEN], "(***)"),
        (
            ["bitrix24", "UpdateUser", "-s", "1", "-f", '{"NAME":"A"}', "--url", "--token", TOKEN],
            "(***)",
        ),
        (["bitrix24", HOOK], "No such command 'https://b24-ar17wx.bitrix24.by/rest/1/***/'"),
        (["bitrix24", "ChangeUserStatus", "-u", HOOK, "-s", "1", "--fire", HOOK], "/rest/1/***/"),
    ],
)
def test_click_usage_errors_never_echo_a_secret(args: list[str], shown: str) -> None:
    result = invoke(*args)
    assert (result.code, result.stdout) == (2, "")
    assert SECRET not in result.stderr and TOKEN not in result.stderr
    assert shown in result.stderr


def test_forgotten_bitrix24_group_is_pointed_out() -> None:
    result = invoke("updateuser", "-s", "1")
    assert (result.code, result.stdout) == (2, "")
    assert result.stderr.splitlines()[-1] == (
        "Error: No such command 'updateuser'. Methods are under bitrix24: "
        "oint bitrix24 UpdateUser ..."
    )


def test_unknown_user_id_warns_but_keeps_the_portal_answer() -> None:
    with requests_mock.Mocker() as mock:
        mock.post(HOOK + "user.get", json={"result": [], "time": {}})
        result = invoke("bitrix24", "GetUser", "-u", HOOK, "-s", "999999")
    assert (result.code, result.stdout) == (0, '{\n "result": [],\n "time": {}\n}\n')
    assert result.stderr == "Warning: there is no user with ID 999999 (the portal found none).\n"


def test_semicolon_csv_line_as_userid() -> None:
    result = invoke("bitrix24", "UpdateUser", "-u", HOOK, "-s", "2626;{'NAME':'A'}", "-f", "{}")
    assert result.code == 2
    assert result.stderr.endswith(
        "It looks like a whole CSV line: split it on the file's separator (Excel in some locales "
        "writes ; instead of ,).\n"
    )


def test_empty_filter_points_to_get_user_all() -> None:
    result = invoke("bitrix24", "FindUsers", "-u", HOOK, "--filter", "{}")
    assert (result.code, result.stderr) == (
        2,
        "Error: --filter is an empty object. Give at least one filter key (see "
        "GetUserFilterStructure); to list every user, use GetUser --all.\n",
    )
