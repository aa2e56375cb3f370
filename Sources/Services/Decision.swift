/// One assessment decision for one name on one decision date.
public struct Decision: Sendable, Equatable {
    public var asset: Int32
    /// +1 long, −1 short, 0 no view.
    public var direction: Int8
    /// Higher is more attractive long; NaN when the model cannot score the name (not enough history).
    public var score: Double
    /// In [0, 1]: the cross-sectional |z| of the score, divided by 3 and capped at 1.
    public var confidence: Double
    /// Profile version in force (position in the asset's version list; −1 when none).
    public var profileVersion: Int32

    public init(asset: Int32, direction: Int8, score: Double, confidence: Double, profileVersion: Int32) {
        self.asset = asset
        self.direction = direction
        self.score = score
        self.confidence = confidence
        self.profileVersion = profileVersion
    }
}
