/*
 * Preloaded after libasan into the sanitizer run's postmaster (see
 * test/sanitize/lib.sh, san_layout): built with -z initfirst, so the dynamic
 * loader runs this constructor before any other library's, and its malloc()
 * initialises the ASan runtime before libp11-kit's constructor can do it from
 * inside newlocale(), which deadlocks glibc.
 */
#include <stdlib.h>

__attribute__((constructor)) static void
kpi_asan_init_first(void)
{
	/* volatile: a compiler removes a plain free(malloc(1)) */
	void	   *volatile p = malloc(1);

	free(p);
}
