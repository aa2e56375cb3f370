/// The even sample of a sweep's points whose daily returns are kept for the report's overfitting statistics:
/// every `stride`-th point in plan order, at most `size` of them. A function of the plan alone, so a sweep run
/// whole and one run in shards and merged sample the same points.
public enum ReturnsSample {
    public static let size = 1_000

    public static func stride(points: Int) -> Int { max(1, (points + size - 1) / size) }

    public static func contains(index: Int, points: Int) -> Bool { index % stride(points: points) == 0 }
}
