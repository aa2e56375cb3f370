import HindsightCore

/// Turns universe members on a decision date into decisions (the live contract).
public protocol AssessmentEngine {
    /// Names of the models whose views make up a decision (for attribution).
    var modelNames: [String] { get }
    /// Decisions for `members` on session `day` in regime `regime`, written into `out` (cleared first).
    /// `modelShare` receives, per decision, each model's share of the score (count × modelNames.count).
    mutating func assess(
        day: Int, members: [Int32], regime: Int, into out: inout [Decision], modelShare: inout [Double])
}
