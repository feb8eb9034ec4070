# sales_kpi - PGXS build.  `make && make install`, then CREATE EXTENSION sales_kpi.
EXTENSION = sales_kpi
MODULE_big = sales_kpi
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c)))
DATA = $(wildcard sql/sales_kpi--*.sql)

# pg_regress pairs sql/<t>.sql -> expected/<t>.out, in this order
REGRESS = setup hit_ratio deal_kpis summary churn clv funnel stage_times hardening errors io parallel catalog
REGRESS_OPTS = --inputdir=.

# Warnings are errors in CI and in test/run_tests.sh (WERROR=1).
PG_CFLAGS += -Wall -Wextra
# PostgreSQL's own headers are not -Wextra clean (sign-compare in ARR_DATA_PTR):
# treat them as system headers so the warnings apply to our code only.
PG_CPPFLAGS += -isystem $(shell $(PG_CONFIG) --includedir-server)
ifdef WERROR
PG_CFLAGS += -Werror
endif

EXTRA_CLEAN = results regression.diffs regression.out

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)
