# sales_kpi - PGXS build.  `make && make install`, then CREATE EXTENSION sales_kpi.
EXTENSION = sales_kpi
MODULE_big = sales_kpi
# The C sources: the shared kernel in src/kpi/, one directory per KPI family
# (src/deals/, src/customers/, src/stages/); see README, "Code map".
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*/*.c)))

# Install scripts.  The version under development (default_version of the
# control file) is built from one source per KPI family, in this order, by
# sql/expand.awk (it generates the overloads per time type); its upgrade
# scripts from sql/update/ the same way.  Released install scripts are kept
# as they were released, in sql/released/.
EXTVERSION := $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" sales_kpi.control)
INSTALL_SOURCES = sql/install/header.sql sql/install/deals.sql sql/install/customers.sql sql/install/stages.sql sql/install/leads.sql sql/install/targets.sql sql/install/models.sql sql/install/revenue.sql sql/install/report.sql sql/install/operators.sql
# files the install and upgrade sources include (-- @include)
INCLUDED_SOURCES = $(wildcard sql/include/*.sql)
UPDATE_SCRIPTS = $(patsubst sql/update/%,sql/%,$(wildcard sql/update/sales_kpi--*.sql))
DATA_built = sql/sales_kpi--$(EXTVERSION).sql $(UPDATE_SCRIPTS)
DATA = $(wildcard sql/released/sales_kpi--*.sql)

# pg_regress pairs sql/<t>.sql -> expected/<t>.out, in this order
REGRESS = setup hit_ratio deal_kpis summary churn clv funnel stage_times hardening issue11_deals issue11_stages issue11_stages2 issue11_equality issue11_report leads leads_followup targets leads_report models models_report revenue revenue_random revenue_cross_sell revenue_report errors io parallel catalog
REGRESS_OPTS = --inputdir=.

# Warnings are errors in CI and in test/run_tests.sh (WERROR=1).
PG_CFLAGS += -Wall -Wextra
# Export only the SQL-callable functions and the module magic (PGDLLEXPORT,
# see src/kpi/compat.h): no other symbol of ours can clash with another library
# loaded into the same backend.  PGXS adds this itself from PostgreSQL 16 on.
PG_CFLAGS += -fvisibility=hidden
# PostgreSQL's own headers are not -Wextra clean (sign-compare in ARR_DATA_PTR):
# treat them as system headers so the warnings apply to our code only.
PG_CPPFLAGS += -isystem $(shell $(PG_CONFIG) --includedir-server)
# Our headers are included by family: "kpi/kpi.h", "stages/stages.h", ...
PG_CPPFLAGS += -I$(srcdir)/src
ifdef WERROR
PG_CFLAGS += -Werror
endif

EXTRA_CLEAN = results regression.diffs regression.out

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

sql/sales_kpi--$(EXTVERSION).sql: sql/expand.awk $(INSTALL_SOURCES) $(INCLUDED_SOURCES) sales_kpi.control
	awk -v version=$(EXTVERSION) -f sql/expand.awk $(INSTALL_SOURCES) > $@.tmp && mv $@.tmp $@
sql/sales_kpi--%.sql: sql/update/sales_kpi--%.sql sql/expand.awk $(INSTALL_SOURCES) $(INCLUDED_SOURCES)
	awk -v version=$(EXTVERSION) -f sql/expand.awk $< > $@.tmp && mv $@.tmp $@

# Every object is rebuilt when a header changes (PGXS tracks header
# dependencies only when PostgreSQL was configured with --enable-depend,
# which Debian's is not; an inline helper moved into a header otherwise
# leaves stale objects that fail to load).
$(OBJS): $(wildcard $(srcdir)/src/*/*.h)
