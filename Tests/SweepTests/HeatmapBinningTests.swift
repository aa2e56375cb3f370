import Testing

@testable import Reports

@Suite struct HeatmapBinningTests {
    @Test func anAxisWithFewLevelsDrawsEachLevel() {
        let b = ReportBuilder.bins(ReportBuilder.heatmapBins)
        #expect(b.count == ReportBuilder.heatmapBins)
        #expect((0..<b.count).map(b.of) == Array(0..<b.count))
    }

    @Test func aThousandLevelsFallIntoAHundredRunsOfTenConsecutiveLevels() {
        let b = ReportBuilder.bins(1000)
        #expect(b.count == 100)
        let of = (0..<1000).map(b.of)
        #expect(of == (0..<1000).map { $0 / 10 })
    }

    @Test func unevenLevelCountsFillEveryBinInOrder() {
        for n in [101, 157, 999, 1001, 12345] {
            let b = ReportBuilder.bins(n)
            let of = (0..<n).map(b.of)
            #expect(b.count == ReportBuilder.heatmapBins)
            #expect(zip(of, of.dropFirst()).allSatisfy { $1 == $0 || $1 == $0 + 1 }, "n = \(n)")
            #expect(of.first == 0 && of.last == b.count - 1, "n = \(n)")
            let sizes = Dictionary(grouping: of, by: { $0 }).values.map(\.count)
            #expect(sizes.max()! - sizes.min()! <= 1, "n = \(n)")
        }
    }
}
