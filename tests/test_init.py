"""`briefkit init`: the starter report validates and builds as it is, in every language and actor count."""
from __future__ import annotations

import pytest

import briefkit
from briefkit.cli import main


@pytest.mark.parametrize("lang", ["ar", "fa", "en"])
@pytest.mark.parametrize("actors", [2, 3, 5, 12])
def test_starter_validates(tmp_path, lang, actors):
    path = tmp_path / "my-brief.yaml"
    assert main(["init", str(path), "--lang", lang, "--actors", str(actors)]) == 0
    report = briefkit.load(path)
    assert report.meta.id == "my-brief"
    assert report.meta.lang == lang
    assert len(report.actors) == actors
    text = path.read_text(encoding="utf-8")
    assert text.count("\n#") + text.count(" # ") >= 20  # commented: every field explained


def test_starter_builds_both_formats(tmp_path):
    path = tmp_path / "brief.yaml"
    assert main(["init", str(path), "--actors", "3"]) == 0
    assert main(["build", str(path), "-o", str(tmp_path / "out"), "--quiet"]) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["brief.docx", "brief.pdf"]


def test_starter_comments_are_in_the_report_language(tmp_path):
    for lang, word in (("ar", "مطلوب"), ("fa", "الزامی"), ("en", "required")):
        path = tmp_path / f"{lang}.yaml"
        assert main(["init", str(path), "--lang", lang]) == 0
        assert f"# {word}" in path.read_text(encoding="utf-8") or f"({word}" in path.read_text(encoding="utf-8")


def test_init_never_overwrites(tmp_path, capsys):
    path = tmp_path / "brief.yaml"
    path.write_text("keep me", encoding="utf-8")
    assert main(["init", str(path)]) == 2
    assert "exists" in capsys.readouterr().err
    assert path.read_text(encoding="utf-8") == "keep me"
    assert main(["init", str(path), "--force"]) == 0


def test_init_refuses_bad_counts(tmp_path, capsys):
    assert main(["init", str(tmp_path / "b.yaml"), "--actors", "1"]) == 2
    assert "--actors must be between 2 and 12" in capsys.readouterr().err
    assert not (tmp_path / "b.yaml").exists()


@pytest.mark.parametrize("lang", ["ar", "fa", "en"])
def test_starter_commands_name_the_path_as_typed(tmp_path, monkeypatch, capsys, lang):
    # A blind editor ran `init briefs/x.yaml`: the file's commands said `validate x.yaml`, which fails
    # from where init ran. They now name the path as typed, quoted for a shell.
    import shlex

    monkeypatch.chdir(tmp_path)
    (tmp_path / "my briefs").mkdir()
    assert main(["init", "my briefs/libya.yaml", "--lang", lang]) == 0
    out = capsys.readouterr().out
    assert out == "briefkit: wrote 'my briefs/libya.yaml'; next: briefkit preview 'my briefs/libya.yaml'\n"
    head = (tmp_path / "my briefs" / "libya.yaml").read_text(encoding="utf-8").splitlines()[:5]
    commands = [line.split("briefkit ", 1)[1] for line in head if "briefkit validate" in line]
    assert commands == ["validate 'my briefs/libya.yaml'"]
    assert main(shlex.split(commands[0])) == 0


def test_init_says_when_it_added_the_suffix(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["init", "gulf"]) == 0
    assert capsys.readouterr().out == ("briefkit: wrote gulf.yaml (.yaml added to the name); next: briefkit preview "
                                       "gulf.yaml\n")
    assert (tmp_path / "gulf.yaml").is_file()
