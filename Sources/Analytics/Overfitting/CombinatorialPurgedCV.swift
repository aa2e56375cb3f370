/// Combinatorial purged cross-validation (López de Prado, *Advances in Financial Machine Learning*, ch. 12): the
/// sessions are cut into `groups` contiguous groups; every choice of `testGroups` of them is a test set, the rest
/// (less `embargo` sessions after each test group, which could leak serial dependence into training) the training
/// set. Choosing the best configuration on each training set and reading its test-set Sharpe ratio gives a
/// distribution of the out-of-sample Sharpe ratio of the in-sample choice, not one number.
public struct CombinatorialPurgedCV: Sendable, Equatable {
    public struct Split: Sendable, Equatable {
        /// The test groups (0-based, ascending).
        public var testGroups: [Int]
        /// Session offsets of the test and training sets, ascending.
        public var test: [Int]
        public var train: [Int]
    }

    public let sessions: Int
    public let groups: Int
    public let testGroups: Int
    public let embargo: Int
    public let splits: [Split]

    /// Number of splits, C(groups, testGroups).
    public static func splitCount(groups n: Int, testGroups k: Int) -> Int {
        guard k >= 0, k <= n else { return 0 }
        var c = 1
        for i in 0..<k { c = c * (n - i) / (i + 1) }
        return c
    }

    /// Group `g` holds sessions `g·n/N ..< (g+1)·n/N`.
    public init(sessions n: Int, groups: Int, testGroups: Int, embargo: Int) {
        self.sessions = n
        self.groups = groups
        self.testGroups = testGroups
        self.embargo = embargo
        let bound = (0...groups).map { $0 * n / max(groups, 1) }
        var out: [Split] = []
        var pick = Array(0..<testGroups)
        while testGroups > 0, testGroups < groups {
            var inTest = [Bool](repeating: false, count: n), held = [Bool](repeating: false, count: n)
            for g in pick {
                for t in bound[g]..<bound[g + 1] { inTest[t] = true }
                // The embargo after a test group (none after the last session).
                for t in bound[g + 1]..<min(bound[g + 1] + embargo, n) { held[t] = true }
            }
            out.append(
                Split(
                    testGroups: pick, test: (0..<n).filter { inTest[$0] },
                    train: (0..<n).filter { !inTest[$0] && !held[$0] }))
            // Next combination in lexicographic order.
            var i = testGroups - 1
            while i >= 0 && pick[i] == groups - testGroups + i { i -= 1 }
            if i < 0 { break }
            pick[i] += 1
            for j in (i + 1)..<testGroups { pick[j] = pick[j - 1] + 1 }
        }
        splits = out
    }

    /// Each split's in-sample `metric` and out-of-sample annualised Sharpe ratio for one return series.
    public func values(_ returns: [Double], metric: SummaryMetric) -> (inSample: [Double], outOfSample: [Double]) {
        guard returns.count == sessions else {
            let nan = [Double](repeating: .nan, count: splits.count)
            return (nan, nan)
        }
        var isv: [Double] = [], oos: [Double] = []
        isv.reserveCapacity(splits.count)
        oos.reserveCapacity(splits.count)
        for s in splits {
            isv.append(Metrics.summary(s.train.map { returns[$0] }).values[metric])
            oos.append(Metrics.sharpeRatio(s.test.map { returns[$0] }))
        }
        return (isv, oos)
    }
}
