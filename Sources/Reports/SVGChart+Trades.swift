extension SVGChart {
    /// A fill mark on the price panel.
    public struct Mark: Sendable {
        public var x: Double
        public var price: Double
        /// True for a fill that opens or adds (an entry), false for one that reduces (an exit).
        public var entry: Bool
        /// A buy (true) or a sell.
        public var buy: Bool
        /// Shown on hover: date, side, price, reason.
        public var label: String
        public init(x: Double, price: Double, entry: Bool, buy: Bool, label: String) {
            self.x = x
            self.price = price
            self.entry = entry
            self.buy = buy
            self.label = label
        }
    }

    /// One ticker's price with its entries (triangles pointing the trade's way, green) and exits (red), and the
    /// run's equity in a panel below on the same dates.
    public static func trades(
        title: String, price: Series, marks: [Mark], equity: Series, xLabel: ((Double) -> String)? = nil,
        width: Int = 900, height: Int = 560
    ) -> String {
        let left = 80.0, right = 20.0, top = 40.0, gap = 36.0, bottom = 50.0
        let w = Double(width) - left - right
        let total = Double(height) - top - gap - bottom
        let h1 = total * 0.62, h2 = total - h1
        let top2 = top + h1 + gap
        let xs = (price.x + equity.x).filter(\.isFinite)
        var x0 = xs.min() ?? 0, x1 = xs.max() ?? 1
        if x1 == x0 {
            x0 -= 1
            x1 += 1
        }
        func range(_ v: [Double]) -> (Double, Double) {
            let f = v.filter(\.isFinite)
            var lo = f.min() ?? 0, hi = f.max() ?? 1
            if hi == lo {
                lo -= 1
                hi += 1
            }
            let pad = (hi - lo) * 0.05
            return (lo - pad, hi + pad)
        }
        let (p0, p1) = range(price.y + marks.map(\.price)), (e0, e1) = range(equity.y)
        let sx = { (x: Double) in left + (x - x0) / (x1 - x0) * w }
        let sp = { (y: Double) in top + (p1 - y) / (p1 - p0) * h1 }
        let se = { (y: Double) in top2 + (e1 - y) / (e1 - e0) * h2 }
        var s = header(width, height, title)
        func panel(_ y: Double, _ h: Double, _ lo: Double, _ hi: Double, _ scale: (Double) -> Double, _ name: String) {
            s += "<line x1=\"\(left)\" y1=\"\(f(y + h))\" x2=\"\(f(left + w))\" y2=\"\(f(y + h))\" stroke=\"#333\"/>"
            s += "<line x1=\"\(left)\" y1=\"\(f(y))\" x2=\"\(left)\" y2=\"\(f(y + h))\" stroke=\"#333\"/>"
            for t in ticks(lo, hi, count: 4) {
                s +=
                    "<line x1=\"\(left)\" y1=\"\(f(scale(t)))\" x2=\"\(f(left + w))\" y2=\"\(f(scale(t)))\" stroke=\"#e0e0e0\"/>"
                s +=
                    "<text x=\"\(left - 6)\" y=\"\(f(scale(t) + 4))\" text-anchor=\"end\" font-size=\"11\">\(esc(fmt(t)))</text>"
            }
            s +=
                "<text x=\"16\" y=\"\(f(y + h / 2))\" text-anchor=\"middle\" font-size=\"12\" transform=\"rotate(-90 16 \(f(y + h / 2)))\">\(esc(name))</text>"
        }
        panel(top, h1, p0, p1, sp, price.name)
        panel(top2, h2, e0, e1, se, equity.name)
        for t in ticks(x0, x1, count: 6) {
            let anchor = sx(t) > left + w - 30 ? "end" : "middle"
            s +=
                "<text x=\"\(f(sx(t)))\" y=\"\(f(top2 + h2 + 18))\" text-anchor=\"\(anchor)\" font-size=\"11\">\(esc(xLabel?(t) ?? fmt(t)))</text>"
        }
        s += "<path d=\"\(path(price, x: sx, y: sp))\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.2\"/>"
        s += "<path d=\"\(path(equity, x: sx, y: se))\" fill=\"none\" stroke=\"#444\" stroke-width=\"1.2\"/>"
        for m in marks where m.x.isFinite && m.price.isFinite {
            let x = sx(m.x), y = sp(m.price)
            // Up for a buy, down for a sell; green entries, red exits.
            let tip = m.buy ? y - 5 : y + 5, base = m.buy ? y + 4 : y - 4
            let color = m.entry ? "#2ca02c" : "#d62728"
            s +=
                "<path d=\"M\(f(x)),\(f(tip))L\(f(x - 4.5)),\(f(base))L\(f(x + 4.5)),\(f(base))Z\" fill=\"\(color)\"><title>\(esc(m.label))</title></path>"
        }
        s +=
            "<text x=\"\(f(left + 8))\" y=\"\(f(top + 14))\" font-size=\"11\" fill=\"#2ca02c\">▲▼ entries</text>"
            + "<text x=\"\(f(left + 80))\" y=\"\(f(top + 14))\" font-size=\"11\" fill=\"#d62728\">▲▼ exits</text>"
        return s + "</svg>\n"
    }
}
