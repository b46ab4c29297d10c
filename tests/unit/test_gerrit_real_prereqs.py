"""The real-Gerrit fixture names what is missing (it skips, or fails under CI=true, with that message)."""

from __future__ import annotations

from tests.fixtures import gerrit_real


def test_missing_jars_are_named_with_the_install_script(tmp_path, monkeypatch):
    monkeypatch.setattr(gerrit_real.server, "JAR_DIR", tmp_path)
    (tmp_path / "gerrit-plugin-api-3.9.1.jar").write_bytes(b"")
    missing = gerrit_real.missing_prerequisites()
    jars = [m for m in missing if ".jar" in m]
    assert len(jars) == 1 and "gerrit-acceptance-framework-3.9.1.jar" in jars[0]
    assert "gerrit-plugin-api-3.9.1.jar" not in jars[0]
    assert str(tmp_path) in jars[0] and ".ci/install-gerrit.sh" in jars[0]


def test_missing_programs_are_named(tmp_path, monkeypatch):
    monkeypatch.setattr(gerrit_real.server, "JAR_DIR", tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))
    missing = gerrit_real.missing_prerequisites()
    assert missing[:4] == ["java", "javac", "git", "ssh-keygen"]
