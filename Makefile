# Packaging.  `make dist` builds the one-file executable (dist/vendorci.pyz, for CPython 3.10-3.13) and the
# wheel + sdist, then prints their SHA-256 sums.  It needs only python3 (with its venv module): the build tools
# (pex, build) go into a throwaway virtual environment under build/, never into the system or your venv.
PYTHON ?= python3
TOOLS := build/tools
PEX_VERSION ?= 2.105.2
BUILD_VERSION ?= 1.3.0

.PHONY: dist pyz wheel tools test clean

dist: pyz wheel
	@cd dist && sha256sum vendorci.pyz *.whl *.tar.gz | tee SHA256SUMS

pyz: dist/vendorci.pyz

tools: $(TOOLS)/.ok

$(TOOLS)/.ok:
	rm -rf $(TOOLS)
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install -q --disable-pip-version-check 'pex==$(PEX_VERSION)' 'build==$(BUILD_VERSION)'
	touch $@

dist/vendorci.pyz: $(TOOLS)/.ok tools/build_pyz.py pyproject.toml $(shell find vendorci -type f -not -path '*/__pycache__/*')
	$(TOOLS)/bin/python tools/build_pyz.py --out $@

wheel: $(TOOLS)/.ok
	$(TOOLS)/bin/python -m build --wheel --sdist --outdir dist .

test:
	$(PYTHON) -m pytest -p no:cacheprovider

clean:
	rm -rf dist build *.egg-info
