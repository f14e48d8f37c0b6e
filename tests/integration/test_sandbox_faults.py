"""The sandbox's fault modes: by configuration and by the test-only X-Sandbox-Fault header."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import func, select

from intake import db
from intake.sandbox import FAULT_HEADER, Faults, SandboxConfig, SandboxRequest, parse_faults

from .sandbox_support import (
    MakeSandbox,
    Sandbox,
    error_items,
    parse,
)

FORMATS = ["json", "xml"]
POTHOLE = {"service_code": "POTHOLE", "lat": "40", "long": "-75"}


def stored(sb: Sandbox) -> int:
    with db.sessions(sb.app)() as session:
        return int(session.scalar(select(func.count()).select_from(SandboxRequest)) or 0)


# -- the fault spec ----------------------------------------------------------------------

BASE = Faults(timeout_seconds=2.0)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("", BASE),
        ("token-only", replace(BASE, token_only=True)),
        ("xml-only", replace(BASE, xml_only=True)),
        ("cap=50", replace(BASE, list_cap=50)),
        ("fail", replace(BASE, fail_share=1.0)),
        ("fail=503", replace(BASE, fail_share=1.0, fail_status=503)),
        ("fail-share=0.2", replace(BASE, fail_share=0.2)),
        ("fail-after-commit", replace(BASE, fail_share=1.0, fail_after_commit=True)),
        ("timeout", replace(BASE, timeout_share=1.0)),
        ("timeout=0.5", replace(BASE, timeout_share=1.0, timeout_seconds=0.5)),
        ("timeout-share=0.1", replace(BASE, timeout_share=0.1)),
        ("latency=0.2", replace(BASE, latency_seconds=0.2)),
        (
            " Token-Only , cap=50,latency=0.2 ",
            replace(BASE, token_only=True, list_cap=50, latency_seconds=0.2),
        ),
        ("cap=10, cap=20", replace(BASE, list_cap=20)),
        ("token-only, none", Faults()),
        ("none, xml-only", replace(BASE, xml_only=True)),
    ],
)
def test_parse_faults(spec: str, expected: Faults) -> None:
    assert parse_faults(spec, BASE) == expected


@pytest.mark.parametrize(
    "spec",
    ["bogus", "cap=0", "cap=x", "cap", "fail=404", "fail-share=2", "timeout=-1", "token-only=1"],
)
def test_parse_faults_refuses_nonsense(spec: str) -> None:
    with pytest.raises(ValueError, match="bad fault"):
        parse_faults(spec)


@pytest.mark.parametrize(
    "fields",
    [
        {"fail_share": 1.5},
        {"timeout_share": -0.1},
        {"fail_share": 0.6, "timeout_share": 0.6},
        {"list_cap": 0},
        {"fail_status": 404},
        {"latency_seconds": -1},
        {"step_seconds": 0},
        {"endpoint_type": "staging"},
        {"default_page_size": 1000},
        {"services": [*SandboxConfig().services, SandboxConfig().services[0]]},
    ],
)
def test_config_refuses_nonsense(fields: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        SandboxConfig(**fields)


def test_with_faults_applies_a_spec_to_a_config() -> None:
    cfg = SandboxConfig(timeout_seconds=1.0).with_faults("token-only, fail-share=0.1, cap=50")
    assert (cfg.token_only, cfg.fail_share, cfg.list_cap, cfg.timeout_seconds) == (
        True,
        0.1,
        50,
        1.0,
    )
    assert cfg.faults == Faults(token_only=True, fail_share=0.1, list_cap=50, timeout_seconds=1)


# -- header handling ---------------------------------------------------------------------


def test_header_is_ignored_unless_allowed(sandbox: Sandbox) -> None:
    resp = sandbox.get("/services.json", headers={FAULT_HEADER: "fail"})
    assert resp.status_code == 200


@pytest.mark.parametrize("fmt", FORMATS)
def test_bad_header_is_a_400_spec_error(make: MakeSandbox, fmt: str) -> None:
    sb = make(allow_fault_header=True)
    resp = sb.get(f"/services.{fmt}", headers={FAULT_HEADER: "explode"})
    assert resp.status_code == 400
    assert FAULT_HEADER in error_items(resp)[0][1]


def test_header_none_switches_configured_faults_off_for_one_call(make: MakeSandbox) -> None:
    sb = make(fail_share=1.0, allow_fault_header=True)
    assert sb.get("/services.json").status_code == 500
    assert sb.get("/services.json", headers={FAULT_HEADER: "none"}).status_code == 200


# -- token only --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("how", ["config", "header"])
def test_token_only(make: MakeSandbox, fmt: str, how: str) -> None:
    if how == "config":
        sb, headers = make(token_only=True, token_delay_seconds=10), {}
    else:
        sb, headers = (
            make(allow_fault_header=True, token_delay_seconds=10),
            {FAULT_HEADER: "token-only"},
        )
    resp = sb.post(f"/requests.{fmt}", POTHOLE, headers=headers)
    [answer] = parse(resp, fmt)
    assert "service_request_id" not in answer
    assert answer["token"] and answer["service_notice"]
    sb.clock.tick(10)
    [resolved] = parse(sb.get(f"/tokens/{answer['token']}.{fmt}"), fmt)
    assert resolved["service_request_id"] == "000001"


# -- xml only ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/services", "/services/GRAFFITI", "/requests", "/requests/000001", "/tokens/t"]
)
@pytest.mark.parametrize("how", ["config", "header"])
def test_xml_only_refuses_json_with_an_xml_404(make: MakeSandbox, path: str, how: str) -> None:
    sb = make(xml_only=True) if how == "config" else make(allow_fault_header=True)
    headers = {FAULT_HEADER: "xml-only"} if how == "header" else {}
    resp = sb.get(f"{path}.json", headers=headers)
    assert resp.status_code == 404
    assert resp.content_type == "text/xml; charset=utf-8"
    assert error_items(resp)[0][0] == "404"
    assert sb.get(f"{path}.xml", headers=headers).status_code in (200, 404)
    assert sb.post("/requests.json", POTHOLE, headers=headers).status_code == 404
    assert stored(sb) == 0
    assert sb.post("/requests.xml", POTHOLE, headers=headers).status_code == 200


@pytest.mark.parametrize("fmt", FORMATS)
def test_xml_only_discovery_offers_only_xml(make: MakeSandbox, fmt: str) -> None:
    sb = make(xml_only=True)
    [endpoint] = parse(sb.get(f"/discovery.{fmt}"), fmt)["endpoints"]
    assert endpoint["formats"] == ["text/xml"]


# -- list cap ----------------------------------------------------------------------------


def _file(sb: Sandbox, n: int) -> None:
    for _ in range(n):
        assert sb.post("/requests.json", POTHOLE).status_code == 200
        sb.clock.tick(1)


def _ids(sb: Sandbox, query: str = "", **kwargs: Any) -> list[str]:
    resp = sb.get(f"/requests.json?{query}", **kwargs)
    assert resp.status_code == 200
    return [r["service_request_id"] for r in parse(resp, "json")]


@pytest.mark.parametrize("how", ["config", "header"])
def test_cap_silently_shortens_lists(make: MakeSandbox, how: str) -> None:
    sb = make(list_cap=3) if how == "config" else make(allow_fault_header=True)
    headers = {FAULT_HEADER: "cap=3"} if how == "header" else {}
    _file(sb, 7)
    assert _ids(sb, headers=headers) == ["000007", "000006", "000005"]
    ids = ",".join(f"{i:06d}" for i in range(1, 8))
    assert len(_ids(sb, f"service_request_id={ids}", headers=headers)) == 3


def test_capped_pages_are_consecutive_so_paging_to_the_end_loses_nothing(
    make: MakeSandbox,
) -> None:
    sb = make(list_cap=3)
    _file(sb, 7)
    pages = [_ids(sb, f"page={p}&page_size=50") for p in range(1, 5)]
    assert pages == [
        ["000007", "000006", "000005"],
        ["000004", "000003", "000002"],
        ["000001"],
        [],
    ]


def test_cap_of_50_like_real_servers(make: MakeSandbox) -> None:
    sb = make(list_cap=50)
    _file(sb, 60)
    assert len(_ids(sb)) == 50


# -- failures ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/services"),
        ("get", "/services/GRAFFITI"),
        ("get", "/requests"),
        ("post", "/requests"),
        ("get", "/requests/000001"),
        ("get", "/tokens/t"),
    ],
)
def test_fail_answers_500_with_a_spec_body_and_creates_nothing(
    make: MakeSandbox, fmt: str, method: str, path: str
) -> None:
    sb = make(allow_fault_header=True)
    call = getattr(sb.client, method)
    kwargs = {"data": POTHOLE} if method == "post" else {}
    resp = call(f"/open311/v2{path}.{fmt}", headers={FAULT_HEADER: "fail"}, **kwargs)
    assert resp.status_code == 500
    assert error_items(resp) == [("500", "Internal server error")]
    assert stored(sb) == 0


@pytest.mark.parametrize("status", [502, 503, 504])
def test_fail_with_a_gateway_status_answers_an_html_page(make: MakeSandbox, status: int) -> None:
    sb = make(allow_fault_header=True)
    resp = sb.post("/requests.xml", POTHOLE, headers={FAULT_HEADER: f"fail={status}"})
    assert resp.status_code == status
    assert resp.content_type == "text/html; charset=utf-8"
    assert f"<h1>{status} " in resp.text
    assert stored(sb) == 0


@pytest.mark.parametrize("how", ["config", "header"])
def test_fail_after_commit_stores_the_post_then_answers_500(make: MakeSandbox, how: str) -> None:
    if how == "config":
        sb, headers = make(fail_share=1.0, fail_after_commit=True), {}
    else:
        sb, headers = make(allow_fault_header=True), {FAULT_HEADER: "fail-after-commit"}
    resp = sb.post("/requests.json", POTHOLE, headers=headers)
    assert resp.status_code == 500
    assert stored(sb) == 1
    assert sb.get("/services.json", headers=headers).status_code == 500  # reads just fail
    assert sb.post("/requests.json", {"service_code": "NOPE"}, headers=headers).status_code == 500
    assert stored(sb) == 1


def test_discovery_never_fails(make: MakeSandbox) -> None:
    sb = make(fail_share=1.0)
    assert sb.get("/discovery.json").status_code == 200
    assert sb.get("/services.json").status_code == 500


def _outcomes(sb: Sandbox, n: int) -> list[str]:
    """Call GET services n times; record ok / fail / timeout (a recorded sleep)."""
    out = []
    for _ in range(n):
        before = len(sb.sleeps.calls)
        resp = sb.get("/services.json")
        if resp.status_code == 500:
            out.append("fail")
        elif len(sb.sleeps.calls) > before:
            out.append("timeout")
        else:
            out.append("ok")
    return out


def test_shares_are_honoured_and_the_seed_makes_them_reproducible(make: MakeSandbox) -> None:
    first = _outcomes(make(fail_share=0.2, timeout_share=0.1, seed=7), 500)
    again = _outcomes(make(fail_share=0.2, timeout_share=0.1, seed=7), 500)
    other = _outcomes(make(fail_share=0.2, timeout_share=0.1, seed=8), 500)
    assert first == again
    assert first != other
    counts = Counter(first)
    assert 70 <= counts["fail"] <= 130
    assert 25 <= counts["timeout"] <= 75


def test_posts_under_a_fail_share_store_exactly_the_answered_ones(make: MakeSandbox) -> None:
    sb = make(fail_share=0.3, seed=1)
    answered = [sb.post("/requests.json", POTHOLE).status_code for _ in range(60)]
    assert 0 < answered.count(500) < 60
    assert stored(sb) == answered.count(200)


# -- timeouts ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_timeout_on_post_commits_first_and_then_stalls(make: MakeSandbox, fmt: str) -> None:
    stalled, release = threading.Event(), threading.Event()
    seen_during_stall: list[int] = []
    box: dict[str, Any] = {}

    def sleep(seconds: float) -> None:
        box["slept"] = seconds
        stalled.set()
        release.wait(10)

    sb = make(timeout_share=1.0, timeout_seconds=2.5, sleep=sleep)
    worker = threading.Thread(
        target=lambda: box.setdefault("resp", sb.post(f"/requests.{fmt}", POTHOLE))
    )
    worker.start()
    try:
        assert stalled.wait(10), "the POST never stalled"
        seen_during_stall.append(stored(sb))  # another connection sees the commit
    finally:
        release.set()
        worker.join(10)
    assert seen_during_stall == [1]
    assert box["slept"] == 2.5
    assert box["resp"].status_code == 200  # what a patient client would have read
    assert parse(box["resp"], fmt)[0]["service_request_id"] == "000001"


@pytest.mark.parametrize("seconds", [None, 0.75])
def test_timeout_header_stalls_reads_too(make: MakeSandbox, seconds: float | None) -> None:
    sb = make(allow_fault_header=True, timeout_seconds=0.25)
    spec = "timeout" if seconds is None else f"timeout={seconds}"
    resp = sb.get("/requests.json", headers={FAULT_HEADER: spec})
    assert resp.status_code == 200
    assert sb.sleeps.calls == [seconds or 0.25]


def test_timeout_really_sleeps_with_the_default_sleep(make: MakeSandbox) -> None:
    import time

    sb = make(timeout_share=1.0, timeout_seconds=0.2, sleep=time.sleep)
    started = time.monotonic()
    assert sb.post("/requests.json", POTHOLE).status_code == 200
    assert time.monotonic() - started >= 0.2
    assert stored(sb) == 1


# -- latency -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/services.json", "/requests.xml", "/discovery.json"])
def test_latency_by_config_applies_to_every_call(make: MakeSandbox, path: str) -> None:
    sb = make(latency_seconds=0.3)
    assert sb.get(path).status_code == 200
    assert sb.sleeps.calls == [0.3]


def test_latency_by_header(make: MakeSandbox) -> None:
    sb = make(allow_fault_header=True)
    assert sb.post("/requests.json", POTHOLE, headers={FAULT_HEADER: "latency=0.2"}).status_code
    assert sb.sleeps.calls == [0.2]
    sb.get("/services.json")
    assert sb.sleeps.calls == [0.2]  # only that call


def test_faults_combine(make: MakeSandbox) -> None:
    sb = make(allow_fault_header=True, token_delay_seconds=0)
    headers = {FAULT_HEADER: "token-only, latency=0.1, timeout=0.4"}
    [answer] = parse(sb.post("/requests.xml", POTHOLE, headers=headers), "xml")
    assert "token" in answer
    assert sb.sleeps.calls == [0.1, 0.4]
    assert stored(sb) == 1
