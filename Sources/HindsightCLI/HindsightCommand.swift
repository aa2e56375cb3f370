import ArgumentParser
import CMalloc
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
    static func keepFreedMemory() {
        #if canImport(Glibc)
            _ = mallopt(M_TRIM_THRESHOLD, 256 << 20)
            _ = mallopt(M_MMAP_THRESHOLD, 32 << 20)
        #endif
    }
}
