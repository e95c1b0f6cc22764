# ddbrel: PGXS build of the extension, plus unit tests and fuzzers (test/).
MODULE_big = ddbrel
OBJS = src/ddbrel.o src/option.o src/http.o src/request.o src/sigv4.o \
       src/template.o src/codec_core.o src/codec.o src/planner.o src/scan.o \
       src/import.o src/deparse.o src/modify.o src/join.o src/response_core.o \
       src/limits_core.o

EXTENSION = ddbrel
DATA = sql/ddbrel--0.1.sql
REGRESS_FILES = $(sort $(wildcard sql/[0-9]*.sql))
REGRESS = $(patsubst sql/%.sql,%,$(REGRESS_FILES))

PG_CPPFLAGS = -I$(srcdir)/src -std=gnu99
SHLIB_LINK = -lcurl -lcrypto -lcjson

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

.PHONY: unit fuzz
unit:
	$(MAKE) -C test/unit

fuzz:
	$(MAKE) -C test/fuzz

# every object depends on the shared headers
$(OBJS): src/ddbrel.h src/template.h src/codec_core.h src/sigv4.h src/response_core.h \
	src/limits_core.h
