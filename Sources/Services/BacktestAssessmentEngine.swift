import HindsightCore
import Signals

/// Scores universe members from the panel's technicals, the regime and the profile in force.
/// Preallocates its scratch buffers, so assessing a day allocates nothing.
public struct BacktestAssessmentEngine: AssessmentEngine {
    public let settings: AssessmentSettings
    let technicals: Technicals
    let profiles: BacktestProfileService
    /// Component weights per regime id (falls back to the default weights).
    let weightsByRegime: [Int: [Double]]
    var raw: [Double]
    var dirs: [Int8]
    /// Per component, an expression's value for each (asset, session), asset-major; nil for built-in models.
    let expressionScores: [[Double]?]

    /// `cache` (a sweep's `SignalCache`) keeps each expression's grid under its bound key and `universeKey` (the
    /// membership it was computed over: universe id and sessions), so every point of a sweep that shares them
    /// computes it once; nil computes afresh.
    public init(
        settings: AssessmentSettings, technicals: Technicals, profiles: BacktestProfileService,
        regimeLabels: [Int: String], member: ((Int, Int32) -> Bool)? = nil, cache: SignalCache? = nil,
        universeKey: String? = nil
    ) {
        self.settings = settings
        self.technicals = technicals
        self.profiles = profiles
        var w = [Int: [Double]]()
        for (id, label) in regimeLabels { if let x = settings.regimeWeights[label] { w[id] = x } }
        weightsByRegime = w
        raw = [Double](repeating: .nan, count: technicals.panel.assetCount * settings.components.count)
        dirs = [Int8](repeating: 0, count: technicals.panel.assetCount)
        let panel = technicals.panel
        expressionScores = settings.components.map { model -> [Double]? in
            guard case .expression(let text, let params) = model,
                let program = try? SignalProgram.compile(text, params: params)
            else { return nil }
            let key = universeKey.map { "assessment|" + $0 + "|" + program.key }
            if let cache, let key, let grid = cache.value(key: key, asset: -1) { return grid }
            // Each asset's own bars; cross-sectional parts run across the run's universe on each session (`member`;
            // every ticker before `start`), within sectors.
            let assets = Array(0..<panel.assetCount)
            let bars = assets.map { a in
                cache?.bars(asset: a) { AssetBars(panel: panel, asset: a) } ?? AssetBars(panel: panel, asset: a)
            }
            let values = program.evaluate(
                universe: bars, assets: assets, group: { i, d in profiles.sectorIndex(asset: i, day: Int(d)) },
                member: member, cache: cache)
            var grid = [Double](repeating: .nan, count: panel.assetCount * panel.dayCount)
            for a in assets {
                for (b, d) in bars[a].sessions.enumerated() { grid[a * panel.dayCount + Int(d)] = values[a][b] }
            }
            if let cache, let key { cache.store(key: key, asset: -1, grid) }
            return grid
        }
    }

    /// Component `j`'s score and direction for asset `a` on day `d`.
    @inline(__always) func score(_ j: Int, asset a: Int, day d: Int) -> (score: Double, direction: Int8) {
        if let grid = expressionScores[j] {
            let v = grid[a * technicals.panel.dayCount + d]
            return (v, v > 0 ? 1 : (v < 0 ? -1 : 0))
        }
        return settings.components[j].score(technicals, asset: a, day: d)
    }

    public var modelNames: [String] { settings.isComposite ? settings.modelNames : [settings.components[0].name] }

    public mutating func assess(
        day d: Int, members: [Int32], regime: Int, into out: inout [Decision], modelShare: inout [Double]
    ) {
        out.removeAll(keepingCapacity: true)
        modelShare.removeAll(keepingCapacity: true)
        let n = members.count, k = settings.components.count
        if !settings.isComposite {
            for a in members {
                let (s, dir) = score(0, asset: Int(a), day: d)
                out.append(
                    Decision(
                        asset: a, direction: dir, score: s, confidence: 0,
                        profileVersion: Int32(profiles.versionIndex(asset: Int(a), day: d))))
                modelShare.append(1)
            }
        } else {
            let weights = weightsByRegime[regime] ?? settings.weights
            // Raw scores, then z-scores per component across the names that have one.
            for j in settings.components.indices {
                var sum = 0.0, sum2 = 0.0, c = 0.0
                for (i, a) in members.enumerated() {
                    let s = score(j, asset: Int(a), day: d).score
                    raw[j * n + i] = s
                    if s.isFinite {
                        sum += s
                        sum2 += s * s
                        c += 1
                    }
                }
                let mean = c > 0 ? sum / c : 0
                let sd = c > 1 ? max(0, (sum2 - sum * sum / c) / (c - 1)).squareRoot() : 0
                for i in 0..<n {
                    raw[j * n + i] = sd > 0 ? (raw[j * n + i] - mean) / sd : (raw[j * n + i].isFinite ? 0 : .nan)
                }
            }
            for (i, a) in members.enumerated() {
                var s = 0.0, absTotal = 0.0
                // A zero-weight component neither scores nor vetoes (its NaN must not poison the sum).
                for j in 0..<k where weights[j] != 0 {
                    s += weights[j] * raw[j * n + i]
                    absTotal += abs(weights[j] * raw[j * n + i])
                }
                out.append(
                    Decision(
                        asset: a, direction: s > 0 ? 1 : (s < 0 ? -1 : 0), score: s, confidence: 0,
                        profileVersion: Int32(profiles.versionIndex(asset: Int(a), day: d))))
                for j in 0..<k {
                    modelShare.append(
                        absTotal > 0 && weights[j] != 0
                            ? abs(weights[j] * raw[j * n + i]) / absTotal : (absTotal > 0 ? 0 : 1 / Double(k)))
                }
            }
        }
        // Confidence: cross-sectional |z| / 3, capped at 1.
        var sum = 0.0, sum2 = 0.0, c = 0.0
        for x in out where x.score.isFinite {
            sum += x.score
            sum2 += x.score * x.score
            c += 1
        }
        let mean = c > 0 ? sum / c : 0
        let sd = c > 1 ? max(0, (sum2 - sum * sum / c) / (c - 1)).squareRoot() : 0
        for i in out.indices {
            let z = sd > 0 ? (out[i].score - mean) / sd : 0
            out[i].confidence = out[i].score.isFinite ? min(1, abs(z) / 3) : 0
            if !out[i].score.isFinite { out[i].direction = 0 }
        }
    }
}
