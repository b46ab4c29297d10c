"""`vendorci votes` for a comment-only CI (issue 12): found by ``commentby:``, results from the text, alerts, the
upstream CI's disagreement and OpenMetrics output (parsed with prometheus_client's OpenMetrics parser)."""

from __future__ import annotations

import math
import time

import pytest

from tests.fixtures.gerrit_double import start_gerrit_env

pytestmark = pytest.mark.real_server

WIKI = "\n\nAcme CI: https://wiki.openstack.org/wiki/ThirdPartySystems/Acme_CI\n"
OK = "Build succeeded (check pipeline).\n\n- noop http://logs.example/{n}/noop : SUCCESS in 1s\n" + WIKI
BAD = ("Build failed (check pipeline).\n\n- noop http://logs.example/{n}/noop : SUCCESS in 1s\n"
       "- tempest http://logs.example/{n}/tempest : FAILURE in 1h 2m\n" + WIKI)
LONG = "Make the scheduler weigh hosts by free disk space instead of free RAM when both are tight"


@pytest.fixture
def gerrit(tmp_path):
    env = start_gerrit_env(tmp_path / "g", verdict=None)
    d, now = env.double, int(time.time())
    d.add_account("zuul", None, name="Zuul")
    # ci only ever comments (no vote); zuul (upstream) votes
    c1 = d.create_change("openstack/nova", "Agreed success", "op", at=now - 3 * 3600)
    d.review("ci", c1.number, 1, message=OK.format(n=c1.number), at=now - 2 * 3600)
    d.review("zuul", c1.number, 1, verified=1, message="Build succeeded (check pipeline).", at=now - 2 * 3600)
    c2 = d.create_change("openstack/nova", LONG, "op", at=now - 2 * 3600)
    d.review("ci", c2.number, 1, message=BAD.format(n=c2.number), at=now - 3600)
    d.review("zuul", c2.number, 1, verified=1, message="Build succeeded (check pipeline).", at=now - 3500)
    c3 = d.create_change("openstack/cinder", "Upstream silent", "op", at=now - 4 * 3600)
    d.review("ci", c3.number, 1, message=OK.format(n=c3.number), at=now - 3 * 3600)
    c4 = d.create_change("openstack/cinder", "Agreed failure", "op", at=now - 5 * 3600)
    d.review("ci", c4.number, 1, message=BAD.format(n=c4.number), at=now - 4 * 3600)
    d.review("zuul", c4.number, 1, verified=-1, message="Build failed (check pipeline).", at=now - 4 * 3600)
    yield env
    env.stop()


def votes(cli, g, *extra, output="json"):
    return cli("--output", output, "votes", "--ci-user", "ci", "--ci-key", str(g.ci_key), "--known-hosts",
               str(g.known_hosts), "--gerrit", f"ssh://127.0.0.1:{g.double.port}", *extra)


def test_comment_only_ci_is_found_and_judged_by_its_text(cli, gerrit):
    assert gerrit.double.query(["reviewer:ci"]) == []  # as on a real Gerrit: commenting does not make a reviewer
    res = votes(cli, gerrit)
    assert res.exit_code == 0, res.stdout
    d = res.json["data"]
    assert "commentby:ci" in d["query"]
    assert [(c["change"], c["vote"], c["result"]) for c in d["comments"]] == [
        (1002, None, "FAILURE"), (1001, None, "SUCCESS"), (1003, None, "SUCCESS"), (1004, None, "FAILURE")]
    first = d["comments"][0]
    assert set(first) >= {"change", "patchset", "project", "subject", "url", "vote", "result", "jobs", "age_s"}
    assert (first["patchset"], first["project"], first["subject"]) == (1, "openstack/nova", LONG)
    assert first["url"] == "http://review.test/c/openstack/nova/+/1002" and 3500 < first["age_s"] < 3700
    s = d["summary"]
    assert (s["comments"], s["votes"], s["results"], s["successes"], s["failures"]) == (4, 0, 4, 2, 2)
    assert s["success_rate"] == 0.5
    assert d["alerts"] == [] and res.json["errors"] == []


def test_disagreement_with_upstream(cli, gerrit):
    d = votes(cli, gerrit).json["data"]
    assert [(c["change"], c["upstream"], c["agrees"]) for c in d["comments"]] == [
        (1002, "SUCCESS", False), (1001, "SUCCESS", True), (1003, None, None), (1004, "FAILURE", True)]
    s = d["summary"]
    assert (s["upstream_user"], s["compared"], s["disagreements"], s["disagreement_rate"]) == ("zuul", 3, 1, 0.333)
    d = votes(cli, gerrit, "--upstream-user", "").json["data"]
    assert d["summary"]["compared"] == 0 and d["summary"]["disagreement_rate"] is None


def test_alerts_exit_1_with_reasons(cli, gerrit):
    res = votes(cli, gerrit, "--max-silence", "30m")
    assert res.exit_code == 1
    assert [a["code"] for a in res.json["data"]["alerts"]] == ["silence"]
    assert "last commented 1h ago" in res.json["data"]["alerts"][0]["message"]
    assert res.json["errors"][0]["code"] == "silence"
    assert votes(cli, gerrit, "--max-silence", "2h").exit_code == 0
    assert votes(cli, gerrit, "--min-success-rate", "60").exit_code == 0  # 4 results: fewer than the default 5
    res = votes(cli, gerrit, "--min-success-rate", "60", "--min-comments", "4")
    assert res.exit_code == 1
    assert [a["code"] for a in res.json["data"]["alerts"]] == ["low_success_rate"]
    assert "50%" in res.json["data"]["alerts"][0]["message"]
    assert votes(cli, gerrit, "--min-success-rate", "50", "--min-comments", "4").exit_code == 0
    res = votes(cli, gerrit, "--project", "nobody/none", "--max-silence", "7d")
    assert res.exit_code == 1 and "has not commented" in res.json["data"]["alerts"][0]["message"]
    res = votes(cli, gerrit, "--max-silence", "soon")
    assert res.exit_code == 2 and res.json["errors"][0]["code"] == "bad_duration"


def test_piped_table_keeps_full_identifying_values(cli, gerrit):
    res = votes(cli, gerrit, output="human")
    assert res.exit_code == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0].split("\t") == ["age", "change", "PS", "url", "subject", "Verified", "result", "jobs", "zuul"]
    row = lines[1].split("\t")
    assert row[1:6] == ["1002", "1", "http://review.test/c/openstack/nova/+/1002", LONG, "-"]
    assert row[6:] == ["FAILURE", "tempest FAILURE", "SUCCESS (disagree)"]
    assert "results: 2 success / 2 failure, success rate: 50%" in res.stdout
    assert "upstream zuul: 3 patch sets compared, 1 disagreements (33%)" in res.stdout


def _families(text):
    from prometheus_client.openmetrics.parser import text_string_to_metric_families

    return {f.name: f for f in text_string_to_metric_families(text)}


def test_openmetrics(cli, gerrit):
    res = votes(cli, gerrit, "--max-silence", "30m", output="openmetrics")
    assert res.exit_code == 1  # the alert keeps its exit code; metrics are still printed
    assert res.stdout.endswith("# EOF\n")
    fams = _families(res.stdout)
    value = {(s.name, tuple(sorted(s.labels.items()))): s.value for f in fams.values() for s in f.samples}
    assert fams["vendorci_ci_comments"].type == "counter"
    assert value[("vendorci_ci_comments_total", (("ci_user", "ci"),))] == 4
    assert value[("vendorci_ci_success_ratio", (("ci_user", "ci"),))] == 0.5
    assert 3500 < value[("vendorci_ci_last_comment_age_seconds", (("ci_user", "ci"),))] < 3700
    assert value[("vendorci_ci_job_failures", (("ci_user", "ci"), ("job", "tempest")))] == 2
    assert value[("vendorci_ci_job_failures", (("ci_user", "ci"), ("job", "noop")))] == 0
    assert value[("vendorci_ci_job_runs", (("ci_user", "ci"), ("job", "noop")))] == 4
    assert value[("vendorci_ci_upstream_disagreements", (("ci_user", "ci"), ("upstream_user", "zuul")))] == 1
    assert value[("vendorci_ci_alert", (("alert", "silence"), ("ci_user", "ci")))] == 1
    assert "error: ci last commented" in res.stderr
    # no comment at all: NaN ratio, +Inf age
    res = votes(cli, gerrit, "--project", "nobody/none", output="openmetrics")
    fams = _families(res.stdout)
    assert math.isnan(fams["vendorci_ci_success_ratio"].samples[0].value)
    assert fams["vendorci_ci_last_comment_age_seconds"].samples[0].value == math.inf


def test_openmetrics_only_where_supported(cli):
    res = cli("--output", "openmetrics", "smoke-test", "sandbox", "--ci-user", "ci")
    assert res.exit_code == 2
    assert "--output openmetrics is not available" in res.stderr
