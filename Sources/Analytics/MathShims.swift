#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#else
    import Darwin
#endif

// libm entry points under unambiguous names (the metric files use these).
@inline(__always) func libmLog(_ x: Double) -> Double { log(x) }
@inline(__always) func libmLog10(_ x: Double) -> Double { log10(x) }
@inline(__always) func libmLog1p(_ x: Double) -> Double { log1p(x) }
@inline(__always) func libmExp(_ x: Double) -> Double { exp(x) }
@inline(__always) func libmPow(_ x: Double, _ y: Double) -> Double { pow(x, y) }
@inline(__always) func erfcPortable(_ x: Double) -> Double { erfc(x) }
@inline(__always) func libmLgamma(_ x: Double) -> Double { lgamma(x) }
