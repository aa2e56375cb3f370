import Foundation

/// Self-contained SVG charts (no scripts, no external fonts or styles) with axes, tick labels, titles and legends.
public enum SVGChart {
    public struct Series {
        public var name: String
        public var x: [Double]
        public var y: [Double]
        /// Draw a dot at each point (a scatter) and, when `line` is true too, join them.
        public var dots: Bool
        public var line: Bool
        public init(name: String, x: [Double], y: [Double], dots: Bool = false, line: Bool = true) {
            self.name = name
            self.x = x
            self.y = y
            self.dots = dots
            self.line = line
        }
    }

    static let palette = [
        "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    ]

    static func esc(_ s: String) -> String {
        if !s.utf8.contains(where: { $0 == 38 || $0 == 60 || $0 == 62 || $0 == 34 }) { return s }
        return s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func fmt(_ v: Double) -> String {
        if v == 0 { return "0" }
        let a = abs(v)
        if !a.isFinite || a >= 1e6 || a < 1e-3 { return String(format: "%.2g", v) }
        if a >= 100 { return fixed(v, 0) }
        if a >= 1 {
            let s = fixed(v, 2)
            return s.hasSuffix(".00") ? String(s.dropLast(3)) : s
        }
        return fixed(v, 3)
    }

    /// `v` with `digits` decimals (as `%.<digits>f` for the magnitudes charts label), without Foundation's formatter.
    static func fixed(_ v: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let t = Int((abs(v) * scale).rounded(.toNearestOrEven))
        let whole = String(t / Int(scale))
        var frac = digits > 0 ? String(t % Int(scale)) : ""
        if frac.count < digits { frac = String(repeating: "0", count: digits - frac.count) + frac }
        return (v < 0 && t != 0 ? "-" : "") + whole + (digits > 0 ? "." + frac : "")
    }

    /// About `count` round tick values covering [lo, hi].
    static func ticks(_ lo: Double, _ hi: Double, count: Int = 5) -> [Double] {
        guard hi > lo, lo.isFinite, hi.isFinite else { return [lo] }
        let raw = (hi - lo) / Double(count)
        let mag = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        var out: [Double] = []
        var t = ceil(lo / step) * step
        while t <= hi + step * 1e-9 {
            out.append(abs(t) < step * 1e-9 ? 0 : t)
            t += step
        }
        return out
    }

    /// A line chart; `xLabels` maps x values to text (dates), else numbers are shown.
    public static func lines(
        title: String, xTitle: String, yTitle: String, series: [Series], xLabel: ((Double) -> String)? = nil,
        width: Int = 760, height: Int = 380, fillToZero: Bool = false
    ) -> String {
        let left = 70.0, right = 20.0, top = 40.0, bottom = 60.0
        let w = Double(width) - left - right, h = Double(height) - top - bottom
        let xs = series.flatMap(\.x).filter(\.isFinite), ys = series.flatMap(\.y).filter(\.isFinite)
        var (x0, x1) = (xs.min() ?? 0, xs.max() ?? 1), (y0, y1) = (ys.min() ?? 0, ys.max() ?? 1)
        if fillToZero {
            y1 = max(y1, 0)
            y0 = min(y0, 0)
        }
        if x1 == x0 { x1 = x0 + 1 }
        if y1 == y0 {
            y1 = y0 + 1
            y0 -= 1
        }
        let pad = (y1 - y0) * 0.05
        y0 -= pad
        y1 += pad
        let sx = { (x: Double) in left + (x - x0) / (x1 - x0) * w },
            sy = { (y: Double) in top + (y1 - y) / (y1 - y0) * h }
        var s = header(width, height, title)
        s += axes(left: left, top: top, w: w, h: h, xTitle: xTitle, yTitle: yTitle, width: width, height: height)
        s += yGrid(y0, y1, sy, left: left, w: w)
        for t in ticks(x0, x1, count: 6) {
            s += "<line x1=\"\(f(sx(t)))\" y1=\"\(top + h)\" x2=\"\(f(sx(t)))\" y2=\"\(top + h + 5)\" stroke=\"#333\"/>"
            // Labels near the right edge end there, so long dates are not clipped.
            let anchor = sx(t) > left + w - 30 ? "end" : "middle"
            s +=
                "<text x=\"\(f(sx(t)))\" y=\"\(top + h + 18)\" text-anchor=\"\(anchor)\" font-size=\"11\">\(esc(xLabel?(t) ?? fmt(t)))</text>"
        }
        for (i, ser) in series.enumerated() {
            let color = palette[i % palette.count]
            let d = path(ser, x: sx, y: sy)
            if fillToZero, let fx = ser.x.first, let lx = ser.x.last {
                s +=
                    "<path d=\"\(d)L\(f(sx(lx))),\(f(sy(0)))L\(f(sx(fx))),\(f(sy(0)))Z\" fill=\"\(color)\" fill-opacity=\"0.15\" stroke=\"none\"/>"
            }
            if ser.line { s += "<path d=\"\(d)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\"/>" }
            if ser.dots {
                for (x, y) in zip(ser.x, ser.y) where x.isFinite && y.isFinite {
                    s += "<circle cx=\"\(f(sx(x)))\" cy=\"\(f(sy(y)))\" r=\"2.5\" fill=\"\(color)\"/>"
                }
            }
        }
        s += legend(series.map(\.name), x: left + 10, y: top + 8)
        return s + "</svg>\n"
    }

    /// x-axis labels for a series indexed by session: the date at each index (empty outside).
    public static func indexLabels(_ dates: [String]) -> (Double) -> String {
        { x in
            let i = Int(x.rounded())
            return i >= 0 && i < dates.count ? dates[i] : ""
        }
    }

    /// Horizontal grid lines and labels at the y ticks.
    static func yGrid(_ y0: Double, _ y1: Double, _ sy: (Double) -> Double, left: Double, w: Double) -> String {
        var s = ""
        for t in ticks(y0, y1) {
            s += "<line x1=\"\(left)\" y1=\"\(f(sy(t)))\" x2=\"\(left + w)\" y2=\"\(f(sy(t)))\" stroke=\"#e0e0e0\"/>"
            s +=
                "<text x=\"\(left - 6)\" y=\"\(f(sy(t) + 4))\" text-anchor=\"end\" font-size=\"11\">\(esc(fmt(t)))</text>"
        }
        return s
    }

    /// An SVG path through a series' finite points (a gap lifts the pen), in the chart's coordinates.
    static func path(_ ser: Series, x sx: (Double) -> Double, y sy: (Double) -> Double) -> String {
        var d = ""
        var pen = false
        for (x, y) in zip(ser.x, ser.y) {
            guard x.isFinite, y.isFinite else {
                pen = false
                continue
            }
            d += (pen ? "L" : "M") + f(sx(x)) + "," + f(sy(y))
            pen = true
        }
        return d
    }

    /// A heatmap of `values[row][column]` (NaN cells are blank) with a colour bar.
    public static func heatmap(
        title: String, xTitle: String, yTitle: String, xValues: [String], yValues: [String], values: [[Double]],
        valueTitle: String, width: Int = 760, height: Int = 460
    ) -> String {
        let left = 80.0, right = 110.0, top = 40.0, bottom = 60.0
        let w = Double(width) - left - right, h = Double(height) - top - bottom
        let flat = values.flatMap { $0 }.filter(\.isFinite)
        let lo = flat.min() ?? 0, hi = flat.max() ?? 1
        let cw = w / Double(max(1, xValues.count)), ch = h / Double(max(1, yValues.count))
        var s = header(width, height, title)
        for (r, row) in values.enumerated() {
            for (c, v) in row.enumerated() where v.isFinite {
                let t = hi > lo ? (v - lo) / (hi - lo) : 0.5
                s +=
                    "<rect x=\"\(f(left + Double(c) * cw))\" y=\"\(f(top + h - Double(r + 1) * ch))\" width=\"\(f(cw + 0.5))\" height=\"\(f(ch + 0.5))\" fill=\"\(color(t))\"><title>\(esc(yValues[r])), \(esc(xValues[c])): \(esc(fmt(v)))</title></rect>"
            }
        }
        s += axes(left: left, top: top, w: w, h: h, xTitle: xTitle, yTitle: yTitle, width: width, height: height)
        let xStep = max(1, xValues.count / 10), yStep = max(1, yValues.count / 10)
        for c in Swift.stride(from: 0, to: xValues.count, by: xStep) {
            s +=
                "<text x=\"\(f(left + (Double(c) + 0.5) * cw))\" y=\"\(top + h + 18)\" text-anchor=\"middle\" font-size=\"11\">\(esc(xValues[c]))</text>"
        }
        for r in Swift.stride(from: 0, to: yValues.count, by: yStep) {
            s +=
                "<text x=\"\(left - 6)\" y=\"\(f(top + h - (Double(r) + 0.5) * ch + 4))\" text-anchor=\"end\" font-size=\"11\">\(esc(yValues[r]))</text>"
        }
        // Colour bar.
        let bx = left + w + 20
        for i in 0..<50 {
            let t = Double(i) / 49
            s +=
                "<rect x=\"\(f(bx))\" y=\"\(f(top + h - Double(i + 1) * h / 50))\" width=\"16\" height=\"\(f(h / 50 + 0.5))\" fill=\"\(color(t))\"/>"
        }
        s += "<text x=\"\(f(bx + 20))\" y=\"\(f(top + 10))\" font-size=\"11\">\(esc(fmt(hi)))</text>"
        s += "<text x=\"\(f(bx + 20))\" y=\"\(f(top + h))\" font-size=\"11\">\(esc(fmt(lo)))</text>"
        s += "<text x=\"\(f(bx))\" y=\"\(f(top - 8))\" font-size=\"11\">\(esc(valueTitle))</text>"
        return s + "</svg>\n"
    }

    /// Blue (low) to yellow to red (high).
    static func color(_ t: Double) -> String {
        let t = max(0, min(1, t))
        let (r, g, b): (Double, Double, Double) =
            t < 0.5
            ? (49 + (255 - 49) * t * 2, 54 + (230 - 54) * t * 2, 149 + (140 - 149) * t * 2)
            : (255 - (255 - 215) * (t - 0.5) * 2, 230 - (230 - 48) * (t - 0.5) * 2, 140 - (140 - 39) * (t - 0.5) * 2)
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = [35]
        for c in [Int(r), Int(g), Int(b)] {
            let c = max(0, min(255, c))
            out.append(hex[c >> 4])
            out.append(hex[c & 15])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// One decimal, without Foundation's formatter (charts write tens of thousands of coordinates).
    static func f(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        let t = Int((abs(v) * 10).rounded())
        return (v < 0 && t != 0 ? "-" : "") + String(t / 10) + "." + String(t % 10)
    }

    static func header(_ width: Int, _ height: Int, _ title: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" font-family=\"Helvetica, Arial, sans-serif\">"
            + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>"
            + "<text x=\"\(width / 2)\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">\(esc(title))</text>"
    }

    static func axes(
        left: Double, top: Double, w: Double, h: Double, xTitle: String, yTitle: String, width: Int, height: Int
    ) -> String {
        "<line x1=\"\(left)\" y1=\"\(top + h)\" x2=\"\(left + w)\" y2=\"\(top + h)\" stroke=\"#333\"/>"
            + "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(top + h)\" stroke=\"#333\"/>"
            + "<text x=\"\(f(left + w / 2))\" y=\"\(height - 12)\" text-anchor=\"middle\" font-size=\"12\">\(esc(xTitle))</text>"
            + "<text x=\"16\" y=\"\(f(top + h / 2))\" text-anchor=\"middle\" font-size=\"12\" transform=\"rotate(-90 16 \(f(top + h / 2)))\">\(esc(yTitle))</text>"
    }

    static func legend(_ names: [String], x: Double, y: Double) -> String {
        guard names.count > 1 || !(names.first ?? "").isEmpty else { return "" }
        var s = ""
        for (i, n) in names.enumerated() {
            let yy = y + Double(i) * 16
            s += "<rect x=\"\(f(x))\" y=\"\(f(yy))\" width=\"12\" height=\"3\" fill=\"\(palette[i % palette.count])\"/>"
            s += "<text x=\"\(f(x + 18))\" y=\"\(f(yy + 5))\" font-size=\"11\">\(esc(n))</text>"
        }
        return s
    }
}
