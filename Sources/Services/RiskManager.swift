/// Turns decisions into target weights (the live contract).
public protocol RiskManager {
    /// Target weight per asset (length = asset count; names not decided keep 0), for session `day`.
    mutating func targets(day: Int, decisions: [Decision], regime: Int, into weights: inout [Double])
}
