import Foundation

extension SVGChart {
    /// Vertical bars, one per category (a categorical parameter's values), from zero; NaN bars are left out.
    public static func bars(
        title: String, xTitle: String, yTitle: String, categories: [String], values: [Double], width: Int = 760,
        height: Int = 380
    ) -> String {
        let left = 70.0, right = 20.0, top = 40.0, bottom = 80.0
        let w = Double(width) - left - right, h = Double(height) - top - bottom
        let finite = values.filter(\.isFinite)
        let (frame, sy) = barFrame(
            low: finite.min() ?? 0, high: finite.max() ?? 1, title: title, xTitle: xTitle, yTitle: yTitle,
            width: width, height: height, left: left, top: top, w: w, h: h)
        var s = frame
        let n = max(categories.count, 1)
        let slot = w / Double(n), bar = slot * 0.7
        for (i, c) in categories.enumerated() {
            let x = left + slot * Double(i) + (slot - bar) / 2
            if i < values.count, values[i].isFinite {
                let a = sy(max(values[i], 0)), b = sy(min(values[i], 0))
                s +=
                    "<rect x=\"\(f(x))\" y=\"\(f(a))\" width=\"\(f(bar))\" height=\"\(f(max(b - a, 0.5)))\" fill=\"\(palette[0])\"><title>\(esc(c)): \(esc(fmt(values[i])))</title></rect>"
            }
            let label = c.count > 18 ? String(c.prefix(17)) + "…" : c
            s +=
                "<text x=\"\(f(x + bar / 2))\" y=\"\(top + h + 16)\" text-anchor=\"middle\" font-size=\"11\">\(esc(label))</text>"
        }
        s += "<line x1=\"\(left)\" y1=\"\(f(sy(0)))\" x2=\"\(left + w)\" y2=\"\(f(sy(0)))\" stroke=\"#333\"/>"
        return s + "</svg>\n"
    }
}

extension SVGChart {
    /// Stacked bars, one per category (a period), one segment per series: positive parts stack up from zero,
    /// negative parts down, so a bar's ends are its positive and negative sums; a dot marks each bar's net sum.
    public static func stackedBars(
        title: String, xTitle: String, yTitle: String, categories: [String], series: [(name: String, values: [Double])],
        width: Int = 760, height: Int = 400
    ) -> String {
        let left = 70.0, right = 170.0, top = 40.0, bottom = 80.0
        let w = Double(width) - left - right, h = Double(height) - top - bottom
        var up = [Double](repeating: 0, count: categories.count), down = up, net = up
        for s in series {
            for (i, v) in s.values.prefix(categories.count).enumerated() where v.isFinite {
                if v > 0 { up[i] += v } else { down[i] += v }
                net[i] += v
            }
        }
        let (frame, sy) = barFrame(
            low: down.min() ?? 0, high: up.max() ?? 1, title: title, xTitle: xTitle, yTitle: yTitle,
            width: width, height: height, left: left, top: top, w: w, h: h)
        var s = frame
        let slot = w / Double(max(categories.count, 1)), bar = slot * 0.7
        var upAt = [Double](repeating: 0, count: categories.count), downAt = upAt
        for (k, ser) in series.enumerated() {
            let color = palette[k % palette.count]
            for (i, v) in ser.values.prefix(categories.count).enumerated() where v.isFinite && v != 0 {
                let x = left + slot * Double(i) + (slot - bar) / 2
                let from = v > 0 ? upAt[i] : downAt[i], to = from + v
                if v > 0 { upAt[i] = to } else { downAt[i] = to }
                let a = sy(max(from, to)), b = sy(min(from, to))
                s +=
                    "<rect x=\"\(f(x))\" y=\"\(f(a))\" width=\"\(f(bar))\" height=\"\(f(max(b - a, 0.5)))\" fill=\"\(color)\"><title>\(esc(categories[i])) \(esc(ser.name)): \(esc(fmt(v)))</title></rect>"
            }
        }
        for (i, c) in categories.enumerated() {
            let x = left + slot * Double(i) + slot / 2
            s +=
                "<circle cx=\"\(f(x))\" cy=\"\(f(sy(net[i])))\" r=\"3\" fill=\"#000\"><title>\(esc(c)) net: \(esc(fmt(net[i])))</title></circle>"
            let label = c.count > 18 ? String(c.prefix(17)) + "…" : c
            s +=
                "<text x=\"\(f(x))\" y=\"\(top + h + 16)\" text-anchor=\"middle\" font-size=\"11\">\(esc(label))</text>"
        }
        s += "<line x1=\"\(left)\" y1=\"\(f(sy(0)))\" x2=\"\(left + w)\" y2=\"\(f(sy(0)))\" stroke=\"#333\"/>"
        s += legendBoxes(series.map(\.name), x: left + w + 16, y: top)
        return s + "</svg>\n"
    }

    /// The header, axes and grid of a bar chart whose values span [low, high] (zero always shown, 5% headroom),
    /// and its y scale.
    static func barFrame(
        low: Double, high: Double, title: String, xTitle: String, yTitle: String, width: Int, height: Int,
        left: Double, top: Double, w: Double, h: Double
    ) -> (String, (Double) -> Double) {
        var y0 = min(0, low), y1 = max(0, high)
        if y1 == y0 { y1 = y0 + 1 }
        let pad = (y1 - y0) * 0.05
        y0 -= y0 < 0 ? pad : 0
        y1 += pad
        let (lo, hi) = (y0, y1)
        let sy = { (y: Double) in top + (hi - y) / (hi - lo) * h }
        var s = header(width, height, title)
        s += axes(left: left, top: top, w: w, h: h, xTitle: xTitle, yTitle: yTitle, width: width, height: height)
        s += yGrid(lo, hi, sy, left: left, w: w)
        return (s, sy)
    }

    /// A legend of filled boxes (for bars).
    static func legendBoxes(_ names: [String], x: Double, y: Double) -> String {
        var s = ""
        for (i, n) in names.enumerated() {
            let yy = y + Double(i) * 16
            s +=
                "<rect x=\"\(f(x))\" y=\"\(f(yy - 4))\" width=\"10\" height=\"10\" fill=\"\(palette[i % palette.count])\"/>"
            let label = n.count > 22 ? String(n.prefix(21)) + "…" : n
            s += "<text x=\"\(f(x + 16))\" y=\"\(f(yy + 5))\" font-size=\"11\">\(esc(label))</text>"
        }
        return s
    }
}
