"""A compose file is parsed once per run, and again whenever its content or environment changes."""

import os

from components.compose import load_compose


def test_same_file_is_parsed_once_and_reread_after_a_change(tmp_path):
    f = tmp_path / "docker-compose.yml"
    f.write_text("services:\n  web:\n    image: nginx:1.27\n")
    first = load_compose(f)
    assert load_compose(f) is first
    f.write_text("services:\n  web:\n    image: nginx:1.28\n    ports: ['8080:80']\n")
    later = f.stat().st_mtime_ns + 10**9  # a new mtime even on coarse file-system clocks
    os.utime(f, ns=(later, later))
    second = load_compose(f)
    assert second.services["web"].image == "nginx:1.28"


def test_environment_is_part_of_the_key(tmp_path):
    f = tmp_path / "docker-compose.yml"
    f.write_text("services:\n  web:\n    image: nginx:${TAG}\n")
    assert load_compose(f, environ={"TAG": "1.27"}).services["web"].image == "nginx:1.27"
    assert load_compose(f, environ={"TAG": "1.28"}).services["web"].image == "nginx:1.28"
