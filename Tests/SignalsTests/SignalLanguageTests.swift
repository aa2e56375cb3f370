import HindsightTestSupport
import Signals
import Testing

@Suite struct SignalLanguageTests {
    static let bars = AssetBars(
        open: [10, 11, 12, 11, 10, 9, 10, 12, 13, 12], high: [11, 12, 13, 12, 11, 10, 11, 13, 14, 13],
        low: [9, 10, 11, 10, 9, 8, 9, 11, 12, 11], close: [10, 11, 12, 11, 10, 9, 10, 12, 13, 12],
        volume: [100, 100, 100, 100, 100, 100, 100, 100, 100, 100], adjClose: [10, 11, 12, 11, 10, 9, 10, 12, 13, 12])

    func eval(_ text: String, _ params: [String: Double] = [:]) throws -> [Double] {
        try SignalProgram.compile(text, params: params).evaluate(Self.bars)
    }

    func failure(_ text: String, _ params: [String: Double] = [:]) -> SignalProgram.Failure? {
        do {
            _ = try SignalProgram.compile(text, params: params)
            return nil
        } catch { return error }
    }

    @Test func crossoverIsTrueOnlyOnTheBarTheFirstSeriesMovesAbove() throws {
        // close vs 11: above at bar 2 (12 > 11, 11 ≤ 11 before), again at bar 7.
        let x = try eval("crossover(close, 11)")
        #expect(x == [0, 0, 1, 0, 0, 0, 0, 1, 0, 0])
        #expect(try eval("crossunder(close, 11)") == [0, 0, 0, 0, 1, 0, 0, 0, 0, 0])
    }

    @Test func precedenceAndBooleansFollowTheUsualRules() throws {
        #expect(try eval("1 + 2 * 3")[0] == 7)
        #expect(try eval("close > 10 and close < 12 or close == 13") == [0, 1, 0, 1, 0, 0, 0, 0, 1, 0])
        #expect(try eval("not close > 10") == [1, 0, 0, 0, 1, 1, 1, 0, 0, 0])
        #expect(try eval("if(close > 11, close, -1)") == [-1, -1, 12, -1, -1, -1, -1, 12, 13, 12])
    }

    @Test func shiftDeltaAndBarsSinceLookOnlyBackward() throws {
        let s = try eval("shift(close, 2)")
        #expect(s[0].isNaN && s[1].isNaN && s[2] == 10 && s[9] == 12)
        #expect(try eval("delta(close, 1)")[1] == 1)
        let b = try eval("bars_since(close >= 12)")
        #expect(b[0].isNaN && b[1].isNaN && b[2] == 0 && b[3] == 1 && b[6] == 4 && b[7] == 0)
    }

    @Test func rollingStatisticsUseTheLastNBars() throws {
        let m = try eval("rolling_mean(close, 3)")
        #expect(m[1].isNaN && m[2] == 11 && m[9] == (12 + 13 + 12) / 3.0)
        let sd = try eval("rolling_std(close, 3)")
        #expect(Tolerance.close(sd[2], 1))  // sample std of 10, 11, 12
        #expect(try eval("rolling_max(close, 4)")[9] == 13)
    }

    @Test func parametersBindToTheSameCanonicalKeyAsLiterals() throws {
        let a = try SignalProgram.compile("sma(close, fast) > sma(close, slow)", params: ["fast": 10, "slow": 30])
        let b = try SignalProgram.compile("sma(close, 10) > sma(close, 30)", params: [:])
        #expect(a.key == b.key)
        #expect(a.lookback == 29)
        #expect(try SignalProgram.compile("rsi(close, n)", params: ["n": 14]).key == "rsi(close,14)")
    }

    @Test func anIdenticalSubexpressionIsComputedOncePerAssetThroughTheCache() throws {
        let cache = SignalCache()
        let p = try SignalProgram.compile("sma(close, 3) > 10 and sma(close, 3) < 13", params: [:])
        _ = p.evaluate(Self.bars, cache: cache, asset: 0)
        let q = try SignalProgram.compile("sma(close, 3) > 11", params: [:])
        _ = q.evaluate(Self.bars, cache: cache, asset: 0)
        #expect(cache.counts.hits >= 1)
    }

    @Test func errorsNameTheColumnAndTheFix() throws {
        let unknown = try #require(failure("rsi(close, 14) < 30 and rsx(close, 2) > 1"))
        #expect(unknown.column == 25 && unknown.message.contains("unknown function `rsx`"))
        #expect(unknown.hint?.contains("did you mean `rsi`") == true)
        let arity = try #require(failure("sma(close)"))
        #expect(arity.column == 1 && arity.message.contains("takes 2 arguments, got 1"))
        let type = try #require(failure("sma(close > 1, 5)"))
        #expect(type.column == 5 && type.message.contains("needs a number, got a condition"))
        let param = try #require(failure("sma(close, fsat)", ["fast": 10]))
        #expect(param.column == 12 && param.hint?.contains("did you mean `fast`") == true)
        let ahead = try #require(failure("shift(close, -1) > close"))
        #expect(ahead.column == 14 && ahead.message.contains("look ahead"))
        let window = try #require(failure("sma(close, 0)"))
        #expect(window.message.contains("window 0 must be a whole number ≥ 1"))
        let series = try #require(failure("sma(close, close)"))
        #expect(series.message.contains("not a series"))
        let syntax = try #require(failure("close > (sma(close, 3)"))
        #expect(syntax.column == 23 && syntax.message.contains("expected `)`"))
        let entry = try #require(failure("close >> 3"))
        #expect(entry.column == 8)
        let chain = try #require(failure("1 < close < 3"))
        #expect(chain.message.contains("do not chain"))
    }

    @Test func crossSectionalFunctionsRankScoreAndDemeanAcrossTheUniverseOnEachSession() throws {
        func bars(_ close: [Double], sessions: [Int32]) -> AssetBars {
            var b = AssetBars(open: close, high: close, low: close, close: close, volume: close, adjClose: close)
            b.sessions = sessions
            return b
        }
        // Session 1 has all three; asset C misses session 0 (a gap is not a member that day).
        let universe = [
            bars([1, 3, 5], sessions: [0, 1, 2]), bars([2, 3, 1], sessions: [0, 1, 2]),
            bars([9, 7], sessions: [1, 2]),
        ]
        let rank = try SignalProgram.compile("cs_rank(close)", params: [:]).evaluate(
            universe: universe, assets: [0, 1, 2])
        #expect(rank[0] == [0.5, 1.5 / 3, 2.0 / 3] && rank[1] == [1, 1.5 / 3, 1.0 / 3] && rank[2] == [1, 1])
        let demean = try SignalProgram.compile("cs_demean(close)", params: [:]).evaluate(
            universe: universe, assets: [0, 1, 2])
        #expect(demean[0] == [-0.5, 3 - 5, 5 - 13.0 / 3] && demean[2] == [9 - 5, 7 - 13.0 / 3])
        let z = try SignalProgram.compile("cs_zscore(close)", params: [:]).evaluate(
            universe: universe, assets: [0, 1, 2])
        #expect(Tolerance.close(z[0][0], -0.5 / (0.5.squareRoot())))  // two members: mean 1.5, sample sd √0.5
        // Within sectors: A and C in one, B alone (a lone member demeans to 0).
        let sector = try SignalProgram.compile("sector_demean(close)", params: [:]).evaluate(
            universe: universe, assets: [0, 1, 2], group: { i, _ in i == 1 ? 1 : 0 })
        #expect(sector[1] == [0, 0, 0] && sector[0][1] == 3 - 6 && sector[2][0] == 9 - 6)
        let combined = try SignalProgram.compile("cs_rank(close) > 0.5 and close > 2", params: [:])
        #expect(combined.isCrossSectional && combined.type == .boolean)
        #expect(combined.evaluate(universe: universe, assets: [0, 1, 2])[0] == [0, 0, 1])
    }
}
