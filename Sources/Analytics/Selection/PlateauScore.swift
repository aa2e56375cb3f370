extension Metrics {
    /// Each point's plateau score: the median of `values` over the points whose grid coordinates are each within one
    /// step of its own (the point itself included), ignoring non-finite values. `coordinates[i]` holds point i's
    /// position along each numeric parameter (its value's index among that parameter's sorted distinct values); only
    /// points equal in `group` (the non-numeric parameters) are neighbours. A high median means the neighbourhood,
    /// not just the point, does well: a choice that survives a small change of its parameters.
    public static func plateauScores(values: [Double], coordinates: [[Int]], group: [Int]) -> [Double] {
        precondition(values.count == coordinates.count && values.count == group.count)
        let n = values.count
        guard n > 0 else { return [] }
        let dims = coordinates[0].count
        // Each point's cell as one integer (mixed radix over the coordinates, then the group), the points of each
        // cell listed together: a dictionary keyed by coordinate arrays built a key array for each of the 3^dims
        // neighbours of every point (60 ms of a 14,751-point report).
        var low = [Int](repeating: .max, count: dims), high = [Int](repeating: .min, count: dims)
        for c in coordinates {
            precondition(c.count == dims)
            for d in 0..<dims {
                low[d] = min(low[d], c[d])
                high[d] = max(high[d], c[d])
            }
        }
        let groups = (group.max() ?? 0) + 1
        var radix = [Int](repeating: 0, count: dims)
        var cells = groups, overflow = group.contains { $0 < 0 }
        for d in 0..<dims {
            let size = high[d] - low[d] + 1
            radix[d] = cells
            let (product, o) = cells.multipliedReportingOverflow(by: size)
            cells = product
            overflow = overflow || o
        }
        // Beyond this, or when the product overflows, a dictionary of the occupied cells.
        let dense = !overflow && cells <= max(4 * n, 1 << 20)
        func cell(_ i: Int, _ offset: [Int]) -> Int? {
            var key = group[i]
            for d in 0..<dims {
                let x = coordinates[i][d] + offset[d]
                guard x >= low[d], x <= high[d] else { return nil }
                key += (x - low[d]) * radix[d]
            }
            return key
        }
        let zero = [Int](repeating: 0, count: dims)
        // Points by cell: `first[k]..<first[k + 1]` in `members` (dense), or the lists of a dictionary.
        var first: [Int] = [], members: [Int] = [], sparse: [Int: [Int]] = [:]
        if dense {
            first = [Int](repeating: 0, count: cells + 1)
            let own = (0..<n).map { cell($0, zero)! }
            for k in own { first[k + 1] += 1 }
            for k in 0..<cells { first[k + 1] += first[k] }
            var at = first
            members = [Int](repeating: 0, count: n)
            for (i, k) in own.enumerated() {
                members[at[k]] = i
                at[k] += 1
            }
        } else {
            for i in 0..<n { sparse[cell(i, zero)!, default: []].append(i) }
        }
        var picked: [Double] = []
        var offset = [Int](repeating: -1, count: dims)
        return (0..<n).map { i in
            picked.removeAll(keepingCapacity: true)
            for k in 0..<dims { offset[k] = -1 }
            while true {
                if let key = cell(i, offset) {
                    if dense {
                        for m in first[key]..<first[key + 1] where values[members[m]].isFinite {
                            picked.append(values[members[m]])
                        }
                    } else {
                        for j in sparse[key] ?? [] where values[j].isFinite { picked.append(values[j]) }
                    }
                }
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
            let c = picked.count
            return c % 2 == 1 ? picked[c / 2] : (picked[c / 2 - 1] + picked[c / 2]) / 2
        }
    }
}
