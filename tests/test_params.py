from pathlib import Path

import pytest
import yaml

from ganbench.config import params

REPO = Path(__file__).resolve().parents[1]

VALID = {
    "data": {
        "dataset": "mnist",
        "label_counts": [20, 100],
        "label_seeds": [0, 1],
        "source_dir": None,
    }
}


def with_data(**changes):
    raw = yaml.safe_load(yaml.safe_dump(VALID))
    raw["data"].update(changes)
    return raw


def problems_of(raw):
    with pytest.raises(params.ParamsError) as err:
        params.parse(raw)
    return err.value.problems


def test_valid_params_build_frozen_typed_config():
    config = params.parse(VALID)
    assert config.data.label_counts == (20, 100)
    assert config.data.cache_dir == "data/raw"
    with pytest.raises(AttributeError):
        config.data.dataset = "fashion_mnist"


def test_label_count_message_names_index_and_expectation():
    problems = problems_of(with_data(label_counts=[20, 50, 95]))
    assert problems == [
        "data.label_counts[2]: must be a positive multiple of 10 for balanced sampling, got 95"
    ]


def test_every_bad_field_is_listed_at_once():
    raw = with_data(dataset="cifar", label_counts=[0], label_seeds="zero")
    raw["data"]["batchsize"] = 3
    problems = problems_of(raw)
    assert any(p.startswith("data.batchsize: unknown key") for p in problems)
    assert any(p.startswith("data.dataset: must be one of mnist, fashion_mnist") for p in problems)
    assert any(p.startswith("data.label_counts[0]: must be a positive multiple") for p in problems)
    assert any(p.startswith("data.label_seeds: must be a list") for p in problems)
    assert len(problems) == 4


def test_unknown_top_level_key_is_an_error():
    raw = with_data()
    raw["dataa"] = {}
    assert problems_of(raw)[0].startswith("dataa: unknown key")


def test_missing_required_field():
    raw = with_data()
    del raw["data"]["dataset"]
    assert problems_of(raw) == ["data.dataset: required field is missing"]


def test_wrong_element_type_names_element():
    assert problems_of(with_data(label_counts=[10, "twenty"])) == [
        "data.label_counts[1]: must be an integer, got 'twenty'"
    ]


def test_error_message_is_one_line_with_source(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(with_data(dataset="svhn", label_seeds=[-1])))
    with pytest.raises(params.ParamsError) as err:
        params.load(path)
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: data.dataset")
    assert "data.label_seeds[0]: must be >= 0, got -1" in message


def test_invalid_yaml_is_reported(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text("data: [unclosed\n")
    with pytest.raises(params.ParamsError, match="not valid YAML"):
        params.load(path)


def test_repository_params_file_is_valid():
    params.load(Path(__file__).resolve().parents[1] / "params.yaml")


@pytest.mark.parametrize(
    "profile", sorted((REPO / "profiles").glob("*.yaml")), ids=lambda p: p.name
)
def test_every_profile_applied_to_the_repository_params_is_valid(profile):
    """A profile is a partial params.yaml merged in at run time; a key it adds (a label
    count's iterations, say) must agree with the rest, or its long run dies at the start."""
    from ganbench.config import profiles

    merged = profiles.apply(params.read_mapping(REPO / "params.yaml"), params.read_mapping(profile))
    params.parse(merged, source=str(profile)).study(str(profile))


HEAVY = ("tensorflow", "keras", "sklearn", "matplotlib", "mlflow")


def test_validation_imports_no_heavy_library_in_a_fresh_interpreter():
    """params.load must answer a typo in about a second: no TensorFlow, Keras, scikit-learn,
    matplotlib or MLflow behind it."""
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[1]
    code = (
        "import sys, time\n"
        "began = time.perf_counter()\n"
        "from ganbench.config import params\n"
        f"params.load({str(repo / 'params.yaml')!r})\n"
        "print(time.perf_counter() - began)\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out[1] == "[]", f"params.load imported {out[1]}"
    # the import set is the test; the time is printed for the record, never asserted
    print(f"params.load in a fresh interpreter: {float(out[0]):.2f} s")


def test_a_stage_reports_a_params_typo_before_importing_tensorflow(tmp_path):
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[1]
    broken = tmp_path / "params.yaml"
    broken.write_text(
        (repo / "params.yaml").read_text().replace("  z_dim: 100", "  z_dimm: 100", 1)
    )
    code = (
        "import sys\n"
        "from ganbench.stages.__main__ import main\n"
        "try:\n"
        f"    main(['train', 'sgan', '--params', {str(broken)!r}])\n"
        "except SystemExit as exit:\n"
        f"    print(exit.code, sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "1 []", result.stdout + result.stderr
    assert "z_dimm: unknown key" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
