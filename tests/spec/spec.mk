# Included by the top-level Makefile, which links these against the library.
MUSTACHE_SPEC_SRC = tests/spec/mustache_spec.c
TEMPLATE_TEST_SRC = tests/spec/template_test.c
