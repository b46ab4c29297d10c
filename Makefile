# Packaging.  `make dist` builds the one-file executable and the wheel + sdist.
PYTHON ?= python3

.PHONY: dist pyz wheel test clean

dist: pyz wheel

pyz: dist/vendorci.pyz

dist/vendorci.pyz: pyproject.toml $(shell find vendorci -type f -not -path '*/__pycache__/*')
	mkdir -p dist
	$(PYTHON) -m shiv --compressed --reproducible -c vendorci -p '/usr/bin/env python3' -o $@ .

wheel:
	$(PYTHON) -m build --wheel --sdist --outdir dist .

test:
	$(PYTHON) -m pytest -p no:cacheprovider

clean:
	rm -rf dist build *.egg-info
