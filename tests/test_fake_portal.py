"""The fake Bitrix24 portal (oint_py.testing) behaves as BITRIX24.md says a real one does."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from oint_py.bitrix24.fields import load_answer
from oint_py.testing import Answer, FakePortal

TIME_KEYS = {
    "start",
    "finish",
    "duration",
    "processing",
    "date_start",
    "date_finish",
    "operating_reset_at",
    "operating",
}
DATA = Path(__file__).resolve().parents[1] / "oint_py" / "data"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "bitrix24" / "responses"


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.trust_env = False  # no proxies: 127.0.0.1 only
        yield session


@pytest.fixture
def portal() -> Iterator[FakePortal]:
    with FakePortal() as p:
        yield p
        assert p.errors == []


def post(
    http: requests.Session, url: str, body: dict[str, Any] | None = None, **kw: Any
) -> requests.Response:
    return http.post(url, json=body if body is not None else {}, timeout=5, **kw)


def hook(
    portal: FakePortal, method: str, body: dict[str, Any] | None, http: requests.Session
) -> requests.Response:
    return post(http, portal.webhook_url + method, body)


# -- routing and authentication ------------------------------------------------------------


@pytest.mark.parametrize(
    "suffix", ["user.get", "user.get.json", "USER.Get", "user.get/", "User.Get.JSON/"]
)
def test_webhook_route_forms(portal: FakePortal, http: requests.Session, suffix: str) -> None:
    r = post(http, portal.webhook_url + suffix, {"ID": 2626})
    assert r.status_code == 200
    data = r.json()
    assert [u["ID"] for u in data["result"]] == ["2626"]
    assert data["total"] == 1 and set(data["time"]) == TIME_KEYS
    assert portal.requests[-1].rest_method == "user.get"
    assert portal.requests[-1].auth_mode == "webhook"


def test_addresses(portal: FakePortal) -> None:
    assert portal.url == f"http://{portal.host}"
    assert portal.host.startswith("127.0.0.1:") and portal.port > 0
    assert portal.webhook_url == f"{portal.url}/rest/1/h0m3s3cr3tw3bh00k/"
    assert portal.token == "t0k3n-valid-0123456789"
    assert portal.ca_file is None


@pytest.mark.parametrize("path", ["/rest/1/wrong-secret/user.get", "/rest/2/{secret}/user.get"])
def test_bad_webhook_credentials(portal: FakePortal, http: requests.Session, path: str) -> None:
    r = post(http, portal.url + path.format(secret=portal.secret), {"ID": 1})
    assert r.status_code == 401
    assert r.json() == {
        "error": "INVALID_CREDENTIALS",
        "error_description": "Invalid request credentials",
    }


def test_unknown_method_checked_before_auth(portal: FakePortal, http: requests.Session) -> None:
    for url in (portal.webhook_url + "user.nope", portal.url + "/rest/1/bad/user.nope"):
        r = post(http, url, {})
        assert r.status_code == 404
        assert r.json()["error"] == "ERROR_METHOD_NOT_FOUND"
    r = post(http, portal.webhook_url, {})  # no method at all
    assert r.status_code == 404


def test_off_rest_is_html_404(portal: FakePortal, http: requests.Session) -> None:
    r = http.get(portal.url + "/index.php", timeout=5)
    assert r.status_code == 404
    assert r.headers["Content-Type"].startswith("text/html")
    assert portal.requests[-1].rest_method is None


def test_token_mode(portal: FakePortal, http: requests.Session) -> None:
    url = portal.url + "/rest/user.current"
    r = post(http, url, {"auth": portal.token})
    assert r.status_code == 200 and r.json()["result"]["ID"] == "1"
    assert portal.requests[-1].auth_mode == "token"
    r = post(http, url, {}, params={"auth": portal.token})  # in the query string
    assert r.status_code == 200
    r = post(http, url, {"auth": "nope"})
    assert (r.status_code, r.json()["error"]) == (401, "invalid_token")
    r = post(http, url, {})
    assert (r.status_code, r.json()["error"]) == (401, "NO_AUTH_FOUND")
    assert portal.requests[-1].auth_mode is None
    portal.expire_token()
    r = post(http, url, {"auth": portal.token})
    assert (r.status_code, r.json()["error"]) == (401, "expired_token")


def test_custom_secret_and_token(http: requests.Session) -> None:
    with FakePortal(secret="s3", token="tk") as p:
        assert p.webhook_url.endswith("/rest/1/s3/")
        assert post(http, p.webhook_url + "user.current").status_code == 200
        assert post(http, p.url + "/rest/user.current", {"auth": "tk"}).status_code == 200


# -- body parsing ----------------------------------------------------------------------------


def test_json_body_needs_content_type(portal: FakePortal, http: requests.Session) -> None:
    r = http.post(
        portal.webhook_url + "user.update",
        data=json.dumps({"ID": 2626, "NAME": "X"}),
        headers={"Content-Type": "text/plain"},
        timeout=5,
    )
    assert r.status_code == 400
    assert r.json() == {"error": "ERROR_CORE", "error_description": "access_denied"}
    assert portal.requests[-1].json == {"ID": 2626, "NAME": "X"}  # parsed for inspection only
    assert portal.users[2626]["NAME"] == "Anna"


def test_form_body_flat_keys_and_query_merge(portal: FakePortal, http: requests.Session) -> None:
    r = http.post(
        portal.webhook_url + "user.update",
        params={"ID": "2626", "NAME": "FromQuery", "LAST_NAME": "Q"},
        data={"NAME": "FromBody", "UF_DEPARTMENT[]": "3"},
        timeout=5,
    )
    assert r.status_code == 200 and r.json()["result"] is True
    user = portal.users[2626]
    assert (user["NAME"], user["LAST_NAME"]) == ("FromBody", "Q")
    assert user["UF_DEPARTMENT"] == [5]  # the bracketed key is not a field
    assert "UF_DEPARTMENT[]" in portal.dropped


def test_received_record(portal: FakePortal, http: requests.Session) -> None:
    post(http, portal.webhook_url + "user.get.json", {"ID": 1}, params={"x": "1"})
    rec = portal.requests[-1]
    assert rec.method == "POST"
    assert rec.path == f"/rest/1/{portal.secret}/user.get.json"
    assert rec.query == {"x": "1"}
    assert rec.headers["content-type"] == rec.headers["Content-Type"] == "application/json"
    assert "CONTENT-TYPE" in rec.headers and rec.headers.get("X-Nope") is None
    assert json.loads(rec.body) == rec.json == {"ID": 1}
    portal.clear()
    assert portal.requests == []


# -- user.update -----------------------------------------------------------------------------


def test_update_reflected_by_get(portal: FakePortal, http: requests.Session) -> None:
    body = {"ID": "2626", "email": "new@example.org", "UF_DEPARTMENT": 1, "Work_Position": "CFO"}
    r = hook(portal, "user.update", body, http)
    assert r.status_code == 200
    data = r.json()
    assert list(data) == list(load_answer("user.update.ok.json"))
    assert data["result"] is True and set(data["time"]) == TIME_KEYS
    got = hook(portal, "user.get", {"FILTER": {"ID": 2626}}, http).json()["result"][0]
    assert got["EMAIL"] == "new@example.org"
    assert got["UF_DEPARTMENT"] == [1]
    assert got["WORK_POSITION"] == "CFO"
    assert got["ID"] == "2626" and got["ACTIVE"] is True


def test_update_drops_unknown_and_readonly_keys(portal: FakePortal, http: requests.Session) -> None:
    before = dict(portal.users[2626])
    body = {"ID": 2626, "EMIAL": "typo@example.org", "USER_TYPE": "extranet", "UF_NOPE": 1}
    r = hook(portal, "user.update", body, http)
    assert r.status_code == 200 and r.json()["result"] is True
    assert portal.users[2626] == before
    assert sorted(portal.dropped) == ["EMIAL", "UF_NOPE", "USER_TYPE"]


def test_update_custom_uf_usr_field_is_stored(portal: FakePortal, http: requests.Session) -> None:
    hook(portal, "user.update", {"ID": 2626, "UF_USR_BADGE": "42"}, http)
    assert portal.users[2626]["UF_USR_BADGE"] == "42"


@pytest.mark.parametrize(
    ("sent", "stored"),
    [(False, False), ("N", False), ("false", True), ("Y", True), (True, True), ("0", True)],
)
def test_update_active_quirk(
    portal: FakePortal, http: requests.Session, sent: object, stored: bool
) -> None:
    portal.users[2628]["ACTIVE"] = not stored
    assert hook(portal, "user.update", {"ID": 2628, "ACTIVE": sent}, http).status_code == 200
    assert portal.users[2628]["ACTIVE"] is stored


@pytest.mark.parametrize("body", [{}, {"ID": 0}, {"ID": -3}, {"ID": "abc"}, {"ID": 999999}])
def test_update_bad_id(portal: FakePortal, http: requests.Session, body: dict[str, Any]) -> None:
    r = hook(portal, "user.update", {**body, "NAME": "X"}, http)
    assert r.status_code == 400
    assert r.json() == {"error": "ERROR_CORE", "error_description": "access_denied"}
    assert "time" not in r.json()


def test_update_bad_email(portal: FakePortal, http: requests.Session) -> None:
    r = hook(portal, "user.update", {"ID": 2626, "EMAIL": "nope", "NAME": "X"}, http)
    assert r.status_code == 400
    assert r.json() == {"error": "ERROR_CORE", "error_description": "Incorrect E-Mail<br>"}
    assert portal.users[2626]["NAME"] == "Anna"


def test_drop_fields_for_verify(portal: FakePortal, http: requests.Session) -> None:
    portal.drop_fields("EMAIL", "active")
    r = hook(portal, "user.update", {"ID": 2626, "EMAIL": "x@example.org", "ACTIVE": "N"}, http)
    assert r.json()["result"] is True
    assert portal.users[2626]["EMAIL"] == "anna.petrova@example.org"
    assert portal.users[2626]["ACTIVE"] is True


# -- reads -----------------------------------------------------------------------------------


def test_seeded_users(portal: FakePortal) -> None:
    assert {1, 2626, 2628, 3204, 3216} <= set(portal.users)
    current = load_answer("user.current.ok.json")["result"]
    assert portal.users[1] == current
    got = load_answer("user.get.ok.json")["result"]
    assert isinstance(got, list) and portal.users[3216] == got[0]
    for uid in (2626, 2628, 3204):
        assert str(portal.users[uid]["EMAIL"]).endswith("@example.org")


def test_user_get_paging() -> None:
    with FakePortal(extra_users=60) as portal, requests.Session() as http:
        http.trust_env = False
        first = hook(portal, "user.get", {}, http).json()
        assert len(first["result"]) == 50
        assert first["next"] == 50 and first["total"] == 65
        second = hook(portal, "user.get", {"start": 50}, http).json()
        assert len(second["result"]) == 15 and "next" not in second
        assert second["total"] == 65
        ids = [int(u["ID"]) for u in first["result"] + second["result"]]
        assert ids == sorted(ids) and len(set(ids)) == 65


def test_user_get_ignores_non_field_keys(portal: FakePortal, http: requests.Session) -> None:
    body = {"id": 2626, "auth": "x", "ORDER": {"ID": "ASC"}, "NOPE": 1, "FILTER": {"active": "Y"}}
    data = hook(portal, "user.get", body, http).json()
    assert [u["ID"] for u in data["result"]] == ["2626"]
    portal.users[2626]["ACTIVE"] = False
    assert hook(portal, "user.get", body, http).json()["result"] == []


def test_user_get_unknown_id(portal: FakePortal, http: requests.Session) -> None:
    data = hook(portal, "user.get", {"ID": 424242}, http).json()
    assert data["result"] == [] and "total" not in data


def test_user_current(portal: FakePortal, http: requests.Session) -> None:
    data = hook(portal, "user.current", None, http).json()
    assert data["result"] == load_answer("user.current.ok.json")["result"]


def test_user_fields(portal: FakePortal, http: requests.Session) -> None:
    data = hook(portal, "user.fields", None, http).json()
    assert data["result"] == load_answer("user.fields.ok.json")["result"]
    assert set(data["time"]) == TIME_KEYS


@pytest.mark.parametrize(
    ("flt", "ids"),
    [
        ({"NAME": "anna"}, ["2626"]),
        ({"LAST_NAME": "SMIRNOV"}, ["2628"]),
        ({"WORK_POSITION": "developer"}, ["3204"]),
        ({"UF_DEPARTMENT_NAME": "sales"}, ["1", "2626", "2628"]),
        ({"FIND": "ivanova@"}, ["3204"]),
        ({"USER_TYPE": "employee", "NAME": "oleg"}, ["3216"]),
    ],
)
def test_user_search(
    portal: FakePortal, http: requests.Session, flt: dict[str, str], ids: list[str]
) -> None:
    data = hook(portal, "user.search", {"FILTER": flt}, http).json()
    assert [u["ID"] for u in data["result"]] == ids
    assert data["total"] == len(ids)


def test_user_search_empty_shape(portal: FakePortal, http: requests.Session) -> None:
    data = hook(portal, "user.search", {"FILTER": {"NAME": "Nobody"}}, http).json()
    empty = load_answer("user.search.empty.json")
    assert list(data) == list(empty) and data["result"] == []
    assert isinstance(empty["time"], dict) and set(data["time"]) == set(empty["time"])


def test_user_search_paging() -> None:
    with FakePortal(extra_users=70) as portal, requests.Session() as http:
        http.trust_env = False
        data = hook(portal, "user.search", {"FILTER": {"LAST_NAME": "generated"}}, http).json()
        assert (len(data["result"]), data["next"], data["total"]) == (50, 50, 70)
        data = hook(
            portal, "user.search", {"FILTER": {"LAST_NAME": "generated"}, "start": 50}, http
        ).json()
        assert (len(data["result"]), data["total"]) == (20, 70) and "next" not in data


# -- user.add --------------------------------------------------------------------------------


def test_user_add(portal: FakePortal, http: requests.Session) -> None:
    body = {"EMAIL": "new.hire@example.org", "NAME": "New", "UF_DEPARTMENT": 7, "BOGUS": 1}
    r = hook(portal, "user.add", {**body, "EXTRANET": "N", "SONET_GROUP_ID": [3]}, http)
    assert r.status_code == 200
    uid = r.json()["result"]
    assert isinstance(uid, int) and uid > 3216
    assert portal.dropped == ["BOGUS"]
    got = hook(portal, "user.get", {"ID": uid}, http).json()["result"][0]
    assert (got["EMAIL"], got["NAME"], got["UF_DEPARTMENT"]) == ("new.hire@example.org", "New", [7])


@pytest.mark.parametrize("body", [{"NAME": "X"}, {"EMAIL": "no-at-sign"}])
def test_user_add_bad_email(
    portal: FakePortal, http: requests.Session, body: dict[str, Any]
) -> None:
    r = hook(portal, "user.add", body, http)
    assert r.status_code == 400
    assert r.json() == {
        "error": "ERROR_ARGUMENT",
        "error_description": "wrong_email",
        "argument": "",
    }


def test_user_add_duplicate(portal: FakePortal, http: requests.Session) -> None:
    r = hook(portal, "user.add", {"EMAIL": "Anna.Petrova@example.org"}, http)
    assert r.status_code == 400
    assert r.json()["error_description"] == (
        "A user with this e-mail address (Anna.Petrova@example.org) already exists.<br>"
    )


# -- fault injection -------------------------------------------------------------------------


def test_rate_limit(portal: FakePortal, http: requests.Session) -> None:
    portal.rate_limit(burst=50, drain_per_s=2.0)
    statuses: list[int] = []
    for i in range(60):
        r = hook(portal, "user.update", {"ID": 2626, "PERSONAL_MOBILE": f"+{i}"}, http)
        statuses.append(r.status_code)
        if r.status_code == 503:
            assert r.json()["error"] == "QUERY_LIMIT_EXCEEDED"
    ok = statuses.count(200)
    assert 50 <= ok <= 51 and statuses.count(503) == 60 - ok
    assert statuses[:50] == [200] * 50
    last_ok = max(i for i, s in enumerate(statuses) if s == 200)
    assert portal.users[2626]["PERSONAL_MOBILE"] == f"+{last_ok}"  # 503'd calls changed nothing


def test_block_method(portal: FakePortal, http: requests.Session) -> None:
    portal.block_method("user.update")
    r = hook(portal, "user.update.json", {"ID": 2626, "NAME": "X"}, http)
    assert r.status_code == 429 and r.json()["error"] == "OPERATION_TIME_LIMIT"
    assert portal.users[2626]["NAME"] == "Anna"
    assert hook(portal, "user.get", {"ID": 2626}, http).status_code == 200
    portal.reset_faults()
    assert hook(portal, "user.update", {"ID": 2626, "NAME": "X"}, http).status_code == 200


def test_renamed_portal(portal: FakePortal, http: requests.Session) -> None:
    with FakePortal() as new:
        portal.rename_to(new)
        url = portal.webhook_url + "user.update?x=1"
        r = http.post(url, json={"ID": 2626, "NAME": "X"}, allow_redirects=False, timeout=5)
        assert r.status_code == 301
        location = r.headers["Location"]
        assert location == new.webhook_url + "user.update?x=1"
        assert portal.users[2626]["NAME"] == "Anna"
        r = http.post(location, json={"ID": 2626, "NAME": "X"}, allow_redirects=False, timeout=5)
        assert r.status_code == 200 and new.users[2626]["NAME"] == "X"
        portal.rename_to(new, status=308)
        r = http.get(portal.url + "/rest/user.get", allow_redirects=False, timeout=5)
        assert r.status_code == 308 and r.headers["Location"] == new.url + "/rest/user.get"


def test_licence_expired(portal: FakePortal, http: requests.Session) -> None:
    portal.licence_expired()
    body = {"ID": 2626, "NAME": "X"}
    r = http.post(portal.webhook_url + "user.update", json=body, allow_redirects=False, timeout=5)
    assert r.status_code == 302
    assert r.headers["Location"] == portal.url + "/bitrix/coupon_activation.php"
    assert portal.users[2626]["NAME"] == "Anna"
    page = http.get(r.headers["Location"], timeout=5)
    assert page.status_code == 200 and "html" in page.headers["Content-Type"]


# -- scripted answers ------------------------------------------------------------------------


def test_answer_error_helper() -> None:
    a = Answer.error("QUERY_LIMIT_EXCEEDED")
    assert a.status == 503 and isinstance(a.body, dict)
    assert a.body["error"] == "QUERY_LIMIT_EXCEEDED"
    core = Answer.error("ERROR_CORE")
    assert core.status == 400 and core.body == {
        "error": "ERROR_CORE",
        "error_description": "access_denied",
    }
    assert Answer.error("insufficient_scope").status == 200  # the first of two
    custom = Answer.error("ERROR_CORE", description="Incorrect E-Mail<br>")
    assert isinstance(custom.body, dict)
    assert custom.body["error_description"] == "Incorrect E-Mail<br>"
    assert Answer.error("ERROR_CORE").body == core.body  # the cached case is not modified
    with pytest.raises(KeyError):
        Answer.error("NO_SUCH_CODE")


def test_scripted_answers_fifo(portal: FakePortal, http: requests.Session) -> None:
    portal.script(
        Answer.error("QUERY_LIMIT_EXCEEDED"),
        Answer.html(),
        Answer(status=200, body=b""),
        Answer(status=418, headers={"X-Test": "yes", "Content-Type": "text/plain"}, body="tea"),
        Answer.redirect("https://elsewhere.example.org/rest/x", status=302),
    )
    r = hook(portal, "user.update", {"ID": 2626, "NAME": "X"}, http)
    assert (r.status_code, r.json()["error"]) == (503, "QUERY_LIMIT_EXCEEDED")
    assert r.headers["Content-Type"].startswith("application/json")
    r = hook(portal, "user.update", {"ID": 2626, "NAME": "X"}, http)
    assert r.status_code == 502 and "502 Bad Gateway" in r.text
    assert r.headers["Content-Type"].startswith("text/html")
    r = hook(portal, "user.get", {}, http)
    assert (r.status_code, r.content) == (200, b"")
    r = hook(portal, "user.get", {}, http)
    assert (r.status_code, r.text, r.headers["X-Test"]) == (418, "tea", "yes")
    assert r.headers["Content-Type"] == "text/plain"
    r = http.post(portal.webhook_url + "user.get", allow_redirects=False, timeout=5)
    assert r.status_code == 302 and r.headers["Location"].startswith("https://elsewhere.")
    assert portal.users[2626]["NAME"] == "Anna"  # scripted answers replace the handling
    assert hook(portal, "user.get", {"ID": 1}, http).json()["total"] == 1  # queue empty
    assert len(portal.requests) == 6


def test_close_without_answer(portal: FakePortal, http: requests.Session) -> None:
    portal.script(Answer(close=True))
    with pytest.raises(requests.ConnectionError):
        hook(portal, "user.update", {"ID": 2626, "NAME": "X"}, http)
    assert portal.requests[-1].json == {"ID": 2626, "NAME": "X"}  # it was read
    assert hook(portal, "user.get", {"ID": 2626}, http).status_code == 200


def test_truncated_body(portal: FakePortal, http: requests.Session) -> None:
    portal.script(Answer(truncate=True, body={"result": True, "padding": "x" * 200}))
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.ConnectionError)):
        hook(portal, "user.update", {"ID": 2626}, http)


def test_delay_and_passthrough(portal: FakePortal, http: requests.Session) -> None:
    portal.script(Answer(delay=0.3, body={"result": True}), Answer(delay=0.3, passthrough=True))
    t0 = time.monotonic()
    assert hook(portal, "user.update", {"ID": 2626, "NAME": "X"}, http).json() == {"result": True}
    assert time.monotonic() - t0 >= 0.3
    assert portal.users[2626]["NAME"] == "Anna"
    t0 = time.monotonic()
    r = hook(portal, "user.update", {"ID": 2626, "NAME": "X"}, http)
    assert time.monotonic() - t0 >= 0.3
    assert r.json()["result"] is True and "time" in r.json()
    assert portal.user(2626)["NAME"] == "X"
    with pytest.raises(requests.Timeout):
        portal.script(Answer(delay=2.0))
        http.post(portal.webhook_url + "user.get", timeout=0.2)


def test_stop_is_prompt_while_a_handler_sleeps(http: requests.Session) -> None:
    portal = FakePortal().start()
    portal.script(Answer(delay=30.0))
    errors: list[BaseException] = []

    def call() -> None:
        try:
            http.post(portal.webhook_url + "user.get", timeout=10)
        except requests.RequestException as exc:
            errors.append(exc)

    worker = threading.Thread(target=call)
    worker.start()
    while not portal.requests:
        time.sleep(0.01)
    t0 = time.monotonic()
    portal.stop()
    worker.join(5)
    assert time.monotonic() - t0 < 2 and not worker.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], requests.ConnectionError)  # no answer
    assert portal.errors == []
    portal.stop()  # idempotent


def test_concurrent_requests(portal: FakePortal) -> None:
    results: list[int] = []

    def call(i: int) -> None:
        with requests.Session() as s:
            s.trust_env = False
            r = post(s, portal.webhook_url + "user.update", {"ID": 2626, "UF_USR_N": str(i)})
            results.append(r.status_code)

    threads = [threading.Thread(target=call, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert results == [200] * 20 and len(portal.requests) == 20


# -- TLS -------------------------------------------------------------------------------------


def test_tls(http: requests.Session) -> None:
    with FakePortal(tls=True) as portal:
        assert portal.url.startswith("https://127.0.0.1:") and portal.ca_file
        assert portal.webhook_url.startswith("https://")
        r = post(http, portal.webhook_url + "user.current", verify=portal.ca_file)
        assert r.status_code == 200 and r.json()["result"]["ID"] == "1"
        with pytest.raises(requests.exceptions.SSLError):
            post(http, portal.webhook_url + "user.current")  # not trusted by default
        r = post(http, portal.webhook_url + "user.current", verify=portal.ca_file)
        assert r.status_code == 200
        assert portal.errors == []


# -- packaged data ---------------------------------------------------------------------------


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared is not present")
def test_packaged_answers_equal_shared_responses() -> None:
    packaged = sorted(p.name for p in DATA.glob("*.json"))
    assert packaged
    for name in packaged:
        assert (DATA / name).read_bytes() == (SHARED / name).read_bytes(), name


# -- python -m oint_py.testing ---------------------------------------------------------------

CHILD = """
import json, os, sys, urllib.request
url = os.environ["BITRIX24_URL"]
token = os.environ.get("BITRIX24_TOKEN")
body = {"ID": 2626, "EMAIL": "changed@example.org"}
if token:
    body["auth"] = token
    url = url + "/rest/"
req = urllib.request.Request(url + "user.update", data=json.dumps(body).encode(),
                             headers={"Content-Type": "application/json"})
print(json.load(urllib.request.urlopen(req))["result"], url.split("/rest/")[1], token)
sys.exit(7)
"""


@pytest.mark.parametrize("token_mode", [False, True])
def test_run_command(token_mode: bool) -> None:
    flags = ["--token-mode"] if token_mode else []
    proc = subprocess.run(
        [sys.executable, "-m", "oint_py.testing", "run", *flags, "--", "python", "-c", CHILD],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 7, proc.stderr
    if token_mode:
        assert proc.stdout.split() == ["True", "t0k3n-valid-0123456789"]
    else:
        assert proc.stdout.split() == ["True", "1/h0m3s3cr3tw3bh00k/", "None"]
    assert "fake portal: user 2626 now EMAIL=changed@example.org" in proc.stderr


def test_run_without_command() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "oint_py.testing", "run"], capture_output=True, text=True
    )
    assert proc.returncode == 2 and "no command" in proc.stderr


def test_update_checks_emails_like_a_portal_that_checks_uniqueness() -> None:
    import json as _json
    import urllib.error
    import urllib.request

    from oint_py.testing import FakePortal

    def post(portal: FakePortal, body: dict[str, object]) -> tuple[int, dict[str, object]]:
        request = urllib.request.Request(
            portal.webhook_url + "user.update",
            data=_json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                return answer.status, _json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, _json.loads(error.read())

    with FakePortal() as portal:
        for bad in ("invalid-email@", "a b@c.org", "x@y..z", "a@b"):
            assert post(portal, {"ID": 2626, "EMAIL": bad}) == (
                400,
                {"error": "ERROR_CORE", "error_description": "Incorrect E-Mail<br>"},
            )
        taken = portal.users[2628]["EMAIL"]
        status, body = post(portal, {"ID": 2626, "EMAIL": taken})
        assert (status, body["error"]) == (400, "ERROR_CORE")
        assert body["error_description"] == (
            f"A user with this e-mail address ({taken}) already exists.<br>"
        )
        assert post(portal, {"ID": 2626, "EMAIL": portal.users[2626]["EMAIL"]})[0] == 200
