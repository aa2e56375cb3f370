import Engine
import Foundation
import HindsightCore

/// One grid point: its parameter values and its deterministic id (a hash of its canonical parameters).
public struct SweepPoint: Sendable {
    public var index: Int
    public var id: String
    public var params: [(path: String, value: ConfigNode)]
    /// `{"path": value, ...}` with sorted keys.
    public var paramsJSON: String

    /// The numeric value of a parameter, if it is a number.
    public func number(_ path: String) -> Double? {
        guard let v = params.first(where: { $0.path == path })?.value, case .scalar(let s, _) = v.value else {
            return nil
        }
        return Double(s)
    }

    /// `fast=10, slow=50`: the point's parameters for people (progress line, chart legends), each named by its
    /// shortest unambiguous suffix of `paths`.
    public func label(paths: [String]) -> String {
        params.map { "\(ConfigNode.shortPath($0.path, among: paths))=\($0.value.readable)" }.joined(separator: ", ")
    }

    public func text(_ path: String) -> String {
        guard let v = params.first(where: { $0.path == path })?.value else { return "" }
        if case .scalar(let s, _) = v.value { return s }
        return v.canonicalJSON
    }
}

/// The expanded sweep: every point in a fixed order, and a hash that identifies the plan.
public struct SweepPlan: Sendable {
    public static let forceLimit = 1_000_000
    /// The most points a plan may hold even with `--force`. A planned point costs about 30 bytes (its grid
    /// coordinates, its 64-bit id and its place in the id index; the parameters are rebuilt when a point is read),
    /// so 50 million stay well within a 24 GiB machine and a typo in a range cannot exhaust it.
    public static let hardLimit = 50_000_000

    public let spec: SweepSpec
    public let points: SweepPoints
    public let hash: String
    /// Points the constraints removed.
    public let excluded: Int

    /// The sweep's id: its name and the first 8 hex digits of the plan hash.
    public var sweepID: String { spec.name + "-" + String(hash.prefix(8)) }

    /// Expands grid × zip × random samples, keeps the points that satisfy every constraint, and drops duplicates.
    public init(_ spec: SweepSpec, force: Bool = false) throws {
        let gridCount = spec.grid.reduce(1) { $0 * $1.values.count }
        let zipCount = spec.zip.first?.values.count ?? 1
        let randomCount = spec.random?.samples ?? 1
        let total = gridCount.multipliedReportingOverflow(by: zipCount)
        let total2 = total.partialValue.multipliedReportingOverflow(by: randomCount)
        if !total.overflow, !total2.overflow, total2.partialValue > SweepPlan.hardLimit, force {
            throw HindsightError(
                .invalidArgument,
                "\(spec.file): the sweep has \(NumberText.grouped(total2.partialValue)) points, above the \(NumberText.grouped(SweepPlan.hardLimit)) that can be planned even with --force",
                cause:
                    "split the grid into several sweep files (one per value of a parameter), or use `random:` sampling")
        }
        if total.overflow || total2.overflow || (total2.partialValue > SweepPlan.forceLimit && !force) {
            throw HindsightError(
                .invalidArgument,
                "\(spec.file): the sweep has \(total.overflow || total2.overflow ? "more than 2^63" : NumberText.grouped(total2.partialValue)) points, above the \(NumberText.grouped(SweepPlan.forceLimit)) limit",
                cause: "narrow the grid, or pass --force to run it anyway")
        }
        // Random samples are drawn once, in order, from the seed.
        var samples: [[(String, ConfigNode)]] = [[]]
        if let r = spec.random {
            var rng = Xoshiro256StarStar(seed: r.seed)
            samples = (0..<r.samples).map { _ in
                r.params.map { p -> (String, ConfigNode) in
                    let mark = spec.base.mark
                    switch p.distribution {
                    case .uniform(let a, let b):
                        return (p.path, .scalar(JSONText.number(a + (b - a) * rng.uniform()), mark: mark, path: p.path))
                    case .logUniform(let a, let b):
                        return (
                            p.path,
                            .scalar(
                                JSONText.number(exp(log(a) + (log(b) - log(a)) * rng.uniform())), mark: mark,
                                path: p.path)
                        )
                    case .int(let a, let b):
                        return (p.path, .scalar(String(a + rng.int(below: b - a + 1)), mark: mark, path: p.path))
                    case .choice(let items): return (p.path, items[rng.int(below: items.count)])
                    }
                }
            }
        }
        let axes = SweepPoints.Axes(spec: spec, samples: samples)
        var coords: [Int32] = []
        var ids: [UInt64] = []
        var seen = Set<UInt64>()
        var excluded = 0
        var counters = [Int](repeating: 0, count: spec.grid.count)
        var coordinate = [Int32](repeating: 0, count: axes.width)
        var plan = StableHasher()
        plan.combine(spec.identityJSON)
        for g in 0..<gridCount {
            var rem = g
            for i in stride(from: spec.grid.count - 1, through: 0, by: -1) {
                counters[i] = rem % spec.grid[i].values.count
                rem /= spec.grid[i].values.count
                coordinate[i] = Int32(counters[i])
            }
            for z in 0..<zipCount {
                if !spec.zip.isEmpty { coordinate[spec.grid.count] = Int32(z) }
                for s in 0..<samples.count {
                    if spec.random != nil { coordinate[axes.width - 1] = Int32(s) }
                    let params = axes.params(coordinate)
                    if !spec.constraints.allSatisfy({ c in c.holds { SweepPoints.number(params, $0) } }) {
                        excluded += 1
                        continue
                    }
                    var h = StableHasher()
                    h.combine(SweepPoints.json(params))
                    guard seen.insert(h.value).inserted else { continue }
                    coords += coordinate
                    ids.append(h.value)
                    plan.combine("p" + h.hex)
                }
            }
        }
        self.spec = spec
        self.points = SweepPoints(axes: axes, coords: coords, ids: ids)
        self.hash = plan.hex
        self.excluded = excluded
    }

    /// The run config of one point: the base with the point's values written over it.
    public func config(for point: SweepPoint) throws -> RunConfig {
        var node = spec.base
        for (path, value) in point.params { node = node.setting(path, to: value) }
        return try RunConfig.parse(node, strategyKinds: StrategyRegistry.kinds)
    }

    /// Points whose values make an invalid run config (a string for a number, a fractional window, an unknown
    /// choice, inconsistent limits...), each with the error, which names the value's file:line:column. Checks every
    /// point up to `limit`, else an even sample of `limit`; returns the errors and how many points were checked.
    /// `longestHistory`, given a point's config, returns the most bars any of its tickers has up to `end` (nil
    /// when unknown), so a signal window longer than the data is refused here rather than at run time.
    public func invalidPoints(limit: Int = 100_000, longestHistory: ((RunConfig) throws -> Int?)? = nil) -> (
        invalid: [(point: SweepPoint, error: HindsightError)], checked: Int
    ) {
        let stride = max(1, (points.count + limit - 1) / limit)
        var out: [(SweepPoint, HindsightError)] = []
        var checked = 0
        for p in Swift.stride(from: 0, to: points.count, by: stride).map({ points[$0] }) {
            checked += 1
            do {
                let c = try config(for: p)
                try StrategyRegistry.validate(c)
                if c.strategyKind == SignalsStrategy.kind, let longest = try longestHistory?(c) {
                    try SignalsStrategy.checkHistory(c.strategy, longest: longest)
                }
            } catch let e as HindsightError {
                out.append((p, e))
            } catch {
                out.append((p, HindsightError(.invalidArgument, "\(error)")))
            }
        }
        return (out, checked)
    }

    /// The points of shard `i` of `n` (1-based): every n-th point, starting with the i-th.
    public func shard(_ i: Int, of n: Int) -> [SweepPoint] {
        Swift.stride(from: i - 1, to: points.count, by: n).map { points[$0] }
    }

    /// The plan indices of shard `i` of `n` (1-based), or of the whole plan.
    public func indices(shard: (index: Int, count: Int)?) -> [Int] {
        guard let shard else { return Array(0..<points.count) }
        return Array(Swift.stride(from: shard.index - 1, to: points.count, by: shard.count))
    }
}
