import HindsightCore

extension IntradayPanel {
    /// Session `d`'s realised intraday volatility and volume for asset `a` (NaN and 0 without bars): the
    /// square-root impact's σ and volume.
    @inline(__always)
    public func realised(asset a: Int, day d: Int) -> (sigma: Double, volume: Double) {
        (sessionSigma[a * dayCount + d], sessionVolume[a * dayCount + d])
    }

    /// Session `d`'s mean Corwin–Schultz spread over consecutive bars (each pair floored at 0), a fraction of the
    /// price; 0 with fewer than two bars.
    @inline(__always)
    public func corwinSchultzSpread(asset a: Int, day d: Int) -> Double {
        let s = sessionSpread[a * dayCount + d]
        return s.isFinite ? s : 0
    }
}
