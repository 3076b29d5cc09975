# plandoc — every target installs what is missing first (Debian packages, .venv, the project).
# Idempotent: a second run only checks stamps.
SHELL := /bin/bash
PY    ?= python3
VENV  := .venv
VPY   := $(VENV)/bin/python
STAMP := .stamps

# Debian packages the pipeline needs at run time (WeasyPrint's Pango/HarfBuzz, CJK fonts, poppler).
DEB_PKGS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fontconfig \
            fonts-noto-cjk poppler-utils

.PHONY: all setup run test bench clean samples
all: run

setup: $(STAMP)/deb $(STAMP)/venv

$(STAMP)/deb: Makefile
	@mkdir -p $(STAMP)
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
	@touch $@

$(STAMP)/venv: pyproject.toml
	@mkdir -p $(STAMP)
	@[ -x $(VPY) ] || $(PY) -m venv $(VENV)
	@$(VPY) -m pip install -q --upgrade pip
	@$(VPY) -m pip install -q -e '.[test]'
	@touch $@

run: setup
	$(VPY) -m pipeline.samples_run samples output

test: setup
	$(VPY) -m pytest -q

bench: setup
	$(VPY) benchmarks/run.py

clean:
	rm -rf $(STAMP) output/*
