import ArgumentParser
import CMalloc
import Foundation
import HindsightCore

/// The `hindsight` command tree.
struct Hindsight: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hindsight",
        abstract: "Parameter-sweep backtesting: market data, calendars, backtests, sweeps and reports.",
        version: HindsightVersion.current,
        subcommands: [
            DataCommand.self, CalendarCommand.self, AnalyticsCommand.self, BacktestCommand.self, SweepCommand.self,
            ExprCommand.self, VerifyCommand.self,
        ]
    )

    /// Runs and sweep points allocate and free the same buffers over and over. glibc by default hands freed memory
    /// above 128 KB back to the system, and every run then faults it in again, which is slow when the kernel is busy
    /// reclaiming (seen right after a large process exits). Keep it in the process instead.
    /// glibc also gives each new thread its own arena (up to 8 per core), and each keeps what it freed: a few arenas
    /// hold the 10^6-point sweep at 660 MB against 873 MB. One per core was too few: the workers and the sweep's
    /// writer thread (which frees what the workers allocated) queued on the arena locks, 10 % of the CPU in futex
    /// calls and `--jobs 2` at 8.9-12.5 s on 100,000 SMA points; one per core and two more runs it in 7.9-8.4 s.
    static func keepFreedMemory() {
        #if canImport(Glibc)
            _ = mallopt(M_TRIM_THRESHOLD, 256 << 20)
            _ = mallopt(M_MMAP_THRESHOLD, 32 << 20)
            _ = mallopt(M_ARENA_MAX, Int32(min(ProcessInfo.processInfo.activeProcessorCount, 64) + 2))
        #endif
    }

    /// Hands back what a finished phase freed (the simulation's buffers) before the next one starts.
    static func releaseFreedMemory() {
        #if canImport(Glibc)
            _ = malloc_trim(0)
        #endif
    }
}
