# The two commands of the quick start: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
OUT    := out

.PHONY: demo test bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "orbitview needs Python 3.11 or newer (set PYTHON=python3.x)")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,notebook]'
	@touch $(STAMP)

# The Progress MS-10 reconstruction: its timeline, the video clock, stills at the published
# moments and the 90-second time-lapse (1280x720, 30 fps), all under $(OUT)/ (rewritten each run).
KEYFRAMES := booster_separation,core_separation,spacecraft_separation,core_stage_heating

demo: $(STAMP)
	@mkdir -p $(OUT)
	$(VENV)/bin/orbitview events progress-ms10
	$(VENV)/bin/orbitview fit-video progress-ms10
	$(VENV)/bin/orbitview render progress-ms10 --event $(KEYFRAMES) --size 1280x720 --out '$(OUT)/progress-ms10-{event}.png' --force
	$(VENV)/bin/orbitview render progress-ms10 --size 1280x720 --fps 30 --out $(OUT)/progress-ms10.mp4 --force

test: $(STAMP)
	$(PY) -m pytest -q -n 2

bench: $(STAMP)
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .hypothesis
