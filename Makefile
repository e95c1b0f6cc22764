# ddbrel: PGXS build of the extension, plus unit tests and fuzzers (test/).
MODULE_big = ddbrel
OBJS = src/ddbrel.o src/option.o src/http.o src/http_simple.o src/request.o src/sigv4.o \
       src/template.o src/codec_core.o src/codec.o src/codec_out.o src/planner.o src/access.o src/scan.o src/scan_explain.o src/fetch.o \
       src/import.o src/import_lib.o src/import_sql.o src/deparse.o src/deparse_request.o src/modify.o src/join.o src/batchjoin.o src/response_core.o \
       src/catalog.o \
       src/retry_core.o src/capacity.o \
       src/credentials.o src/credentials_fetch.o src/credentials_core.o \
       src/profile_core.o src/endpoint.o \
       src/expr_core.o src/txn.o src/overlay.o src/direct.o \
       src/unique.o src/copies.o \
       src/json_core.o \
       src/limits_core.o src/keyrange_core.o \
       src/parallel.o src/bumpcxt.o

EXTENSION = ddbrel
# The install script is made from sql/src/*.sql, in this order (as pgvector
# makes its own): edit those.  Regress tests are the numbered sql/NN_*.sql
# only, so the sources in sql/src/ are never taken for tests.
SQL_SOURCES = sql/src/core.sql sql/src/catalog.sql sql/src/relationships.sql \
              sql/src/design.sql sql/src/migrate.sql sql/src/copies.sql
DATA_built = sql/ddbrel--0.1.sql
# sql/NN_name.sql, less those marked for another DynamoDB implementation
# than $DDB_BACKEND (see test/regress_tests.sh)
REGRESS = $(shell bash test/regress_tests.sh)

# libxml2 reads STS answers (credentials_core.c)
XML2_CFLAGS := $(shell xml2-config --cflags 2>/dev/null || echo -I/usr/include/libxml2)
XML2_LIBS := $(shell xml2-config --libs 2>/dev/null || echo -lxml2)
PG_CPPFLAGS = -I$(srcdir)/src -std=gnu99 $(XML2_CFLAGS)
SHLIB_LINK = -lcurl -lcrypto -lcjson $(XML2_LIBS)

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

.PHONY: unit fuzz
unit:
	$(MAKE) -C test/unit

fuzz:
	$(MAKE) -C test/fuzz

sql/ddbrel--0.1.sql: $(SQL_SOURCES)
	cat $^ > $@

# every object depends on the shared headers
$(OBJS): src/ddbrel.h src/template.h src/casemap.h src/import.h src/codec_core.h src/sigv4.h src/response_core.h \
         src/retry_core.h src/expr_core.h \
         src/credentials.h src/credentials_core.h src/profile_core.h src/endpoint.h \
         src/json_core.h \
         src/limits_core.h src/keyrange_core.h src/text_hash.h
