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

# Readers of legacy formats (issue 15): LibreOffice converts .doc/.wps/.rtf/.xls/.et (python3-uno keeps a
# converter warm for the watcher); Tesseract (Simplified Chinese) reads scans and photos.
READER_DEB_PKGS := libreoffice-writer-nogui libreoffice-calc-nogui python3-uno tesseract-ocr tesseract-ocr-chi-sim

.PHONY: all setup run test bench clean samples ocr-eval
all: run

setup: $(STAMP)/deb $(STAMP)/venv $(STAMP)/fonts

# Install the Debian packages of $(1) that are missing (apt-get update only when something is).
define apt_ensure
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
endef

$(STAMP)/deb: Makefile
	@mkdir -p $(STAMP)
	$(call apt_ensure,$(DEB_PKGS))
	$(call apt_ensure,$(READER_DEB_PKGS))
	@touch $@

$(STAMP)/venv: pyproject.toml
	@mkdir -p $(STAMP)
	@[ -x $(VPY) ] || $(PY) -m venv $(VENV)
	@$(VPY) -m pip install -q --upgrade pip
	@$(VPY) -m pip install -q -e '.[test]'
	@touch $@

# Open 仿宋/楷体 (FandolFang/FandolKai, GPLv3 + font exception) ship only inside texlive-lang-chinese;
# fetch that .deb without installing TeX and copy the .otf files into the git-ignored fonts/ folder.
FONT_DIR := fonts
FANDOL   := FandolFang-Regular.otf FandolKai-Regular.otf FandolSong-Regular.otf FandolHei-Regular.otf

$(STAMP)/fonts: Makefile
	@mkdir -p $(STAMP) $(FONT_DIR)
	@missing=""; for f in $(FANDOL); do [ -s $(FONT_DIR)/$$f ] || missing="$$missing $$f"; done; \
	if [ -n "$$missing" ]; then \
	  echo "extracting Fandol fonts:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  tmp=$$(mktemp -d); chmod 777 $$tmp; \
	  ( cd $$tmp && apt-get download -qq texlive-lang-chinese 2>/dev/null \
	    || ( $$SUDO apt-get update -qq && apt-get download -qq texlive-lang-chinese ) ) \
	  && dpkg-deb -x $$tmp/texlive-lang-chinese_*.deb $$tmp/x \
	  && cp $$tmp/x/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/Fandol*.otf $(FONT_DIR)/; \
	  status=$$?; rm -rf $$tmp; [ $$status = 0 ] || { echo "无法获取 Fandol 字体（texlive-lang-chinese）"; exit 1; }; \
	fi
	@touch $@

run: setup
	$(VPY) -m pipeline.samples_run samples output
	$(VPY) scripts/demo_folder.py samples output

# The overview page (OUT/index.html) is tested in a real headless browser: Debian's chromium and its
# driver (no browser download at run time), driven by selenium.
BROWSER_DEB_PKGS := chromium chromium-driver

$(STAMP)/deb-browser: Makefile
	@mkdir -p $(STAMP)
	$(call apt_ensure,$(BROWSER_DEB_PKGS))
	@touch $@

# The suite in TEST_WORKERS processes (pytest-xdist), one test file per process at a time (`--dist loadfile`:
# a file's module-scoped watcher and session fixtures are built once). Much of the suite waits on watcher
# subprocesses, so 3 processes on 2 cores measured 5:03 → ~5 min where one process took ~10 min.
TEST_WORKERS ?= 3

test: setup $(STAMP)/deb-browser
	$(VPY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile

bench: setup
	$(VPY) benchmarks/run.py

# Re-create the constructed samples (.docx typed like an office, .pdf printed by LibreOffice) from the
# reference text. Only this target needs LibreOffice; test/run read the committed files.
SAMPLE_DEB_PKGS := libreoffice-writer-nogui

$(STAMP)/deb-samples: Makefile
	@mkdir -p $(STAMP)
	$(call apt_ensure,$(SAMPLE_DEB_PKGS))
	@touch $@

samples: setup $(STAMP)/deb-samples
	$(VPY) scripts/build_samples.py

clean:
	rm -rf $(STAMP) output/*

# Mutation testing (issue 18): mutmut over the core rules, each module against its own tests, on a
# scratch copy. Slow and CPU-bound: not part of `make test`/CI. MUTATE="track/status.py diff/redline.py"
# restricts it to some modules.
MUTATE ?=
$(STAMP)/mutate: pyproject.toml
	@mkdir -p $(STAMP)
	@$(VPY) -m pip install -q -e '.[test,mutate]'
	@touch $@

.PHONY: mutate
mutate: setup $(STAMP)/mutate
	nice $(VPY) scripts/mutate.py $(MUTATE)

# OCR accuracy on many documents (issue 15): scans of rendered real notices, clean and noisy, against
# their text layer. Needs the corpus beside the project; minutes, not part of `make test`/CI.
.PHONY: ocr-eval
ocr-eval: setup
	nice $(VPY) scripts/ocr_eval.py

# .docx layout fidelity (issue 13): tests/test_docx.py converts our .docx with LibreOffice headless and
# compares it with our PDF. Installed before `make test` (an extra prerequisite; the recipe above stays).
DOCX_TEST_DEB_PKGS := libreoffice-writer-nogui

$(STAMP)/deb-docx-test: Makefile
	@mkdir -p $(STAMP)
	$(call apt_ensure,$(DOCX_TEST_DEB_PKGS))
	@touch $@

test: $(STAMP)/deb-docx-test
