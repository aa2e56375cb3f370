extension Metrics {
    /// Each point's plateau score: the median of `values` over the points whose grid coordinates are each within one
    /// step of its own (the point itself included), ignoring non-finite values. `coordinates[i]` holds point i's
    /// position along each numeric parameter (its value's index among that parameter's sorted distinct values); only
    /// points equal in `group` (the non-numeric parameters) are neighbours. A high median means the neighbourhood,
    /// not just the point, does well: a choice that survives a small change of its parameters.
    public static func plateauScores(values: [Double], coordinates: [[Int]], group: [Int]) -> [Double] {
        precondition(values.count == coordinates.count && values.count == group.count)
        var index: [[Int]: [Int]] = [:]
        for (i, c) in coordinates.enumerated() { index[c + [group[i]], default: []].append(i) }
        let dims = coordinates.first?.count ?? 0
        return values.indices.map { i in
            var picked: [Double] = []
            var offset = [Int](repeating: -1, count: dims)
            while true {
                let key = zip(coordinates[i], offset).map { $0 + $1 } + [group[i]]
                for j in index[key] ?? [] where values[j].isFinite { picked.append(values[j]) }
                // Next offset in {-1, 0, 1}^dims.
                var k = 0
                while k < dims && offset[k] == 1 {
                    offset[k] = -1
                    k += 1
                }
                if k == dims { break }
                offset[k] += 1
            }
            guard !picked.isEmpty else { return .nan }
            picked.sort()
            let n = picked.count
            return n % 2 == 1 ? picked[n / 2] : (picked[n / 2 - 1] + picked[n / 2]) / 2
        }
    }
}
