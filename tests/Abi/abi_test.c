/*
 * The C side of the ABI tests (compiled with gcc by AbiTests.cs):
 *   abi_test bad-input
 *       tries every kind of bad input on every entry point; each must return the expected status and
 *       a dam_last_error() message naming the argument; prints how many cases were tried and exits 0
 *       only if all behaved.
 *   abi_test crosscheck PATTERNS.f64 M D QUERIES.f64 N BETA
 *       runs the same computations as the .NET and Python sides and prints every result as
 *       "key index hex64" lines, so the three can be compared bit for bit.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "denseam.h"

static int tried = 0, failed = 0;

static void expect(int status, int want, const char* needle, const char* what)
{
    tried++;
    const char* msg = dam_last_error();
    if (status != want || (needle && !strstr(msg, needle))) {
        failed++;
        printf("FAIL %s: status %d (want %d), message \"%s\" (want it to name \"%s\")\n", what, status, want, msg,
               needle ? needle : "");
    }
}

static int bad_input(void)
{
    double p[6] = {0, 0, 1, 0, 0, 1};   /* 3 x 2 */
    double q[2] = {0.1, 0.2};
    double out[16];
    int32_t st[4];
    dam_memory* mem = NULL;
    dam_memory* mem2 = NULL;

    int s = dam_memory_create(p, DAM_FLOAT64, 3, 2, "epanechnikov", 1.0, 0.0, &mem);
    if (s != DAM_OK) { printf("setup failed: %s\n", dam_last_error()); return 1; }

    /* null pointers */
    expect(dam_memory_create(NULL, DAM_FLOAT64, 3, 2, "epanechnikov", 1.0, 0.0, &mem2), DAM_E_NULL, "patterns", "create NULL patterns");
    expect(dam_memory_create(p, DAM_FLOAT64, 3, 2, NULL, 1.0, 0.0, &mem2), DAM_E_NULL, "kernel", "create NULL kernel");
    expect(dam_memory_create(p, DAM_FLOAT64, 3, 2, "epanechnikov", 1.0, 0.0, NULL), DAM_E_NULL, "out", "create NULL out");
    expect(dam_memory_energy(mem, NULL, DAM_FLOAT64, 1, 2, out, NULL), DAM_E_NULL, "queries", "energy NULL queries");
    expect(dam_memory_energy(mem, q, DAM_FLOAT64, 1, 2, NULL, NULL), DAM_E_NULL, "energies", "energy NULL energies");
    expect(dam_memory_gradient(mem, q, DAM_FLOAT64, 1, 2, NULL, NULL, NULL, NULL), DAM_E_NULL, "gradients", "gradient NULL out");
    expect(dam_memory_retrieve(mem, q, DAM_FLOAT64, 1, 2, NULL, NULL, st, NULL, NULL, NULL), DAM_E_NULL, "points", "retrieve NULL points");
    expect(dam_retrieve_options_init(NULL), DAM_E_NULL, "options", "options_init NULL");
    expect(dam_beta_for_basin(p, DAM_FLOAT64, 3, 2, 0.1, NULL), DAM_E_NULL, "beta", "basin NULL beta");
    expect(dam_beta_grid(p, DAM_FLOAT64, 3, 2, 0, 0, 4, NULL), DAM_E_NULL, "betas", "grid NULL betas");
    expect(dam_blas_describe(NULL), DAM_E_NULL, "description", "blas NULL");
    expect(dam_kde_create(NULL, DAM_FLOAT64, 3, 2, "epanechnikov", 1.0, NULL), DAM_E_NULL, "out", "kde NULL out");

    /* zero and negative sizes, overflowing products */
    expect(dam_memory_create(p, DAM_FLOAT64, 0, 2, "epanechnikov", 1.0, 0.0, &mem2), DAM_E_ARGUMENT, "m must be > 0", "create m = 0");
    expect(dam_memory_create(p, DAM_FLOAT64, -3, 2, "epanechnikov", 1.0, 0.0, &mem2), DAM_E_ARGUMENT, "m must be > 0", "create m < 0");
    expect(dam_memory_create(p, DAM_FLOAT64, 3, 0, "epanechnikov", 1.0, 0.0, &mem2), DAM_E_ARGUMENT, "d must be > 0", "create d = 0");
    expect(dam_memory_create(p, DAM_FLOAT64, 3, -1, "epanechnikov", 1.0, 0.0, &mem2), DAM_E_ARGUMENT, "d must be > 0", "create d < 0");
    expect(dam_memory_create(p, DAM_FLOAT64, INT64_C(1) << 62, 4, "epanechnikov", 1.0, 0.0, &mem2), DAM_E_ARGUMENT, "overflows", "create m*d overflows int64");
    expect(dam_memory_create(p, DAM_FLOAT64, INT64_C(1) << 20, INT64_C(1) << 20, "epanechnikov", 1.0, 0.0, &mem2), DAM_E_ARGUMENT, "overflows", "create m*d too large");
    expect(dam_memory_energy(mem, q, DAM_FLOAT64, 0, 2, out, NULL), DAM_E_ARGUMENT, "n must be > 0", "energy n = 0");
    expect(dam_memory_retrieve(mem, q, DAM_FLOAT64, -5, 2, NULL, out, st, NULL, NULL, NULL), DAM_E_ARGUMENT, "n must be > 0", "retrieve n < 0");
    expect(dam_memory_retrieve(mem, q, DAM_FLOAT64, INT64_C(1) << 40, 2, NULL, out, st, NULL, NULL, NULL), DAM_E_ARGUMENT, "overflows", "retrieve n*d overflows");
    expect(dam_beta_grid(p, DAM_FLOAT64, 3, 2, 0, 0, 1, out), DAM_E_ARGUMENT, "steps", "grid steps = 1");
    expect(dam_meanshift_fit(p, DAM_FLOAT64, 3, 2, NULL, DAM_FLOAT64, 0, 1.0, -1, 0, NULL), DAM_E_NULL, "out", "meanshift NULL out");

    /* NaN and infinite values */
    double pn[6] = {0, 0, NAN, 0, 0, 1};
    double pi[6] = {0, 0, 1, 0, 0, INFINITY};
    double qn[2] = {0.1, NAN};
    expect(dam_memory_create(pn, DAM_FLOAT64, 3, 2, "epanechnikov", 1.0, 0.0, &mem2), DAM_E_ARGUMENT, "patterns must hold finite", "create NaN pattern");
    expect(dam_memory_create(pi, DAM_FLOAT64, 3, 2, "epanechnikov", 1.0, 0.0, &mem2), DAM_E_ARGUMENT, "row 2, column 1", "create inf pattern");
    expect(dam_memory_energy(mem, qn, DAM_FLOAT64, 1, 2, out, NULL), DAM_E_ARGUMENT, "queries must hold finite", "energy NaN query");
    expect(dam_memory_retrieve(mem, qn, DAM_FLOAT64, 1, 2, NULL, out, st, NULL, NULL, NULL), DAM_E_ARGUMENT, "queries", "retrieve NaN query");
    expect(dam_beta_for_basin(p, DAM_FLOAT64, 3, 2, NAN, out), DAM_E_ARGUMENT, "delta", "basin NaN delta");
    expect(dam_memory_create(p, DAM_FLOAT64, 3, 2, "epanechnikov", NAN, 0.0, &mem2), DAM_E_ARGUMENT, "beta", "create NaN beta");
    expect(dam_memory_create(p, DAM_FLOAT64, 3, 2, "epanechnikov", INFINITY, 0.0, &mem2), DAM_E_ARGUMENT, "beta", "create inf beta");
    expect(dam_memory_create(p, DAM_FLOAT64, 3, 2, "epanechnikov", 1.0, NAN, &mem2), DAM_E_ARGUMENT, "epsilon", "create NaN epsilon");
    expect(dam_meanshift_fit(pn, DAM_FLOAT64, 3, 2, NULL, DAM_FLOAT64, 0, 1.0, 300, 0, (dam_meanshift**)&mem2), DAM_E_ARGUMENT, "X must hold finite", "meanshift NaN");
    expect(dam_kde_create(pi, DAM_FLOAT64, 3, 2, "epanechnikov", 1.0, (dam_kde**)&mem2), DAM_E_ARGUMENT, "X must hold finite", "kde inf");

    /* beta <= 0 and other bad scalars */
    expect(dam_memory_create(p, DAM_FLOAT64, 3, 2, "epanechnikov", 0.0, 0.0, &mem2), DAM_E_ARGUMENT, "beta", "create beta = 0");
    expect(dam_memory_create(p, DAM_FLOAT64, 3, 2, "epanechnikov", -2.0, 0.0, &mem2), DAM_E_ARGUMENT, "beta", "create beta < 0");
    expect(dam_memory_create(p, DAM_FLOAT64, 3, 2, "epanechnikov", 1.0, -1.0, &mem2), DAM_E_ARGUMENT, "epsilon", "create epsilon < 0");
    expect(dam_beta_for_basin(p, DAM_FLOAT64, 3, 2, 5.0, out), DAM_E_ARGUMENT, "delta", "basin delta >= r_min");
    dam_neighbour_beta nb;
    expect(dam_beta_for_neighbours(p, DAM_FLOAT64, 3, 2, -1.0, 0, 0, &nb), DAM_E_ARGUMENT, "target", "neighbours target < 0");
    expect(dam_meanshift_fit(p, DAM_FLOAT64, 3, 2, NULL, DAM_FLOAT64, 0, 0.0, 300, 0, (dam_meanshift**)&mem2), DAM_E_ARGUMENT, "bandwidth", "meanshift bandwidth 0");
    expect(dam_kde_create(p, DAM_FLOAT64, 3, 2, "epanechnikov", -1.0, (dam_kde**)&mem2), DAM_E_ARGUMENT, "bandwidth", "kde bandwidth < 0");
    expect(dam_memory_create(p, 7, 3, 2, "epanechnikov", 1.0, 0.0, &mem2), DAM_E_ARGUMENT, "dtype", "create bad dtype");
    dam_retrieve_options o;
    dam_retrieve_options_init(&o);
    o.method = 9;
    expect(dam_memory_retrieve(mem, q, DAM_FLOAT64, 1, 2, &o, out, st, NULL, NULL, NULL), DAM_E_ARGUMENT, "options.method", "retrieve bad method");
    dam_retrieve_options_init(&o);
    o.struct_size = 8;
    expect(dam_memory_retrieve(mem, q, DAM_FLOAT64, 1, 2, &o, out, st, NULL, NULL, NULL), DAM_E_ARGUMENT, "struct_size", "retrieve bad struct_size");

    /* unknown kernel names */
    expect(dam_memory_create(p, DAM_FLOAT64, 3, 2, "gaussianx", 1.0, 0.0, &mem2), DAM_E_ARGUMENT, "kernel 'gaussianx' is unknown", "create unknown kernel");
    expect(dam_memory_create(p, DAM_FLOAT64, 3, 2, "", 1.0, 0.0, &mem2), DAM_E_ARGUMENT, "kernel", "create empty kernel");
    expect(dam_kde_create(p, DAM_FLOAT64, 3, 2, "triweight", 1.0, (dam_kde**)&mem2), DAM_E_ARGUMENT, "kernel 'triweight' is unknown", "kde unknown kernel");

    /* mismatched dimensions */
    expect(dam_memory_energy(mem, q, DAM_FLOAT64, 1, 3, out, NULL), DAM_E_ARGUMENT, "d = 3", "energy d mismatch");
    expect(dam_memory_gradient(mem, q, DAM_FLOAT64, 2, 1, out, NULL, NULL, NULL), DAM_E_ARGUMENT, "d = 1", "gradient d mismatch");
    expect(dam_memory_retrieve(mem, q, DAM_FLOAT64, 1, 4, NULL, out, st, NULL, NULL, NULL), DAM_E_ARGUMENT, "dimension d = 2", "retrieve d mismatch");

    /* handles: NULL, bogus, wrong type, freed, double free */
    expect(dam_memory_energy(NULL, q, DAM_FLOAT64, 1, 2, out, NULL), DAM_E_HANDLE, "memory is NULL", "energy NULL handle");
    expect(dam_memory_energy((dam_memory*)(uintptr_t)0x12345, q, DAM_FLOAT64, 1, 2, out, NULL), DAM_E_HANDLE, "not a handle issued", "energy bogus handle");
    expect(dam_memory_energy((dam_memory*)out, q, DAM_FLOAT64, 1, 2, out, NULL), DAM_E_HANDLE, "memory", "energy stack pointer as handle");
    dam_kde* kde = NULL;
    if (dam_kde_create(p, DAM_FLOAT64, 3, 2, "epanechnikov", 1.0, &kde) != DAM_OK) { printf("kde setup failed\n"); return 1; }
    expect(dam_memory_energy((dam_memory*)kde, q, DAM_FLOAT64, 1, 2, out, NULL), DAM_E_HANDLE, "not a dam_memory handle", "energy kde handle");
    expect(dam_kde_free(kde), DAM_OK, NULL, "kde free");
    expect(dam_kde_score_samples(kde, q, DAM_FLOAT64, 1, 2, 0, out), DAM_E_HANDLE, "freed", "kde use after free");
    expect(dam_memory_free(mem), DAM_OK, NULL, "memory free");
    expect(dam_memory_energy(mem, q, DAM_FLOAT64, 1, 2, out, NULL), DAM_E_HANDLE, "freed", "energy freed handle");
    expect(dam_memory_retrieve(mem, q, DAM_FLOAT64, 1, 2, NULL, out, st, NULL, NULL, NULL), DAM_E_HANDLE, "freed", "retrieve freed handle");
    expect(dam_memory_free(mem), DAM_E_HANDLE, "freed", "double free");
    /* a new memory reuses the slot; the stale handle must still be refused */
    if (dam_memory_create(p, DAM_FLOAT64, 3, 2, "epanechnikov", 1.0, 0.0, &mem2) != DAM_OK) { printf("setup 2 failed\n"); return 1; }
    expect(dam_memory_energy(mem, q, DAM_FLOAT64, 1, 2, out, NULL), DAM_E_HANDLE, "freed", "stale handle after slot reuse");
    expect(dam_memory_energy(mem2, q, DAM_FLOAT64, 1, 2, out, NULL), DAM_OK, NULL, "fresh handle works");
    expect(dam_memory_free(mem2), DAM_OK, NULL, "free 2");
    expect(dam_memory_free(NULL), DAM_OK, NULL, "free NULL");

    /* enumeration: NULL out, bad struct, non-LSR kernel, duplicates, freed result */
    dam_memory* lsr = NULL;
    dam_memory* gauss = NULL;
    dam_enumeration* en = NULL;
    if (dam_memory_create(p, DAM_FLOAT64, 3, 2, "lsr", 1.0, 0.0, &lsr) != DAM_OK) { printf("setup 3 failed\n"); return 1; }
    if (dam_memory_create(p, DAM_FLOAT64, 3, 2, "gaussian", 1.0, 0.0, &gauss) != DAM_OK) { printf("setup 4 failed\n"); return 1; }
    expect(dam_memory_enumerate(lsr, NULL, NULL), DAM_E_NULL, "out is NULL", "enumerate NULL out");
    dam_enumerate_options eo;
    dam_enumerate_options_init(&eo);
    eo.struct_size = 3;
    expect(dam_memory_enumerate(lsr, &eo, &en), DAM_E_ARGUMENT, "struct_size", "enumerate bad struct_size");
    dam_enumerate_options_init(&eo);
    eo.max_seconds = NAN;
    expect(dam_memory_enumerate(lsr, &eo, &en), DAM_E_ARGUMENT, "max_seconds", "enumerate NaN budget");
    expect(dam_memory_enumerate(gauss, NULL, &en), DAM_E_ARGUMENT, "epanechnikov", "enumerate gaussian kernel");
    expect(dam_memory_enumerate_each(lsr, NULL, NULL, NULL, NULL), DAM_E_NULL, "callback is NULL", "enumerate_each NULL callback");
    dam_emergence_report er;
    expect(dam_memory_emergence_report(lsr, NULL, NULL), DAM_E_NULL, "report is NULL", "emergence NULL report");
    dam_emergence_options go;
    dam_emergence_options_init(&go);
    go.novel_distance = -1;
    expect(dam_memory_emergence_report(lsr, &go, &er), DAM_E_ARGUMENT, "novel_distance", "emergence negative novel distance");
    expect(dam_memory_enumerate(lsr, NULL, &en), DAM_OK, NULL, "enumerate");
    dam_enumeration_summary es;
    int64_t offs[1];
    expect(dam_enumeration_members(en, offs, 1, NULL, 0), DAM_E_ARGUMENT, "offsets_capacity", "members too small");
    expect(dam_enumeration_free(en), DAM_OK, NULL, "enumeration free");
    expect(dam_enumeration_summarize(en, &es), DAM_E_HANDLE, "freed", "summary after free");
    expect(dam_enumeration_summarize((dam_enumeration*)lsr, &es), DAM_E_HANDLE, "not a dam_enumeration handle", "summary of a memory handle");
    double dup[4] = {1, 1, 1, 1};
    dam_memory* dm = NULL;
    if (dam_memory_create(dup, DAM_FLOAT64, 2, 2, "lsr", 1.0, 0.0, &dm) != DAM_OK) { printf("setup 5 failed\n"); return 1; }
    expect(dam_memory_enumerate(dm, NULL, &en), DAM_E_ARGUMENT, "duplicate", "enumerate duplicate patterns");
    dam_memory_free(dm);
    dam_memory_free(lsr);
    dam_memory_free(gauss);

    /* every allocation paired with its free */
    tried++;
    if (dam_handles_live() != 0) { failed++; printf("FAIL leak: %" PRId64 " handles live\n", dam_handles_live()); }

    printf("C bad-input cases tried: %d, failed: %d\n", tried, failed);
    return failed == 0 ? 0 : 1;
}

static double* read_f64(const char* path, int64_t count)
{
    FILE* f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    double* a = malloc(sizeof(double) * (size_t)count);
    if (fread(a, sizeof(double), (size_t)count, f) != (size_t)count) { fprintf(stderr, "short read %s\n", path); exit(2); }
    fclose(f);
    return a;
}

static void put(const char* key, int64_t i, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    printf("%s %" PRId64 " %016" PRIx64 "\n", key, i, bits);
}

#define CHECK(call) do { int s_ = (call); if (s_ != DAM_OK) { fprintf(stderr, "%s -> %d: %s\n", #call, s_, dam_last_error()); return 3; } } while (0)

static int crosscheck(int argc, char** argv)
{
    if (argc != 8) { fprintf(stderr, "usage: abi_test crosscheck P.f64 M D Q.f64 N BETA\n"); return 2; }
    int64_t m = atoll(argv[3]), d = atoll(argv[4]), n = atoll(argv[6]);
    double beta = atof(argv[7]);
    double* p = read_f64(argv[2], m * d);
    double* q = read_f64(argv[5], n * d);
    double* pts = malloc(sizeof(double) * (size_t)(n * d));
    double* e = malloc(sizeof(double) * (size_t)n);
    int32_t* st = malloc(sizeof(int32_t) * (size_t)n);
    int32_t* it = malloc(sizeof(int32_t) * (size_t)n);
    dam_memory* mem;
    CHECK(dam_memory_create(p, DAM_FLOAT64, m, d, "epanechnikov", beta, 0.0, &mem));

    static const char* names[] = {"fixed-point", "single-step", "gradient"};
    for (int method = 0; method < 3; method++) {
        dam_retrieve_options o;
        CHECK(dam_retrieve_options_init(&o));
        o.method = method == 0 ? DAM_METHOD_FIXED_POINT : method == 1 ? DAM_METHOD_SINGLE_STEP : DAM_METHOD_GRADIENT;
        o.max_iterations = method == 2 ? 200 : 1000;
        o.rate = 0.05;
        CHECK(dam_memory_retrieve(mem, q, DAM_FLOAT64, n, d, &o, pts, st, it, NULL, NULL));
        for (int64_t i = 0; i < n * d; i++) put(names[method], i, pts[i]);
        for (int64_t i = 0; i < n; i++) printf("%s-status %" PRId64 " %d %d\n", names[method], i, st[i], it[i]);
    }
    CHECK(dam_memory_energy(mem, q, DAM_FLOAT64, n, d, e, NULL));
    for (int64_t i = 0; i < n; i++) put("energy", i, e[i]);
    CHECK(dam_memory_gradient(mem, q, DAM_FLOAT64, n, d, pts, NULL, NULL, NULL));
    for (int64_t i = 0; i < n * d; i++) put("gradient", i, pts[i]);

    double b;
    CHECK(dam_patterns_min_distance(p, DAM_FLOAT64, m, d, &b));
    put("r_min", 0, b);
    CHECK(dam_beta_for_basin(p, DAM_FLOAT64, m, d, 0.25 * b, &b));
    put("beta_basin", 0, b);
    dam_neighbour_beta nb;
    CHECK(dam_beta_for_neighbours(p, DAM_FLOAT64, m, d, 3.0, 0, 0, &nb));
    put("beta_neighbours", 0, nb.beta);
    double grid[7];
    CHECK(dam_beta_grid(p, DAM_FLOAT64, m, d, DAM_GRID_LINEAR, DAM_UPPER_AUTHORS, 7, grid));
    for (int i = 0; i < 7; i++) put("grid_linear", i, grid[i]);
    CHECK(dam_beta_grid(p, DAM_FLOAT64, m, d, DAM_GRID_GEOMETRIC, DAM_UPPER_AUTHORS, 7, grid));
    for (int i = 0; i < 7; i++) put("grid_geometric", i, grid[i]);
    /* the memory set: members and points, in search order */
    dam_enumeration* en;
    CHECK(dam_memory_enumerate(mem, NULL, &en));
    dam_enumeration_summary sum;
    CHECK(dam_enumeration_summarize(en, &sum));
    int64_t* off = malloc(sizeof(int64_t) * (size_t)(sum.kept + 1));
    int32_t* ids = malloc(sizeof(int32_t) * (size_t)(sum.members_total + 1));
    double* mp = malloc(sizeof(double) * (size_t)(sum.kept * d + 1));
    CHECK(dam_enumeration_members(en, off, sum.kept + 1, ids, sum.members_total + 1));
    CHECK(dam_enumeration_points(en, mp, sum.kept * d + 1));
    printf("memories %" PRId64 " %" PRId64 " %" PRId64 " %d\n", sum.count, sum.stored_preserved, sum.novel, sum.complete);
    for (int64_t i = 0; i < sum.kept; i++) {
        printf("members %" PRId64, i);
        for (int64_t k = off[i]; k < off[i + 1]; k++) printf(" %d", ids[k]);
        printf("\n");
    }
    for (int64_t i = 0; i < sum.kept * d; i++) put("memory_point", i, mp[i]);
    CHECK(dam_enumeration_free(en));
    free(off); free(ids); free(mp);
    CHECK(dam_memory_free(mem));
    free(p); free(q); free(pts); free(e); free(st); free(it);
    return dam_handles_live() == 0 ? 0 : 4;
}

int main(int argc, char** argv)
{
    if (argc >= 2 && strcmp(argv[1], "bad-input") == 0) return bad_input();
    if (argc >= 2 && strcmp(argv[1], "crosscheck") == 0) return crosscheck(argc, argv);
    fprintf(stderr, "usage: abi_test bad-input | crosscheck P.f64 M D Q.f64 N BETA\n");
    return 2;
}
