# Two entry points for a fresh machine; each creates .venv and installs what it needs first.
#   make repro   run the whole pipeline (dvc repro) on params.yaml
#   make test    lint and run the fast, offline test tier
PYTHON ?= python3.11
VENV := .venv
# GPU=1: TensorFlow with its CUDA libraries (requirements-gpu.lock) in the same venv; CI and
# the default install the CPU build (requirements.lock).
GPU ?=
LOCK := $(if $(GPU),requirements-gpu.lock,requirements.lock)
STAMP := $(VENV)/.installed$(if $(GPU),-gpu)
DVC ?= $(VENV)/bin/dvc
PAPER_PROFILE ?= profiles/paper.yaml
# DVC's stages call `python`, so every recipe finds the environment's tools first.
export PATH := $(abspath $(VENV))/bin:$(PATH)

.PHONY: repro test test-quick test-slow benchmark mlflow-ui clean-venv paper paper-sgan-fm \
	paper-run paper-handover

$(STAMP): $(LOCK) pyproject.toml
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	# the CPU and GPU builds of TensorFlow cannot share the venv: drop the other one
	$(VENV)/bin/pip uninstall --quiet -y $(if $(GPU),tensorflow-cpu,tensorflow) 2>/dev/null; \
		rm -f $(VENV)/.installed$(if $(GPU),,-gpu) $(if $(GPU),$(VENV)/.installed)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r $(LOCK)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

# then the committed long-run results (results/) into the MLflow store, once per store
repro: $(STAMP)
	$(DVC) repro
	$(VENV)/bin/ganbench results log

# Two workers, a test module each at a time (module fixtures are built once): the suite's
# time is mostly processes it starts, which two cores run side by side.
PYTEST_JOBS ?= -n 2 --dist loadfile
test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest -m "not slow" $(PYTEST_JOBS)

# The fast tier without the tests that spawn processes (DVC copies, servers, fresh
# interpreters): a developer's loop of a few minutes.
test-quick: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -m "not slow and not e2e" $(PYTEST_JOBS)

test-slow: $(STAMP)
	$(VENV)/bin/pytest -m slow

benchmark: $(STAMP)
	$(VENV)/bin/python benchmarks/throughput.py

mlflow-ui: $(STAMP)
	$(VENV)/bin/mlflow ui --backend-store-uri sqlite:///$(CURDIR)/mlflow.db --port 5000

clean-venv:
	rm -rf $(VENV)

# The seeds' and SGAN-FM's full schedules as a DVC experiment (about 8 days on 2 cores).
# The overrides are computed first, so that a bad profile stops here instead of running the
# experiment on the default params, and read back through eval, because a list value such
# as `[0, 1, 2]` holds spaces that only its quoting keeps in one argument.
paper: $(STAMP)
	overrides="$$($(VENV)/bin/python -m ganbench.config.profiles $(PAPER_PROFILE))" && \
		eval "$(DVC) exp run -n paper $$overrides"

# SGAN-FM at 100 labels under the paper profile, over seeds 0-2, all three at once;
# resumable (about 10 h on 2 cores). Writes $(PAPER_RUNS)/summary.json.
PAPER_RUNS ?= runs/sgan_fm-paper
paper-sgan-fm: $(STAMP)
	$(DVC) repro prepare
	$(VENV)/bin/python -m ganbench.longrun.repeats run sgan_fm --profile $(PAPER_PROFILE) \
		--seeds 0 1 2 --jobs 3 --workdir $(PAPER_RUNS)

# The paper profile's long runs as one job graph (`ganbench paper run`, docs/long-runs.md):
# every family of profiles/graphs/paper.yaml over its seeds, evaluated as evaluate@<gan> does
# and exported to results/<gan>-paper/, and the paper-profile label study (30 cells, each
# exported to results/study-paper/ as it finishes). Each seed or cell is a task on Ray: on
# this machine's cores, one thread each, niced by Ray; on a cluster with
# PAPER_RUN_ARGS="--address ADDR". Resumable: run it again and every seed and cell continues
# from its last checkpoint (every ~10 min); a finished one is kept, one committed under
# results/ with the same params is taken from there, and a seed handed over in handover/
# resumes from there. Ctrl-C or `kill -TERM <pid>` makes every running task checkpoint first.
PAPER_SEEDS ?= runs/paper
PAPER_RUN_ARGS ?=
paper-run: $(STAMP)
	$(DVC) repro prepare reference
	$(VENV)/bin/ganbench paper run --workdir $(PAPER_SEEDS) $(PAPER_RUN_ARGS)

# Before a session ends: each image family's unfinished seeds scored where it stands into
# results/<gan>-paper/ (a snapshot: metrics, curve so far, latest grid) and its checkpoint
# copied to handover/<gan>-paper/; commit both. A replaced machine (runs/ gone) then resumes
# the seed instead of starting over.
paper-handover: $(STAMP)
	for gan in acgan dcgan wgan; do \
		if ls $(PAPER_SEEDS)/$$gan/seed-*/checkpoints/$$gan/checkpoint.npz >/dev/null 2>&1; then \
			seeds=$$(cd $(PAPER_SEEDS)/$$gan && ls -d seed-* | sed 's/seed-//' | tr '\n' ' ') && \
			$(VENV)/bin/python -m ganbench.longrun.snapshot $$gan --workdir $(PAPER_SEEDS)/$$gan \
				--seeds $$seeds --metric fid --profile $(PAPER_PROFILE) \
				--results results/$$gan-paper && \
			$(VENV)/bin/python -m ganbench.longrun.repeats handover $$gan --seeds $$seeds \
				--workdir $(PAPER_SEEDS)/$$gan --to handover/$$gan-paper || exit 1; \
		fi; \
	done
