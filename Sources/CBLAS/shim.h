// OpenBLAS CBLAS and LAPACKE. Complex types are plain structs: Swift does not import C `_Complex`.
#ifndef HINDSIGHT_CBLAS_SHIM_H
#define HINDSIGHT_CBLAS_SHIM_H
#include <stddef.h>
typedef struct { float real, imag; } hindsight_complex_float;
typedef struct { double real, imag; } hindsight_complex_double;
#define lapack_complex_float hindsight_complex_float
#define lapack_complex_double hindsight_complex_double
#include <cblas.h>
#include <lapacke.h>
#endif
