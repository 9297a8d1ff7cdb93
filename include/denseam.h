/*
 * denseam.h: the C ABI of the DenseAM Toolkit (libdenseam.so, built with NativeAOT by
 * `./build.sh --target Native`, which leaves it in artifacts/native/).
 *
 * Dense Associative Memories with the Epanechnikov (log-sum-ReLU, LSR) energy
 *   E(x) = -(1/beta) * log(epsilon + sum_mu K((beta/2) * |x - xi_mu|^2))
 * and seven other kernels; retrieval (Algorithm 1 fixed point, gradient descent, Theorem 1's single
 * step); choice of beta (Theorem 1, Algorithm 2, grids); and two scikit-learn-style estimators
 * (flat-kernel mean shift, kernel density).
 *
 * Conventions
 *  - Every function named dam_<object>_<verb> returns an int status: DAM_OK (0) or one of the DAM_E_*
 *    codes below. On failure dam_last_error() returns a message that names the function, the argument
 *    and the bad value. No C++ or .NET exception ever crosses this boundary.
 *  - dam_last_error() is thread-local: the message of the calling thread's most recent failure, owned
 *    by the library, valid until that thread's next failing call. It is not cleared by successful calls.
 *  - Arrays are dense, row-major (C order). Input arrays are float64 (DAM_FLOAT64) or float32
 *    (DAM_FLOAT32, widened exactly to float64); outputs are float64 unless stated. Sizes are int64_t:
 *    rows n >= 1, columns d >= 1, and n*d must fit in one array (at most 2^31 - 57 values); a size
 *    that is zero, negative or whose product overflows is DAM_E_ARGUMENT. Output arrays are supplied
 *    by the caller with the sizes stated; outputs documented as "may be NULL" are then skipped.
 *  - Every coordinate passed in must be finite (NaN or +-inf is DAM_E_ARGUMENT naming row and column).
 *  - Objects are opaque handles; each dam_X_create/fit has its dam_X_free. A handle is a token checked
 *    against a handle table, not a pointer: a NULL handle, a freed handle (also a double free), a value
 *    the library never issued, and a handle of another object type are all detected (DAM_E_HANDLE).
 *    Not detected: a forged value that equals a live token, and use after a slot has been reused
 *    2^32 times. dam_X_free(NULL) is a no-op returning DAM_OK.
 *  - Not detected either (C cannot tell): a non-NULL pointer to too little memory, a dangling pointer,
 *    or a kernel name that is not NUL-terminated.
 *  - Handles are immutable after creation and safe to use from several threads at once. Batch
 *    functions run in parallel; their results do not depend on the number of threads.
 *  - Strings returned (version, BLAS description, kernel names) are owned by the library and live as
 *    long as the process; never free them.
 *  - The library is compiled for x86-64-v3 (AVX2, FMA) on linux-x64, so its SIMD sums use the same
 *    vector width as the .NET API on such machines: results are bit-identical to the managed library.
 */
#ifndef DENSEAM_H
#define DENSEAM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- status codes ---------------------------------------------------------------------------- */
#define DAM_OK          0 /* success */
#define DAM_E_NULL      1 /* a required pointer argument was NULL */
#define DAM_E_ARGUMENT  2 /* bad value: size <= 0 or overflowing, NaN/inf, beta <= 0, unknown name, mismatched d */
#define DAM_E_HANDLE    3 /* NULL, freed, never-issued, or wrong-type handle */
#define DAM_E_NOMEM     4 /* out of memory */
#define DAM_E_FAILED    5 /* the computation is undefined for these inputs (e.g. no mean-shift seed had a neighbour) */
#define DAM_E_INTERNAL  6 /* unexpected internal error (a bug: please report the message) */

/* ---- element types --------------------------------------------------------------------------- */
#define DAM_FLOAT64 1
#define DAM_FLOAT32 2

/* ---- library ---------------------------------------------------------------------------------- */
const char* dam_last_error(void);
void dam_clear_error(void);
const char* dam_version_string(void);                          /* "major.minor.patch" */
int dam_version_get(int32_t* major, int32_t* minor, int32_t* patch);   /* any may be NULL */
/* One line naming the linear-algebra provider the core uses (e.g. "managed (...)"). */
int dam_blas_describe(const char** description);
/* Handles currently allocated by this process (every create/fit not yet freed): for leak checks. */
int64_t dam_handles_live(void);

/* ---- memory: stored patterns + kernel + beta + epsilon --------------------------------------- */
typedef struct dam_memory dam_memory;   /* opaque */

/* Stores m x d patterns. kernel: "epanechnikov" (alias "lsr"), "gaussian" ("lse"), "uniform",
   "triangle", "quartic" ("biweight"), "triweight", "tricube", "cosine" (case-insensitive).
   beta > 0 finite, epsilon >= 0 finite. */
int dam_memory_create(const void* patterns, int32_t dtype, int64_t m, int64_t d,
                      const char* kernel, double beta, double epsilon, dam_memory** out);
int dam_memory_free(dam_memory* memory);
/* M, d, beta, epsilon and the canonical kernel name; each output may be NULL. */
int dam_memory_info(const dam_memory* memory, int64_t* m, int64_t* d, double* beta,
                    double* epsilon, const char** kernel);

/* E(x) for n queries (n x d, d must equal the memory's): energies[n] (+inf where unsupported),
   support_sizes[n] = |B(x)| (may be NULL). */
int dam_memory_energy(const dam_memory* memory, const void* queries, int32_t dtype, int64_t n,
                      int64_t d, double* energies, int32_t* support_sizes);

/* grad E(x) for n queries into gradients[n*d] (zeros where unsupported); supported[n] (1/0),
   support_sizes[n], norms[n] may each be NULL. */
int dam_memory_gradient(const dam_memory* memory, const void* queries, int32_t dtype, int64_t n,
                        int64_t d, double* gradients, int32_t* supported, int32_t* support_sizes,
                        double* norms);

/* ---- retrieval -------------------------------------------------------------------------------- */
#define DAM_METHOD_FIXED_POINT 0   /* Algorithm 1: S <- B(z); z <- mean(S) until S repeats (LSR only) */
#define DAM_METHOD_GRADIENT    1   /* gradient descent x <- x - alpha_t grad E(x) (any kernel) */
#define DAM_METHOD_SINGLE_STEP 2   /* Theorem 1: one step x - Z(x) grad E(x) (LSR only) */

#define DAM_SCHEDULE_CONSTANT 0    /* alpha_t = rate */
#define DAM_SCHEDULE_COSINE   1    /* alpha_t = rate*(a + (1-a)*(1 + cos(pi*min(t,T)/T))/2) */

#define DAM_STATUS_CONVERGED     0
#define DAM_STATUS_NOT_CONVERGED 1
#define DAM_STATUS_UNSUPPORTED   2 /* left every support with epsilon = 0: energy +inf */

typedef struct dam_retrieve_options {
    uint32_t struct_size;   /* sizeof(dam_retrieve_options); set by dam_retrieve_options_init */
    int32_t method;         /* DAM_METHOD_*; default fixed point */
    int32_t max_iterations; /* > 0; default 1000 */
    int32_t schedule;       /* DAM_SCHEDULE_*; default constant */
    double rate;            /* alpha (constant) or alpha_0 (cosine); default 0.01 */
    double final_fraction;  /* cosine a in [0, 1]; default 0.001 */
    int32_t decay_steps;    /* cosine T > 0; default 1000 */
    int32_t early_stop;     /* non-zero: stop once |grad E| < tolerance; default 1 */
    double tolerance;       /* default 1e-8 */
    int32_t max_threads;    /* <= 0: all cores (results do not depend on it); default 0 */
    int32_t reserved;       /* 0 */
} dam_retrieve_options;

int dam_retrieve_options_init(dam_retrieve_options* options);

/* Retrieves n queries (n x d) into points[n*d] (float64). options may be NULL (defaults).
   Per query (each may be NULL): status[n] (DAM_STATUS_*), iterations[n], support_sizes[n] = |B|
   at the returned point, gradient_norms[n] (NaN when unsupported). */
int dam_memory_retrieve(const dam_memory* memory, const void* queries, int32_t dtype, int64_t n,
                        int64_t d, const dam_retrieve_options* options, double* points,
                        int32_t* status, int32_t* iterations, int32_t* support_sizes,
                        double* gradient_norms);

/* ---- choosing beta (patterns m x d, m >= 2, no duplicate rows) ------------------------------- */
int dam_patterns_min_distance(const void* patterns, int32_t dtype, int64_t m, int64_t d, double* r_min);
/* Theorem 1: beta = 2/(r_min - delta)^2 for 0 < delta < r_min. */
int dam_beta_for_basin(const void* patterns, int32_t dtype, int64_t m, int64_t d, double delta,
                       double* beta);

typedef struct dam_neighbour_beta {
    double beta;                 /* 2/r^2 */
    double radius;               /* r */
    double min_pairwise_distance;/* r_min */
    double average_neighbours;   /* K' at r */
    int32_t iterations;          /* bisection steps */
    int32_t reserved;
} dam_neighbour_beta;

/* Algorithm 2: bisection on r until the mean number of patterns within 2r equals target
   (count_self != 0: each pattern counts itself); max_iterations <= 0 means 64. */
int dam_beta_for_neighbours(const void* patterns, int32_t dtype, int64_t m, int64_t d, double target,
                            int32_t count_self, int32_t max_iterations, dam_neighbour_beta* result);

#define DAM_GRID_LINEAR    0
#define DAM_GRID_GEOMETRIC 1
#define DAM_UPPER_AUTHORS    0     /* beta_max = 8/r_min^2 (the authors' code) */
#define DAM_UPPER_PAPER_TEXT 1     /* beta_max = 2/r_min^2 (the paper's text) */

/* steps >= 2 values from 2/d to beta_max, ascending, into betas[steps]. */
int dam_beta_grid(const void* patterns, int32_t dtype, int64_t m, int64_t d, int32_t spacing,
                  int32_t upper, int32_t steps, double* betas);

/* ---- mean shift (flat kernel, scikit-learn's conventions) ------------------------------------ */
typedef struct dam_meanshift dam_meanshift;   /* opaque result */

/* Seeds (n_seeds x d, dtype seeds_dtype; NULL: every row of X) move to the mean of the points of X in
   the closed ball |x - c| <= bandwidth until the mean repeats exactly or max_iter (>= 0) updates;
   modes within bandwidth of a stronger one are merged; points get their nearest centre's label. */
int dam_meanshift_fit(const void* X, int32_t dtype, int64_t n, int64_t d, const void* seeds,
                      int32_t seeds_dtype, int64_t n_seeds, double bandwidth, int32_t max_iter,
                      int32_t max_threads, dam_meanshift** out);
int dam_meanshift_info(const dam_meanshift* result, int64_t* n_clusters, int64_t* d, int64_t* n,
                       int64_t* n_iter);
/* centers[capacity >= k*d] (sorted by intensity, descending); intensities[k] may be NULL. */
int dam_meanshift_centers(const dam_meanshift* result, double* centers, int64_t capacity,
                          int64_t* intensities);
int dam_meanshift_labels(const dam_meanshift* result, int64_t* labels, int64_t capacity);
int dam_meanshift_free(dam_meanshift* result);

/* ---- kernel density (scikit-learn's KernelDensity normalisation, exact sums) ----------------- */
typedef struct dam_kde dam_kde;   /* opaque */

/* kernel: "epanechnikov", "gaussian", "tophat", "exponential", "linear"; bandwidth > 0. */
int dam_kde_create(const void* X, int32_t dtype, int64_t n, int64_t d, const char* kernel,
                   double bandwidth, dam_kde** out);
/* log density at n queries into log_density[n] (-inf outside every kernel's support). */
int dam_kde_score_samples(const dam_kde* kde, const void* queries, int32_t dtype, int64_t n,
                          int64_t d, int32_t max_threads, double* log_density);
int dam_kde_free(dam_kde* kde);

/* ---- memory enumeration and emergence (LSR energy only; the memories do not depend on epsilon) - */
typedef struct dam_enumeration dam_enumeration;   /* opaque result */

typedef struct dam_enumerate_options {
    uint32_t struct_size;   /* sizeof(dam_enumerate_options); set by dam_enumerate_options_init */
    int32_t count_only;     /* non-zero: count the memories without keeping them */
    int64_t max_nodes;      /* search-node budget; <= 0: none */
    double max_seconds;     /* wall-time budget; <= 0: none */
    int64_t max_memories;   /* stop after this many memories; <= 0: none */
    int32_t max_threads;    /* <= 0: all cores (the memories and their order do not depend on it) */
    int32_t reserved;       /* 0 */
} dam_enumerate_options;

#define DAM_STOP_COMPLETE      0
#define DAM_STOP_NODE_BUDGET   1
#define DAM_STOP_TIME_BUDGET   2
#define DAM_STOP_MEMORY_BUDGET 3
#define DAM_STOP_CANCELLED     4   /* a dam_memory_enumerate_each callback returned non-zero */

typedef struct dam_enumeration_summary {
    int64_t count;            /* memories found: exact when complete, else a lower bound */
    int64_t stored_preserved; /* memories S = {mu}: stored patterns that are memories */
    int64_t novel;            /* memories with |S| > 1 */
    int64_t nodes;            /* search nodes visited */
    int64_t members_total;    /* sum of |S| over the kept memories (length of the CSR ids) */
    double seconds;           /* wall time */
    int32_t complete;         /* 1 when the whole search space was covered */
    int32_t stop;             /* DAM_STOP_* */
    int64_t kept;             /* memories kept (0 when counting only or with a callback) */
    int64_t d;                /* dimension of the points */
} dam_enumeration_summary;

int dam_enumerate_options_init(dam_enumerate_options* options);
/* Every memory S (B(c_S) = S, c_S the centroid summed in index order: exactly Algorithm 1's fixed
   points) within the budgets; options may be NULL. Memories are kept in search order unless count_only. */
int dam_memory_enumerate(const dam_memory* memory, const dam_enumerate_options* options,
                         dam_enumeration** out);
int dam_enumeration_summarize(const dam_enumeration* enumeration, dam_enumeration_summary* summary);
/* CSR: memory i has members ids[offsets[i] .. offsets[i+1]) (0-based, ascending);
   offsets_capacity >= kept + 1, ids_capacity >= members_total. */
int dam_enumeration_members(const dam_enumeration* enumeration, int64_t* offsets,
                            int64_t offsets_capacity, int32_t* ids, int64_t ids_capacity);
/* The memories' points c_S into points[kept*d] (capacity >= kept*d). */
int dam_enumeration_points(const dam_enumeration* enumeration, double* points, int64_t capacity);
int dam_enumeration_free(dam_enumeration* enumeration);

/* Called once per memory, in search order, never concurrently; members (ascending) and point are valid
   during the call only. Return 0 to continue, non-zero to stop the search. */
typedef int32_t (*dam_memory_callback)(void* user, const int32_t* members, int64_t size,
                                       const double* point, int64_t d);
/* summary may be NULL. */
int dam_memory_enumerate_each(const dam_memory* memory, const dam_enumerate_options* options,
                              dam_memory_callback callback, void* user,
                              dam_enumeration_summary* summary);

typedef struct dam_emergence_options {
    uint32_t struct_size;          /* set by dam_emergence_options_init */
    int32_t reserved;              /* 0 */
    double novel_distance;         /* epsilon_novel of Def. 2; default 0.1 */
    int64_t monte_carlo_points;    /* uniform points of [0,1]^d for the supported fraction; 0 skips; default 10^6 */
    uint64_t seed;                 /* of the Monte Carlo points; default 1 */
    dam_enumerate_options enumeration; /* budgets and threads (count_only is ignored) */
} dam_emergence_options;

typedef struct dam_emergence_report {
    int64_t patterns;              /* M */
    int64_t stored_preserved;      /* stored patterns that are memories */
    double fraction_preserved;     /* stored_preserved / M */
    int64_t novel;                 /* memories with |S| > 1 */
    int64_t far_novel;             /* novel memories >= novel_distance from every stored pattern */
    int64_t locally_emergent;      /* Def. 3: novel memories with a preserved member */
    int64_t strongly_emergent;     /* Def. 3: novel memories all of whose members are preserved */
    int32_t global_emergence;      /* Def. 2: all preserved and far_novel > 0 */
    int32_t complete;              /* 0: budgets cut the enumeration short; counts are lower bounds */
    double novel_distance;
    double supported_fraction;     /* of [0,1]^d inside some support (NaN when skipped) */
    double supported_fraction_se;  /* its standard error */
    int64_t monte_carlo_points;
    double log_lambda;             /* log of lambda = M V_d (2/beta)^(d/2) (Thm 2) */
    double log_theorem2_bound;     /* log of Thm 2's order lambda log(e M / lambda) */
    double log_proposition3;       /* log of Prop. 3's grid-design order (NaN when undefined) */
    int64_t nodes;                 /* search nodes of the enumeration */
} dam_emergence_report;

int dam_emergence_options_init(dam_emergence_options* options);
/* options may be NULL (defaults). */
int dam_memory_emergence_report(const dam_memory* memory, const dam_emergence_options* options,
                                dam_emergence_report* report);

#ifdef __cplusplus
}
#endif
#endif /* DENSEAM_H */
