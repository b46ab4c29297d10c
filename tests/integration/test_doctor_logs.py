"""`vendorci doctor logs`: the log URL root against a real HTTP server on loopback, the publish host against a real
OpenSSH sshd (write and remove a probe file, disk space), and doctor's OpenMetrics output."""

from __future__ import annotations

import pytest

from tests.fixtures.logserver import LogServer
from tests.fixtures.net import closed_port
from tests.fixtures.sshd import keygen

pytestmark = pytest.mark.real_server


@pytest.fixture
def logs():
    server = LogServer().start()
    server.add("/logs/", "Index of /logs\n")
    yield server
    server.stop()


def _config(tmp_path, known_hosts=None, **logs):
    text = (f"known_hosts: {known_hosts}\n" if known_hosts else "") + "logs:\n" + "".join(
        f"  {k}: {v}\n" for k, v in logs.items())
    path = tmp_path / "vendorci.yaml"
    path.write_text(text)
    return path


def doctor(cli, cfg, *extra, output="json"):
    return cli("--output", output, "--config", str(cfg), "doctor", *extra)


def _check(res, cid):
    return next(c for c in res.json["data"]["checks"] if c["id"] == cid)


def test_log_url_ok_404_unreachable_and_redirects(cli, tmp_path, logs):
    res = doctor(cli, _config(tmp_path, url=f"{logs.url}/logs/"), "logs.url")
    assert res.exit_code == 0, res.stdout
    c = _check(res, "logs.url")
    assert c["status"] == "ok" and c["data"]["status"] == 200 and c["data"]["source"] == "config logs.url"
    res = doctor(cli, _config(tmp_path, url=f"{logs.url}/nothing/"), "logs.url")
    assert res.exit_code == 1
    c = _check(res, "logs.url")
    assert c["status"] == "fail" and c["summary"].endswith(": 404") and c["fix"]
    res = doctor(cli, _config(tmp_path, url=f"http://127.0.0.1:{closed_port()}/logs/"), "logs.url")
    assert res.exit_code == 1 and "unreachable" in _check(res, "logs.url")["summary"]
    res = doctor(cli, _config(tmp_path, url=f"{logs.url}/redirect/3/logs/"), "logs.url")
    assert res.exit_code == 0
    assert _check(res, "logs.url")["data"]["final_url"] == f"{logs.url}/logs/"
    res = doctor(cli, _config(tmp_path, url=f"{logs.url}/redirect/9/logs/"), "logs.url")
    assert res.exit_code == 1 and "too_many_redirects" in _check(res, "logs.url")["summary"]


def test_log_url_from_the_data_repo_and_skip(cli, tmp_path, logs):
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "vars.sh").write_text(f"export LOG_URL_ROOT={logs.url}/logs/\n")
    cfg = tmp_path / "empty.yaml"
    cfg.write_text("vendor: acme\n")
    res = doctor(cli, cfg, "logs.url", "--data-repo", str(repo))
    assert res.exit_code == 0, res.stdout
    assert _check(res, "logs.url")["data"]["source"] == "vars.sh LOG_URL_ROOT"
    res = doctor(cli, cfg, "logs")
    assert res.exit_code == 0
    assert [c["status"] for c in res.json["data"]["checks"]] == ["skip", "skip"]
    assert "logs.url" in _check(res, "logs.url")["fix"] and "logs.publish_path" in _check(res, "logs.publish")["fix"]


@pytest.fixture
def publish(sshd_factory, tmp_path):
    server = sshd_factory()
    key = tmp_path / "publisher"
    server.authorize(keygen(key))
    kh = server.write_known_hosts(tmp_path / "known_hosts")
    target = tmp_path / "published"
    target.mkdir()
    return server, key, kh, target


def test_log_publish_against_real_sshd(cli, tmp_path, publish):
    server, key, kh, target = publish
    common = dict(known_hosts=kh, publish_host="127.0.0.1", publish_port=server.port, publish_user=server.user,
                  publish_key=key)
    res = doctor(cli, _config(tmp_path, publish_path=target, **common), "logs.publish")
    assert res.exit_code == 0, res.stdout
    c = _check(res, "logs.publish")
    assert c["status"] in ("ok", "warn") and "is writable" in c["summary"]
    assert 0 <= c["data"]["free_pct"] <= 100
    assert list(target.iterdir()) == []  # the probe file was removed
    res = doctor(cli, _config(tmp_path, publish_path=tmp_path / "missing", **common), "logs.publish")
    assert res.exit_code == 1 and "is not a directory" in _check(res, "logs.publish")["summary"]
    other = tmp_path / "stranger"
    keygen(other)
    res = doctor(cli, _config(tmp_path, publish_path=target, **dict(common, publish_key=other)), "logs.publish")
    assert res.exit_code == 1 and _check(res, "logs.publish")["status"] == "fail"


def test_log_publish_warns_when_the_disk_is_nearly_full(tmp_path, publish):
    from vendorci.checks.context import DoctorContext
    from vendorci.checks.logs import check_publish
    from vendorci.config import load_config

    server, key, kh, target = publish
    cfg = load_config({}, config_path=str(_config(tmp_path, known_hosts=kh, publish_host="127.0.0.1",
                                                  publish_port=server.port, publish_user=server.user,
                                                  publish_key=key, publish_path=target)))
    res = check_publish(DoctorContext(config=cfg, options={"publish_min_free_pct": 100.5}))
    assert res.status.value == "warn" and "expire old logs" in res.fix


def test_doctor_openmetrics(cli, tmp_path, logs):
    from prometheus_client.openmetrics.parser import text_string_to_metric_families

    res = doctor(cli, _config(tmp_path, url=f"{logs.url}/nothing/"), "logs", output="openmetrics")
    assert res.exit_code == 1
    assert res.stdout.endswith("# EOF\n")
    fams = {f.name: f for f in text_string_to_metric_families(res.stdout)}
    got = {(s.labels["id"], s.labels["status"]): s.value for s in fams["vendorci_doctor_check"].samples}
    assert got[("logs.url", "fail")] == 1 and got[("logs.url", "ok")] == 0
    assert got[("logs.publish", "skip")] == 1
    assert fams["vendorci_doctor_ok"].samples[0].value == 0
