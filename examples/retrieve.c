/*
 * A minimal C program over libdenseam: two stored patterns xi = -1 and xi = +1 on a line, the LSR
 * energy at beta = 0.9 (support radius sqrt(2/0.9) ~ 1.49 > 1), so the supports overlap and a novel
 * memory emerges at their centroid x = 0. Build and run (after ./build.sh --target Native):
 *
 *   gcc -Iinclude examples/retrieve.c -Lartifacts/native -ldenseam -Wl,-rpath,$PWD/artifacts/native -o retrieve
 *   ./retrieve
 */
#include <stdio.h>

#include "denseam.h"

#define TRY(call) do { if ((call) != DAM_OK) { fprintf(stderr, "%s\n", dam_last_error()); return 1; } } while (0)

int main(void)
{
    const double patterns[2] = {-1.0, 1.0};          /* M = 2 patterns, d = 1 */
    const double queries[3] = {-1.2, 0.2, 0.9};
    double points[3], energies[3];
    int32_t status[3], iterations[3];
    const char* blas;
    dam_memory* memory;

    TRY(dam_blas_describe(&blas));
    printf("libdenseam %s, linear algebra: %s\n", dam_version_string(), blas);
    TRY(dam_memory_create(patterns, DAM_FLOAT64, 2, 1, "epanechnikov", 0.9, 0.0, &memory));
    TRY(dam_memory_energy(memory, queries, DAM_FLOAT64, 3, 1, energies, NULL));

    dam_retrieve_options options;
    TRY(dam_retrieve_options_init(&options));   /* Algorithm 1, the exact fixed point */
    TRY(dam_memory_retrieve(memory, queries, DAM_FLOAT64, 3, 1, &options, points, status, iterations, NULL, NULL));
    for (int i = 0; i < 3; i++)
        printf("query %+.1f: E = %.6f, retrieved %+.17g after %d update(s), status %d\n", queries[i], energies[i], points[i],
               iterations[i], status[i]);
    if (points[1] == 0.0 && status[1] == DAM_STATUS_CONVERGED)
        printf("emergent memory at x = 0 (the centroid of both patterns)\n");

    double beta;
    TRY(dam_beta_for_basin(patterns, DAM_FLOAT64, 2, 1, 0.5, &beta));
    printf("Theorem 1: beta = %.17g gives every query within 0.5 of a pattern a one-step retrieval\n", beta);
    TRY(dam_memory_free(memory));
    return 0;
}
