import Foundation
import HindsightTestSupport
import Storage
import Testing

/// A few hundred generated malformed YAML, CSV and sweep files fed to the CLI: never a signal or a stack trace,
/// always a short message, and no database changed by a refused command.
struct FuzzInputTests {
    let dir = TestPaths.makeTempDir("hindsight-fuzz")

    /// A small deterministic generator (SplitMix64), so every failure can be replayed from its case number.
    struct Mutator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(1, n))) }

        static let fragments: [[UInt8]] = [
            [0], [0xFF, 0xFE], [0xE9], Array("\r".utf8), Array("\t".utf8), Array("\"".utf8), Array("'".utf8),
            Array("[".utf8),
            Array("{".utf8), Array("]".utf8), Array(": ".utf8), Array("- ".utf8), Array("&a ".utf8), Array("*a".utf8),
            Array("!!binary ".utf8),
            Array("1e308".utf8), Array("-1".utf8), Array("nan".utf8), Array(".inf".utf8),
            Array("99999999999999999999".utf8),
            Array("0.5".utf8), Array("null".utf8), Array("~".utf8), Array(",,,,".utf8), Array("\n  - x\n".utf8),
            Array("((((((((((".utf8), Array("----------".utf8), Array("%YAML 1.2\n".utf8), Array("\u{FEFF}".utf8),
            Array(repeating: 0x41, count: 3_000),
        ]

        /// One to four edits: insert a hostile fragment, delete a span, duplicate or drop a line, truncate.
        mutating func mutate(_ input: [UInt8]) -> [UInt8] {
            var b = input
            for _ in 0...below(4) {
                let at = below(b.count + 1)
                switch below(6) {
                case 0, 1: b.insert(contentsOf: Self.fragments[below(Self.fragments.count)], at: at)
                case 2:
                    let end = min(b.count, at + 1 + below(12))
                    if at < end { b.removeSubrange(at..<end) }
                case 3:
                    let lines = b.split(separator: 10, omittingEmptySubsequences: false)
                    guard !lines.isEmpty else { break }
                    let i = below(lines.count)
                    var out = Array(lines[..<i])
                    out.append(lines[i])
                    out += lines[i...]
                    b = Array(out.joined(separator: [10]))
                case 4:
                    var lines = b.split(separator: 10, omittingEmptySubsequences: false)
                    if !lines.isEmpty { lines.remove(at: below(lines.count)) }
                    b = Array(lines.joined(separator: [10]))
                default: b = Array(b.prefix(at))
                }
            }
            return b
        }
    }

    func runConfig(_ data: String) -> String {
        """
        name: fuzz
        data: {db: \(data)}
        start: 2015-03-02
        end: 2015-12-31
        initial_cash: 100000
        universe: {tickers: [MKT]}
        strategy: {kind: sma_crossover, params: {fast: 5, slow: 20}}
        execution: {fill: next_open, commission: {model: bps, bps: 5}}
        portfolio: {cash_rate: 0.01}
        benchmark: MKT

        """
    }

    func sweepFile(_ data: String) -> String {
        """
        sweep: fuzz
        base:
          data: {db: \(data)}
          start: 2015-03-02
          end: 2015-12-31
          universe: {tickers: [MKT]}
          strategy: {kind: sma_crossover, params: {fast: 5, slow: 20}}
        grid:
          strategy.params.fast: [2, 5]
          strategy.params.slow: {range: [20, 30, 5]}
        constraints: ["strategy.params.fast * 2 < strategy.params.slow"]
        rank_by: sharpe_ratio

        """
    }

    static let prices = """
        date,ticker,open,high,low,close,volume
        2015-01-02,AAA,10.0,10.5,9.5,10.2,1000
        2015-01-05,AAA,10.2,10.6,10.0,10.4,1200
        2015-01-06,AAA,10.4,10.9,10.1,10.8,900
        2015-01-02,BBB,20.0,20.5,19.5,20.2,500
        2015-01-05,BBB,20.2,20.9,20.0,20.4,700

        """

    struct Check {
        var name: String
        var args: [String]
        var guarded: [String]  // databases that must not change when the command is refused
        var alwaysGuarded: [String]  // databases that must never change (inputs)
    }

    func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    @Test func generatedMalformedFilesNeverCrashHangOrHalfWrite() throws {
        let market = dir + "/market.sqlite"
        let synth = try HindsightBinary.run([
            "data", "synth", "--db", market, "--assets", "3", "--start", "2015-01-02", "--end", "2015-12-31",
        ])
        #expect(synth.status == 0, "\(synth.stderr)")
        _ = try HindsightDatabase.openExisting(path: market).startCheckpoint()()
        let importTarget = dir + "/import.sqlite"
        #expect(
            try HindsightBinary.run([
                "data", "import", "prices", file("seed.csv", Array(Self.prices.utf8)), "--db", importTarget,
            ]).status == 0)
        _ = try HindsightDatabase.openExisting(path: importTarget).startCheckpoint()()
        var m = Mutator(state: 20_261_201)
        var failures: [String] = []
        var refused = 0
        for n in 0..<240 {
            let kind = n % 3
            let check: Check
            switch kind {
            case 0:
                let path = file("run-\(n).yaml", m.mutate(Array(runConfig(market).utf8)))
                check = Check(
                    name: "run \(n)", args: ["backtest", "run", path, "--db", dir + "/results-\(n).sqlite"],
                    guarded: [], alwaysGuarded: [market])
            case 1:
                let path = file("sweep-\(n).yaml", m.mutate(Array(sweepFile(market).utf8)))
                check = Check(
                    name: "sweep \(n)",
                    args: n % 2 == 0
                        ? ["sweep", "plan", path]
                        : [
                            "sweep", "run", path, "--db", dir + "/sweep-\(n).sqlite", "--no-report", "--quiet",
                            "--jobs", "1",
                        ],
                    guarded: [], alwaysGuarded: [market])
            default:
                let path = file("prices-\(n).csv", m.mutate(Array(Self.prices.utf8)))
                check = Check(
                    name: "import \(n)", args: ["data", "import", "prices", path, "--db", importTarget, "--replace"],
                    guarded: [importTarget], alwaysGuarded: [market])
            }
            let before = (check.guarded + check.alwaysGuarded).map { bytes($0) }
            let r = try HindsightBinary.run(check.args, timeout: 60)
            let after = (check.guarded + check.alwaysGuarded).map { bytes($0) }
            if r.status != 0 { refused += 1 }
            var problems: [String] = []
            if ![0, 1, 2, 64].contains(r.status) { problems.append("exit \(r.status)") }
            if r.stderr.contains("Fatal error") || r.stderr.contains("Backtrace") || r.stderr.contains("Stack dump") {
                problems.append("stack trace")
            }
            if r.stderr.utf8.count >= 2_000 { problems.append("message of \(r.stderr.utf8.count) bytes") }
            if r.status != 0, r.stderr.isEmpty { problems.append("no message") }
            for (i, path) in (check.guarded + check.alwaysGuarded).enumerated() where before[i] != after[i] {
                if i >= check.guarded.count || r.status != 0 { problems.append("\(path) changed") }
            }
            if !problems.isEmpty {
                failures.append(
                    "\(check.name) (\(check.args.joined(separator: " "))): \(problems.joined(separator: ", ")): \(r.stderr.prefix(300))"
                )
            }
            // A successful import changes its database: take the new state as the next case's baseline.
            if kind == 2, r.status == 0 {
                _ = try HindsightDatabase.openExisting(path: importTarget).startCheckpoint()()
            }
        }
        #expect(failures.isEmpty, "\(failures.count) cases failed:\n\(failures.prefix(10).joined(separator: "\n"))")
        // Most mutations break the file: the generator must actually exercise the error paths.
        #expect(refused > 100, "only \(refused) of 240 cases were refused")
    }

    func file(_ name: String, _ content: [UInt8]) -> String {
        let path = dir + "/" + name
        _ = FileManager.default.createFile(atPath: path, contents: Data(content))
        return path
    }
}
