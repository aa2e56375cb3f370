import Analytics
import Foundation
import HindsightCore
import YAMLConfig

/// A parsed sweep file: the base run config and how to vary it.
public struct SweepSpec: Sendable {
    /// One swept parameter's values (scalars as they appear in YAML).
    public struct Axis: Sendable {
        public var path: String
        public var values: [ConfigNode]
    }

    public enum Distribution: Sendable {
        case uniform(Double, Double)
        case logUniform(Double, Double)
        case int(Int, Int)
        case choice([ConfigNode])
    }

    public struct RandomSearch: Sendable {
        public var samples: Int
        public var seed: UInt64
        public var params: [(path: String, distribution: Distribution)]
    }

    public struct WalkForward: Sendable, Equatable {
        /// Window lengths in calendar months.
        public var trainMonths: Int
        public var testMonths: Int
        public var stepMonths: Int
        public init(trainMonths: Int, testMonths: Int, stepMonths: Int) {
            self.trainMonths = trainMonths
            self.testMonths = testMonths
            self.stepMonths = stepMonths
        }
    }

    /// One metric to rank by; higher is better unless `lowerIsBetter` (written `-metric`).
    public struct Objective: Sendable, Equatable {
        public var key: String
        public var lowerIsBetter: Bool
        public init(key: String, lowerIsBetter: Bool) {
            self.key = key
            self.lowerIsBetter = lowerIsBetter
        }
        /// As written in `rank_by`.
        public var text: String { (lowerIsBetter ? "-" : "") + key }
    }

    /// `validation: {kind: cpcv, groups: 6, test_groups: 2, embargo: 5}`.
    public struct CrossValidation: Sendable, Equatable {
        public var groups: Int
        public var testGroups: Int
        public var embargo: Int
    }

    /// `scenarios:`: the top points re-run on resampled markets.
    public struct Scenarios: Sendable, Equatable {
        public struct Generator: Sendable, Equatable {
            public enum Method: Sendable, Equatable {
                /// `stationary_bootstrap` or `circular_block_bootstrap` of whole days.
                case block(BlockBootstrap.Kind)
                /// `regime_bootstrap`: blocks within regimes along a simulated regime path; `stress` multiplies the
                /// chance of entering the named regimes.
                case regime(stress: [String: Double])
                /// `synthetic`: the one-factor market fitted to the data (`FittedMarket`).
                case synthetic(stress: [String: Double])
                /// Named stress windows.
                case episodes
            }
            public var method: Method
            /// nil: Politis–White's optimal length on the market's returns.
            public var block: Double?
            /// Where `stress` was written, for errors about labels the data does not have.
            public var stressMark: ConfigMark?
            /// The name its paths are stored under, e.g. `stationary_bootstrap` or `circular_block_bootstrap-b20`.
            public var name: String
        }
        public var top: Int
        public var paths: Int
        public var seed: UInt64
        public var generators: [Generator]
    }

    public enum EquityStore: Sendable, Equatable {
        case all, none
        case top(Int)
    }

    public var name: String
    public var file: String
    public var base: ConfigNode
    public var grid: [Axis]
    public var zip: [Axis]
    public var random: RandomSearch?
    public var constraints: [ConstraintExpression]
    /// The metrics to rank by: the points are ranked by the first; with more than one, the report shows the
    /// Pareto front.
    public var objectives: [Objective]
    /// Conditions over a point's metrics (`max_drawdown > -0.25`); a point that fails one is stored and counted as
    /// a trial but not ranked.
    public var filters: [ConstraintExpression]
    /// The primary rank metric.
    public var rankBy: String { objectives[0].key }
    public var lowerIsBetter: Bool { objectives[0].lowerIsBetter }
    public var walkForward: WalkForward?
    public var crossValidation: CrossValidation?
    public var scenarios: Scenarios?
    public var storeEquity: EquityStore
    public var storeTradesTop: Int?
    public var storeTradesAll: Bool
    public var reportTop: Int
    public var heatmaps: Bool
    /// The sweep file's canonical JSON (with the base config inlined).
    public var canonicalJSON: String

    /// The canonical JSON with the data file's path left out: a sweep is the same sweep on a copy of its data in
    /// another place (a shard on a node-local disk). The data itself is identified by its fingerprint, which
    /// registering and merging check.
    public var identityJSON: String {
        var node = base
        for key in ["data.db", "data.csv"] where node.child(key) != nil {
            node = node.setting(
                key, to: ConfigNode(.scalar("<data file>", plain: false), mark: node.mark, path: "base." + key))
        }
        guard node.canonicalJSON != base.canonicalJSON else { return canonicalJSON }
        return canonicalJSON.replacingOccurrences(of: base.canonicalJSON, with: node.canonicalJSON)
    }

    /// Every swept parameter path, in plan order.
    public var parameterPaths: [String] {
        grid.map(\.path) + zip.map(\.path) + (random?.params.map(\.path) ?? [])
    }
}
