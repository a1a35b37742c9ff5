# Two commands do everything on a fresh machine: `make demo` and `make test`.
# Each creates .venv if it is missing, installs kbcheck and its packages into it, makes sure
# Graphviz's `dot` program is there, and then runs.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_CASE := examples/whatsapp-director.yaml
DEMO_SVG  := demo/whatsapp-director.svg

.PHONY: demo test lint bench reliability dot chromium clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

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

# Headless Chromium renders the HTML report in the browser tests (Debian's chromium package).
chromium:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Chromium (apt-get install chromium) for the browser tests"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 || \
	    { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; \
	  else \
	    echo "Chromium is missing, so the browser tests would be skipped. Install it, then run make again:"; \
	    echo "    sudo apt-get install chromium      (Debian, Ubuntu)"; \
	    exit 1; \
	  fi; }

demo: $(STAMP) dot
	$(BIN)/kbcheck assess $(DEMO_CASE)
	@mkdir -p demo
	$(BIN)/kbcheck explain $(DEMO_CASE) offence.mca_s1 -o $(DEMO_SVG)
	@echo "The explanation diagram is in $(DEMO_SVG)"

test: $(STAMP) dot chromium
	$(BIN)/python -m pytest -q
	$(BIN)/kbcheck lint
	$(BIN)/ruff check engine explain cli tests

# The benchmark suite (never part of `make test`): about 6 minutes; `make bench BENCH_ARGS=--quick`
# for a smoke run in under a minute. The peers it compares with are installed here when PyPI has
# them: clipspy, and experta, whose pin frozendict==1.2 cannot be imported on Python 3.10+, so it
# is installed without its dependencies and given frozendict 2 and its other dependency, schema.
BENCH_ARGS ?=

bench: $(STAMP) dot
	@$(BIN)/python -c "import clips" 2>/dev/null || \
	  $(BIN)/python -m pip install --quiet --disable-pip-version-check 'clipspy>=1.0.6' || \
	  echo "clipspy could not be installed: the benchmark runs without it"
	@$(BIN)/python -c "import experta" 2>/dev/null || { \
	  $(BIN)/python -m pip install --quiet --disable-pip-version-check 'frozendict>=2' 'schema==0.6.7' && \
	  $(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps 'experta==1.9.4'; } || \
	  echo "experta could not be installed: the benchmark runs without it"
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# The reliability suite at full scale: 10,000 generated cases through both engines, 100,000
# cases in one process for memory, the law walked day by day on durable_rules, 5,000 hostile
# inputs. It prints its figures at the end (about 15 minutes; make test runs it small).
reliability: $(STAMP) dot
	KBCHECK_RELIABILITY=full $(BIN)/python -m pytest -q -p no:faulthandler tests/reliability

lint: $(STAMP)
	$(BIN)/ruff check engine explain cli tests bench
	$(BIN)/ruff format --check engine explain cli tests bench
	$(BIN)/mypy engine explain cli

clean:
	rm -rf $(VENV) demo .pytest_cache .mypy_cache .ruff_cache .hypothesis
