import Analytics
import Backtest
import Engine
import HindsightCore

extension ScenarioRunner {
    /// How one generator makes a path's market from a seeded generator.
    enum PathMaker: Sendable {
        case block(BlockBootstrap)
        case regime(RegimeBootstrap)
        case synthetic(FittedMarket)

        func inputs(_ resampler: MarketResampler, rng: inout Xoshiro256StarStar) throws -> MarketInputs {
            let window = resampler.window
            switch self {
            case .block(let b):
                let sources = b.indices(count: window.count, rng: &rng).map { window.lowerBound + $0 }
                return try resampler.path(sources: sources)
            case .regime(let r):
                return try resampler.path(sources: r.path(rng: &rng).indices.map { window.lowerBound + $0 })
            case .synthetic(let f):
                let (returns, shapes) = f.path(rng: &rng)
                return try resampler.path(sources: shapes.map { window.lowerBound + $0 }, closeReturns: returns)
            }
        }
    }

    /// The regime of each window session as the base config's regime service sees it (data regimes or the built-in
    /// classifier), and the label of each regime id.
    static func regimeLabels(context: SweepContext, window: Range<Int>) -> (labels: [Int], names: [Int: String]) {
        let service = context.pipeline.regimes(for: context.base)
        return (window.map { Int(service.regimeOfDay[$0]) }, service.labels)
    }

    /// `stress: {label: k}` as regime ids; a label the data's regimes do not have is an error naming the sweep file.
    static func stressByID(
        _ stress: [String: Double], names: [Int: String], present: Set<Int>, generator: SweepSpec.Scenarios.Generator
    ) throws -> [Int: Double] {
        var out: [Int: Double] = [:]
        let known = present.sorted().compactMap { names[$0] }
        for (label, k) in stress {
            guard let id = names.first(where: { $0.value == label && present.contains($0.key) })?.key else {
                throw HindsightError(
                    .invalidArgument,
                    "\(generator.stressMark.map { "\($0): " } ?? "")`stress.\(label)`: the run's regimes have no `\(label)`",
                    cause: "regimes in this run's window: \(known.joined(separator: ", "))")
            }
            out[id] = k
        }
        return out
    }

    /// One path maker per resampling generator (episodes excluded), and a JSON description of what was fitted.
    static func makers(context: SweepContext, window: Range<Int>, market: [Double]) throws -> [String: (
        maker: PathMaker, model: String
    )] {
        var out: [String: (maker: PathMaker, model: String)] = [:]
        let sc = context.plan.spec.scenarios?.generators ?? []
        let needsRegimes = sc.contains {
            if case .block = $0.method { return false }
            return $0.method != .episodes
        }
        let (labels, names) = needsRegimes ? regimeLabels(context: context, window: window) : ([], [:])
        func blockLength(_ g: SweepSpec.Scenarios.Generator) -> Double {
            g.block ?? BlockBootstrap.automatic(.stationary, for: market).block
        }
        func matrixJSON(_ r: RegimeBootstrap) -> [(String, String)] {
            let labelsJSON = r.states.map { JSONText.quote(names[$0] ?? "\($0)") }.joined(separator: ",")
            let rows: ([[Double]]) -> String = { m in
                "[" + m.map { "[" + $0.map { JSONText.number($0) }.joined(separator: ",") + "]" }.joined(separator: ",")
                    + "]"
            }
            let share = r.states.map { s in Double(r.labels.filter { $0 == s }.count) / Double(r.labels.count) }
            return [
                ("regimes", "[" + labelsJSON + "]"), ("estimated_transitions", rows(r.estimated)),
                ("transitions", rows(r.transitions)),
                ("historical_share", "[" + share.map { JSONText.number($0) }.joined(separator: ",") + "]"),
                (
                    "stationary_share",
                    "[" + r.stationaryShares.map { JSONText.number($0) }.joined(separator: ",") + "]"
                ),
            ]
        }
        for g in sc {
            switch g.method {
            case .episodes: continue
            case .block(let kind):
                let b = g.block.map { BlockBootstrap(kind: kind, block: $0) } ?? .automatic(kind, for: market)
                out[g.name] = (.block(b), JSONText.object([("block", JSONText.number(b.block))]))
            case .regime(let stress):
                let ids = try stressByID(stress, names: names, present: Set(labels), generator: g)
                let r = RegimeBootstrap(labels: labels, block: blockLength(g), stress: ids)
                out[g.name] = (.regime(r), JSONText.object([("block", JSONText.number(r.block))] + matrixJSON(r)))
            case .synthetic(let stress):
                let ids = try stressByID(stress, names: names, present: Set(labels), generator: g)
                let p = context.inputs.panel, nD = p.dayCount
                let assetReturns = (0..<p.assetCount).map { a in
                    window.map { d -> Double in
                        let k = a * nD + d
                        return p.valid[k] && p.valid[k - 1] ? p.adjustedClose[k] / p.adjustedClose[k - 1] - 1 : .nan
                    }
                }
                let f = FittedMarket(
                    market: market, assetReturns: assetReturns, labels: labels, names: names, stress: ids)
                let fitted = f.betas.indices.filter { f.idiosyncraticVolatility[$0] > 0 }
                let sortedBetas = fitted.map { f.betas[$0] }.sorted()
                let regimesJSON = f.regimes.map { r in
                    JSONText.object([
                        ("label", JSONText.quote(r.label)), ("days", "\(r.days)"),
                        ("annual_drift", JSONText.number(r.mean * 252)),
                        ("annual_volatility", JSONText.number(r.volatility * 252.0.squareRoot())),
                        ("idiosyncratic_multiplier", JSONText.number(r.idiosyncraticMultiplier)),
                    ])
                }
                out[g.name] = (
                    .synthetic(f),
                    JSONText.object(
                        [
                            ("market_tail_dof", f.marketTail.map { "\($0)" } ?? "null"),
                            ("idiosyncratic_tail_dof", f.idiosyncraticTail.map { "\($0)" } ?? "null"),
                            ("assets_fitted", "\(fitted.count)"),
                            (
                                "median_beta",
                                JSONText.number(sortedBetas.isEmpty ? .nan : Metrics.percentile(sortedBetas, 50))
                            ),
                            ("regime_fits", "[" + regimesJSON.joined(separator: ",") + "]"),
                        ] + matrixJSON(f.chain))
                )
            }
        }
        return out
    }
}
