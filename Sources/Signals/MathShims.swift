#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#else
    import Darwin
#endif

@inline(__always) func libmLog(_ x: Double) -> Double { log(x) }
@inline(__always) func libmExp(_ x: Double) -> Double { exp(x) }
