# Seed coverage: every sentence of the seed plan's chapters must be in content/plan.
#
#   make seed-coverage [SEED=path/to/seed.txt]
#
# Include this file after the Makefile's default target, so that it does not
# become the default goal.

SEED ?= ../shared/seeds/000_9a376039cd44f84e.txt

build/seed_coverage: tests/seed/seed_coverage.c
	@mkdir -p build
	$(CC) -std=c11 -Wall -Wextra -Werror -O2 -o $@ tests/seed/seed_coverage.c

.PHONY: seed-coverage
seed-coverage: build/seed_coverage
	build/seed_coverage $(SEED) content/plan/*.md
