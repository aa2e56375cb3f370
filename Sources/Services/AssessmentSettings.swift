import HindsightCore

/// The `strategy.assessment` section: one model, or a composite weighted sum of cross-sectionally z-scored models.
public struct AssessmentSettings: Sendable, Equatable {
    public var components: [AssessmentModel]
    public var weights: [Double]
    /// Per regime label, weights that replace `weights` on that regime's decision dates.
    public var regimeWeights: [String: [Double]]
    public var isComposite: Bool

    public init(model: AssessmentModel) {
        components = [model]
        weights = [1]
        regimeWeights = [:]
        isComposite = false
    }

    public static func parse(_ node: ConfigNode) throws -> AssessmentSettings {
        let m = try ConfigMap(
            node, allowed: AssessmentModel.keys + ["components", "regime_weights"])
        guard try m.string("model") == "composite" else {
            return AssessmentSettings(model: try AssessmentModel.parse(node))
        }
        _ = try ConfigMap(node, allowed: ["model", "components", "regime_weights"])
        let list = try m.require("components", "a list of {model: ..., weight: ...}")
        guard case .sequence(let items) = list.value, !items.isEmpty else {
            throw list.error("expected a non-empty list of models")
        }
        var s = AssessmentSettings(model: .trend(window: 1))
        s.isComposite = true
        s.components = []
        s.weights = []
        for item in items {
            s.components.append(try AssessmentModel.parse(item, extra: ["weight"]))
            let w =
                try ConfigMap(item, allowed: AssessmentModel.keys + ["weight"]).double(
                    "weight") ?? 1
            s.weights.append(w)
        }
        if s.weights.allSatisfy({ $0 == 0 }) { throw list.error("every component weight is 0") }
        if let rw = m.node("regime_weights") {
            guard case .mapping(let entries) = rw.value else { throw rw.error("expected `label: [w1, w2, ...]` lines") }
            for e in entries {
                guard case .sequence(let ws) = e.value.value, ws.count == s.components.count else {
                    throw e.value.error("expected \(s.components.count) weights, one per component")
                }
                s.regimeWeights[e.key] = try ws.map(ConfigMap.double)
            }
        }
        return s
    }

    public var modelNames: [String] { components.map(\.name) }
    public var warmup: Int { components.map(\.warmup).max() ?? 0 }
}
