"""Push credentials come from the environment or netrc, never from arguments."""

from __future__ import annotations

import base64

from isthmus.publish.push import credentials


def test_token_from_environment():
    assert credentials("http://store.example/gsp", {"ISTHMUS_PUSH_TOKEN": "t0k"}) == "Bearer t0k"


def test_user_and_password_from_environment():
    value = credentials("http://store.example/gsp", {"ISTHMUS_PUSH_USER": "ann", "ISTHMUS_PUSH_PASSWORD": "p:w"})
    assert value == "Basic " + base64.b64encode(b"ann:p:w").decode()


def test_netrc_for_the_host(tmp_path):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine store.example login bob password s3cret\n")
    netrc.chmod(0o600)
    value = credentials("https://store.example:8443/gsp", {}, netrc_file=str(netrc))
    assert value == "Basic " + base64.b64encode(b"bob:s3cret").decode()
    assert credentials("https://other.example/gsp", {}, netrc_file=str(netrc)) is None


def test_no_credentials_anywhere(tmp_path):
    assert credentials("http://store.example/", {}, netrc_file=str(tmp_path / "missing")) is None


def test_publish_takes_no_credentials_on_the_command_line():
    from isthmus.main import cli

    options = {opt for p in cli.commands["publish"].params for opt in getattr(p, "opts", [])}
    assert not {o for o in options if any(w in o for w in ("user", "password", "token", "auth"))}
