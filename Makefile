# jiuzhu — two commands: `make demo` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DEMO_ENV := JIUZHU_ENV=development JIUZHU_DATA_DIR=$(CURDIR)/var/demo \
	JIUZHU_KEY_FILE=$${JIUZHU_KEY_FILE:-$$HOME/.local/share/jiuzhu/demo-keys.json} \
	JIUZHU_TASKS_IMMEDIATE=false
PG_URL ?= postgres://postgres@127.0.0.1:5432/jiuzhu
PYTEST_ARGS ?=

.PHONY: demo test lint typecheck test-sqlite test-postgres bench bench-screening install install-dev cjk-font clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check 'setuptools==80.9.0'

# xstatic-bootstrap is an sdist whose setup.py needs pkg_resources: build without isolation.
$(VENV)/.runtime: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --disable-pip-version-check --no-build-isolation --require-hashes -r requirements.lock
	$(BIN)/pip install -q --disable-pip-version-check --no-build-isolation --no-deps -e .
	touch $@

$(VENV)/.dev: requirements-dev.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --disable-pip-version-check --no-build-isolation --require-hashes -r requirements-dev.lock
	$(BIN)/pip install -q --disable-pip-version-check --no-build-isolation --no-deps -e .
	touch $@ $(VENV)/.runtime

install: $(VENV)/.runtime cjk-font
install-dev: $(VENV)/.dev cjk-font

# PDF documents (公示, 审批表 …) embed a Chinese TrueType font from Debian's packages.
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
cjk-font:
	@[ -f $(CJK_FONT) ] || ! command -v apt-get >/dev/null || [ "$$(id -u)" != 0 ] || \
		(DEBIAN_FRONTEND=noninteractive apt-get install -y -q fonts-wqy-microhei >/dev/null 2>&1 || \
		 (apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q fonts-wqy-microhei >/dev/null))
	@[ -f $(CJK_FONT) ] || echo "提示：未安装中文字体 fonts-wqy-microhei，PDF 文书将无法生成（apt-get install fonts-wqy-microhei）"

demo: install
	@$(DEMO_ENV) $(BIN)/python -m jiuzhu.protection.keyfile ensure "$${JIUZHU_KEY_FILE:-$$HOME/.local/share/jiuzhu/demo-keys.json}" >/dev/null 2>&1 || \
		$(DEMO_ENV) $(BIN)/python -m jiuzhu.protection.keyfile init "$${JIUZHU_KEY_FILE:-$$HOME/.local/share/jiuzhu/demo-keys.json}"
	@mkdir -p var/demo
	$(DEMO_ENV) $(BIN)/jiuzhu migrate --no-input -v 0
	$(DEMO_ENV) $(BIN)/jiuzhu seed_demo
	@$(DEMO_ENV) $(BIN)/jiuzhu db_worker >var/demo/worker.log 2>&1 & echo $$! > var/demo/worker.pid; \
		trap 'kill $$(cat var/demo/worker.pid) 2>/dev/null' EXIT INT TERM; \
		$(DEMO_ENV) $(BIN)/jiuzhu runserver 127.0.0.1:8000

lint: install-dev
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/lint-imports

# mypy's Django plugin loads the settings, which need a key file: a throw-away one in the venv.
typecheck: install-dev
	@[ -f $(VENV)/typecheck-keys.json ] || $(BIN)/python -m jiuzhu.protection.keyfile init $(VENV)/typecheck-keys.json >/dev/null
	JIUZHU_ENV=test JIUZHU_KEY_FILE=$(VENV)/typecheck-keys.json JIUZHU_DATA_DIR=$(CURDIR)/var/typecheck $(BIN)/mypy

test-sqlite: install-dev
	$(BIN)/pytest $(PYTEST_ARGS)

# Runs when PostgreSQL answers; JIUZHU_REQUIRE_POSTGRES=1 (set by .ci/run) makes it mandatory.
# tests/domain and tests/screening import no Django (import-linter contract domain-tests-are-pure),
# so no database can change their outcome: they run once, in the SQLite run.
PURE_SUITES := --ignore=tests/domain --ignore=tests/screening
test-postgres: install-dev
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_URL)'.rsplit('/',1)[0]+'/postgres', connect_timeout=3).close()" 2>/dev/null; then \
		DATABASE_URL=$(PG_URL) $(BIN)/pytest $(PURE_SUITES) $(PYTEST_ARGS); \
	elif [ "$${JIUZHU_REQUIRE_POSTGRES:-0}" = "1" ]; then \
		echo "PostgreSQL ($(PG_URL)) 不可达，CI 要求在 PostgreSQL 上运行测试"; exit 1; \
	else \
		echo "跳过 PostgreSQL 测试：$(PG_URL) 不可达（设置 PG_URL 或启动 PostgreSQL）"; \
	fi

test: lint typecheck test-sqlite test-postgres

bench: install-dev
	$(BIN)/python -m tests.benchmarks.roster_import

# Import + screening at SCALE (1 = 100,000 households, 13.6M extract rows) against the
# hand-written DuckDB script and the pandas script; RUNS runs each, medians reported.
SCALE ?= 1
RUNS ?= 3
bench-screening: install-dev
	$(BIN)/python -m tests.benchmarks.screening --scale $(SCALE) --runs $(RUNS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
