extension Metrics {
    /// Indices of the non-dominated rows of `scores` (every objective higher-is-better; negate the others): a row is
    /// dominated when another is at least as good in every objective and better in one. Rows with a non-finite score
    /// are never on the front. Sorted by the first objective (best first), then index. O(n log n + n·f·k) by a sweep
    /// over the rows in first-objective order, where f is the front's size.
    public static func paretoFront(_ scores: [[Double]]) -> [Int] {
        let rows = scores.indices.filter { scores[$0].allSatisfy(\.isFinite) && !scores[$0].isEmpty }
        let order = rows.sorted { a, b in
            for (x, y) in zip(scores[a], scores[b]) where x != y { return x > y }
            return a < b
        }
        var front: [Int] = []
        for i in order {
            let s = scores[i]
            // Sorted lexicographically descending, only an earlier row can dominate a later one.
            let dominated = front.contains { j in
                let t = scores[j]
                var better = false
                for (x, y) in zip(t, s) {
                    if x < y { return false }
                    if x > y { better = true }
                }
                return better
            }
            // An exact duplicate of a front row is not dominated (it is as good, not better): it stays on the front.
            if !dominated { front.append(i) }
        }
        return front
    }
}
