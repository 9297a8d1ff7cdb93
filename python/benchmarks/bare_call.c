/* Times dam_memory_retrieve of one query over M patterns from C (the "bare C call" that bench.py
   compares Python's overhead against). usage: bare_call M D CALLS; prints microseconds per call. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "denseam.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

int main(int argc, char** argv)
{
    if (argc != 4) return 2;
    int m = atoi(argv[1]), d = atoi(argv[2]), calls = atoi(argv[3]);
    double* p = malloc(sizeof(double) * m * d);
    double* q = malloc(sizeof(double) * d);
    double* x = malloc(sizeof(double) * d);
    unsigned s = 12345;
    for (int i = 0; i < m * d; i++) { s = s * 1103515245u + 12345u; p[i] = (s >> 8) * (1.0 / (1 << 24)); }
    for (int j = 0; j < d; j++) q[j] = p[j] + 0.01;
    dam_memory* mem;
    if (dam_memory_create(p, DAM_FLOAT64, m, d, "epanechnikov", 2.0, 0.0, &mem) != DAM_OK) { puts(dam_last_error()); return 1; }
    for (int i = 0; i < calls / 10; i++) dam_memory_retrieve(mem, q, DAM_FLOAT64, 1, d, NULL, x, NULL, NULL, NULL, NULL);
    double best = 1e9;
    for (int rep = 0; rep < 5; rep++) {
        double t0 = now();
        for (int i = 0; i < calls; i++) dam_memory_retrieve(mem, q, DAM_FLOAT64, 1, d, NULL, x, NULL, NULL, NULL, NULL);
        double us = (now() - t0) / calls * 1e6;
        if (us < best) best = us;
    }
    printf("%.3f\n", best);
    dam_memory_free(mem);
    return 0;
}
