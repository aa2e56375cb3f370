import Analytics
import Testing

/// The half-life of positions is a Kaplan–Meier median with open trips censored.
struct HalfLifeTests {
    @Test func theHalfLifeIsTheKaplanMeierMedianWithOpenTripsCensored() {
        // Exits at 1, 2, 4, 5; open at 3 and 6. By hand: S(1) = 5/6, S(2) = 5/6 · 4/5 = 2/3, the trip open at 3
        // leaves 3 at risk, S(4) = 2/3 · 2/3 = 4/9 ≤ 1/2: the half-life is 4 (the closed trips' median is 3).
        let bars = [4, 1, 6, 2, 5, 3], closed = [true, true, false, true, true, false]
        #expect(TradeStatistics.halfLife(barsHeld: bars, closed: closed) == 4)
        // Ties: two exits at 2 of four at risk halve it there.
        #expect(TradeStatistics.halfLife(barsHeld: [2, 2, 7, 9], closed: [true, true, true, false]) == 2)
        // Mostly open: fewer than half ever close.
        #expect(TradeStatistics.halfLife(barsHeld: [1, 5, 5, 5], closed: [true, false, false, false]).isNaN)
        #expect(TradeStatistics.halfLife(barsHeld: [], closed: []).isNaN)
    }
}
