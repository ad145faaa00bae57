import errno
import os

import pytest

from ganbench.plumbing import atomic


def test_failed_write_leaves_previous_file_and_no_temp(tmp_path):
    target = tmp_path / "metrics.json"
    atomic.write_json(target, {"fid": 1.0})

    def broken(tmp):
        tmp.write_text('{"fid": ')
        raise OSError(28, "No space left on device")

    with pytest.raises(atomic.OutputError, match=r"metrics\.json: cannot write"):
        atomic.write_with(target, broken)
    assert target.read_text() == '{\n  "fid": 1.0\n}\n'
    assert os.listdir(tmp_path) == ["metrics.json"]


def test_staged_dir_replaces_whole_directory_only_on_success(tmp_path):
    target = tmp_path / "prepared"
    with atomic.staged_dir(target) as staging:
        (staging / "a.txt").write_text("one")
    with pytest.raises(RuntimeError), atomic.staged_dir(target) as staging:
        (staging / "b.txt").write_text("half")
        raise RuntimeError("interrupted")
    assert sorted(os.listdir(tmp_path)) == ["prepared"]
    assert os.listdir(target) == ["a.txt"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_unwritable_directory_names_destination(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    with pytest.raises(atomic.OutputError, match=r"locked/out\.json: cannot write"):
        atomic.write_json(locked / "out.json", {})


def test_destination_under_a_file_names_destination(tmp_path):
    blocker = tmp_path / "models"
    blocker.write_text("not a directory")
    with pytest.raises(atomic.OutputError, match=r"models/out\.json: cannot write"):
        atomic.write_json(blocker / "out.json", {})


def test_full_disk_inside_staged_dir_names_destination_and_keeps_previous(tmp_path):
    target = tmp_path / "models"
    with atomic.staged_dir(target) as staging:
        (staging / "generator.keras").write_text("complete")
    no_space = r"models: cannot write \(No space left"
    with pytest.raises(atomic.OutputError, match=no_space), atomic.staged_dir(target) as staging:
        (staging / "generator.keras").write_text("trunc")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    assert (target / "generator.keras").read_text() == "complete"
    assert sorted(os.listdir(tmp_path)) == ["models"]


def test_other_os_errors_inside_staged_dir_keep_their_own_message(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"input\.npz"), atomic.staged_dir(tmp_path / "o"):
        raise FileNotFoundError(errno.ENOENT, "missing", "input.npz")
    assert os.listdir(tmp_path) == []


def test_ensure_writable_creates_the_directory_and_leaves_no_probe(tmp_path):
    atomic.ensure_writable(tmp_path / "metrics" / "train")
    assert os.listdir(tmp_path / "metrics" / "train") == []
    blocker = tmp_path / "plots"
    blocker.write_text("a file")
    with pytest.raises(atomic.OutputError, match=r"plots: cannot write \(exists and is not a"):
        atomic.ensure_writable(blocker)
