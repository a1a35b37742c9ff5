# Two commands do everything on a fresh machine: `make demo` and `make test`.
# Each makes sure a C compiler and the Python headers are there (kbcheck builds durable_rules'
# C engine, third_party/durable_rules), creates .venv if it is missing, installs kbcheck and its
# packages into it, makes sure Graphviz's `dot` program is there, and then runs.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_CASE := examples/whatsapp-director.yaml
DEMO_SVG  := demo/whatsapp-director.svg
ENGINE_SOURCES := setup.py $(wildcard third_party/durable_rules/src/*/*.c third_party/durable_rules/src/*/*.h)

.PHONY: demo test engine-test lint bench bench-peers reliability compiler dot chromium pdf-tools clean

# The interpreter the virtualenv is (or will be) made from: its headers are the ones the
# engine is compiled against.
VENV_PYTHON = $$(test -x $(BIN)/python && echo $(BIN)/python || echo $(PYTHON))

$(STAMP): pyproject.toml $(ENGINE_SOURCES)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,dask]'
	@$(BIN)/python -c 'import kbcheck.engine._durable' 2>/dev/null || { \
	  echo "durable_rules' engine could not be built for $$($(BIN)/python -V): kbcheck will use its"; \
	  echo "reference engine. See why with: $(BIN)/python -m pip install -v -e '.[test,dask]'"; }
	@touch $(STAMP)

# A C compiler and the headers of the Python the virtualenv is made from, to build durable_rules'
# C engine. As root on Debian or Ubuntu: apt-get install build-essential python3-dev (the headers
# of Debian's own python3; a Python built from source, pyenv's for one, has its headers already).
compiler:
	@py=$(VENV_PYTHON); \
	inc=$$($$py -c 'import sysconfig; print(sysconfig.get_config_var("INCLUDEPY") or "")') || exit 1; \
	ok() { printf 'int main(void) { return 0; }\n' | cc -x c -o /dev/null - >/dev/null 2>&1 && test -f "$$inc/Python.h"; }; \
	ok || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing a C compiler and the Python headers (apt-get install build-essential python3-dev) for durable_rules' engine"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq build-essential python3-dev >/dev/null 2>&1 || \
	    { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq build-essential python3-dev >/dev/null; }; \
	  fi; \
	  ok || { \
	    echo "durable_rules' engine is compiled when kbcheck is installed, and this machine cannot yet:"; \
	    printf 'int main(void) { return 0; }\n' | cc -x c -o /dev/null - >/dev/null 2>&1 || echo "    no working C compiler (cc)"; \
	    test -f "$$inc/Python.h" || echo "    no Python.h for $$py in $$inc"; \
	    echo "Install them, then run make again:"; \
	    echo "    sudo apt-get install build-essential python3-dev   (Debian, Ubuntu; python3-dev is for Debian's python3)"; \
	    echo "    sudo dnf install gcc python3-devel                 (Fedora)"; \
	    echo "    xcode-select --install                             (macOS)"; \
	    exit 1; }; }; \
	cc --version 2>/dev/null | head -1 | sed 's/^/Using /'

dot:
	@command -v dot >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Graphviz (apt-get install graphviz) for the diagrams"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null 2>&1 || \
	    { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null; }; \
	  else \
	    echo "Graphviz's 'dot' program is missing. Install it, then run make again:"; \
	    echo "    sudo apt-get install graphviz      (Debian, Ubuntu)"; \
	    echo "    brew install graphviz              (macOS)"; \
	    exit 1; \
	  fi; }
	@dot -V 2>&1 | sed 's/^/Using /'

# Headless Chromium renders the HTML report in the browser tests, and ChromeDriver drives it
# through kbcheck serve's page (Debian's chromium and chromium-driver packages).
chromium:
	@{ command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; } && \
	  command -v chromedriver >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Chromium and ChromeDriver (apt-get install chromium chromium-driver) for the browser tests"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1 || \
	    { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }; \
	  else \
	    echo "Chromium or ChromeDriver is missing, and the browser tests need both. Install them, then run make again:"; \
	    echo "    sudo apt-get install chromium chromium-driver      (Debian, Ubuntu)"; \
	    exit 1; \
	  fi; }

# The PDF report: WeasyPrint (a Python package, installed with kbcheck) loads Pango (Debian's
# libpango-1.0-0 and libpangoft2-1.0-0); the tests read the PDF back with poppler-utils' pdftotext.
pdf-tools:
	@{ { ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null; } | grep -q 'libpangoft2-1.0.so.0' && command -v pdftotext >/dev/null 2>&1; } || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Pango and poppler-utils (apt-get install libpango-1.0-0 libpangoft2-1.0-0 poppler-utils) for the PDF report"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 poppler-utils >/dev/null 2>&1 || \
	    { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 poppler-utils >/dev/null; }; \
	  else \
	    echo "Pango (for the PDF report) or pdftotext (for its tests) is missing. Install them, then run make again:"; \
	    echo "    sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 poppler-utils   (Debian, Ubuntu)"; \
	    echo "    brew install pango poppler                                           (macOS)"; \
	    exit 1; \
	  fi; }

demo: compiler $(STAMP) dot
	$(BIN)/kbcheck assess $(DEMO_CASE)
	@mkdir -p demo
	$(BIN)/kbcheck explain $(DEMO_CASE) offence.mca_s1 -o $(DEMO_SVG)
	@echo "The explanation diagram is in $(DEMO_SVG)"

# The suite runs on every core (pytest-xdist): about 3 minutes 15 seconds on two.
test: compiler $(STAMP) dot chromium pdf-tools
	KBCHECK_BROWSER_TESTS=required $(BIN)/python -m pytest -q -n auto
	$(BIN)/kbcheck lint
	$(BIN)/ruff check engine explain cli tests

# The engine's tests on one Python (.ci/run runs them on 3.13 as well as make test's 3.11):
# make engine-test PYTHON=python3.13 VENV=.venv-3.13. The durable engine must be built and used;
# it must agree with the reference engine firing for firing; the adapter's guards (sessions,
# memory, hash collisions, engine limits, poisoned workers); the scenario suite and the
# reported decisions, through pytest (both engines) and through `kbcheck test`; a series of
# communications on both engines, firing for firing.
ENGINE_TESTS := tests/test_durable_build.py tests/test_engines.py tests/reliability/test_differential.py \
	tests/reliability/test_engine_limits.py tests/reliability/test_batch_faults.py \
	tests/test_lint.py::test_durable_rules_counts_sibling_tests_as_the_lint_does \
	tests/test_scenarios.py tests/test_series.py tests/scenarios tests/real

engine-test: compiler $(STAMP)
	@$(BIN)/python -c 'import sys; print("Engine tests on Python", sys.version.split()[0], "in $(VENV)")'
	$(BIN)/python -m pytest -q -p no:faulthandler $(ENGINE_TESTS)
	$(BIN)/kbcheck test tests/scenarios
	$(BIN)/kbcheck test tests/real

# The benchmark suite (never part of `make test`): about 12 minutes on the virtualenv's Python,
# then as long again on Python 3.13 (in .venv-3.13, made here) where there is one, and the two
# runs' headline figures side by side; `make bench BENCH_ARGS=--quick` for a smoke run of about
# two minutes. The peers it compares with are installed when PyPI has them: clipspy, and experta,
# whose pin frozendict==1.2 cannot be imported on Python 3.10+, so it is installed without its
# dependencies and given frozendict 2 and its other dependency, schema.
BENCH_ARGS ?=
BENCH_LATEST = bench/results/latest$(1)$(if $(findstring --quick,$(BENCH_ARGS)),-quick).json

bench: compiler $(STAMP) dot bench-peers
	$(BIN)/python -m bench.run $(BENCH_ARGS)
	@if $(BIN)/python -c 'import sys; sys.exit(sys.version_info[:2] == (3, 13))'; then \
	  if py=$$(.ci/find-python 3.13); then \
	    $(MAKE) --no-print-directory compiler .venv-3.13/.installed bench-peers PYTHON=$$py VENV=.venv-3.13 && \
	    echo ".venv-3.13/bin/python -m bench.run $(BENCH_ARGS) --label py3.13" && \
	    .venv-3.13/bin/python -m bench.run $(BENCH_ARGS) --label py3.13 && echo && \
	    $(BIN)/python -m bench.run --compare $(call BENCH_LATEST,) $(call BENCH_LATEST,-py3.13); \
	  else \
	    echo "No Python 3.13 here (.ci/find-python 3.13): the benchmark ran on $$($(BIN)/python -V) only"; \
	  fi; \
	fi

bench-peers: $(STAMP)
	@$(BIN)/python -c "import clips" 2>/dev/null || \
	  $(BIN)/python -m pip install --quiet --disable-pip-version-check 'clipspy>=1.0.6' || \
	  echo "clipspy could not be installed: the benchmark runs without it"
	@$(BIN)/python -c "import experta" 2>/dev/null || { \
	  $(BIN)/python -m pip install --quiet --disable-pip-version-check 'frozendict>=2' 'schema==0.6.7' && \
	  $(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps 'experta==1.9.4'; } || \
	  echo "experta could not be installed: the benchmark runs without it"

# The reliability suite at full scale: 10,000 generated cases through both engines, 100,000
# cases in one process for memory, the law walked day by day on durable_rules, 5,000 hostile
# inputs. It prints its figures at the end (about 15 minutes; make test runs it small).
reliability: compiler $(STAMP) dot
	KBCHECK_RELIABILITY=full $(BIN)/python -m pytest -q -p no:faulthandler tests/reliability

lint: compiler $(STAMP)
	$(BIN)/ruff check engine explain cli tests bench
	$(BIN)/ruff format --check engine explain cli tests bench
	$(BIN)/mypy engine explain cli

clean:
	rm -rf $(VENV) .venv-3.* demo build engine/*.so .pytest_cache .mypy_cache .ruff_cache .hypothesis
