# The rule engine's tests, for the top-level Makefile (which links each
# tests/*/*_test.c against the library built from generator/). The rules
# module needs Lua 5.4: $(shell pkg-config --cflags --libs lua5.4).
RULES_TEST_SRC = tests/rules/rules_test.c
