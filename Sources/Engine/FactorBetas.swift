import Services

/// Each profile version's betas on the data's factors (`fields_json` keys `beta_<factor>`), flat, so the engine adds
/// a held value's factor exposure at each close with one lookup instead of parsing JSON.
public struct FactorBetas: Sendable, Equatable {
    /// The factors, in the order of each row (the data's factor series except `rf`, sorted).
    public let names: [String]
    /// Per asset, the global index of its first profile version.
    let versionBase: [Int]
    /// Per global version, its row in `values`, or −1 when its profile has no beta.
    let rowOf: [Int32]
    /// Rows of `names.count` betas.
    let values: [Double]

    /// `versions[a][v]`: asset a's profile version v's betas (in `names` order), nil when it has none.
    public init(names: [String], versions: [[[Double]?]]) {
        self.names = names
        var base: [Int] = [], rows: [Int32] = [], values: [Double] = []
        for asset in versions {
            base.append(rows.count)
            for v in asset {
                if let b = v {
                    precondition(b.count == names.count, "one beta per factor")
                    rows.append(Int32(values.count / max(names.count, 1)))
                    values += b
                } else {
                    rows.append(-1)
                }
            }
        }
        versionBase = base
        rowOf = rows
        self.values = values
    }

    /// The first of asset a's version v's betas in `values`, or nil when it has none (v < 0: no profile).
    @inline(__always)
    func offset(asset a: Int, version v: Int) -> Int? {
        guard v >= 0, a < versionBase.count else { return nil }
        let row = rowOf[versionBase[a] + v]
        return row < 0 ? nil : Int(row) * names.count
    }

    /// Adds `value` × asset a's betas on `day` into `exposure[at..<at + names.count]`; false when it has none.
    @inline(__always)
    func add(
        _ value: Double, asset a: Int, day: Int, profiles: BacktestProfileService,
        into exposure: borrowing RunColumn<Double>, at: Int
    ) -> Bool {
        guard let o = offset(asset: a, version: profiles.versionIndex(asset: a, day: day)) else { return false }
        for f in 0..<names.count { exposure[at + f] += value * values[o + f] }
        return true
    }
}
