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
        var y0 = min(0, finite.min() ?? 0), y1 = max(0, finite.max() ?? 1)
        if y1 == y0 { y1 = y0 + 1 }
        let pad = (y1 - y0) * 0.05
        y0 -= y0 < 0 ? pad : 0
        y1 += pad
        let sy = { (y: Double) in top + (y1 - y) / (y1 - y0) * h }
        var s = header(width, height, title)
        s += axes(left: left, top: top, w: w, h: h, xTitle: xTitle, yTitle: yTitle, width: width, height: height)
        s += yGrid(y0, y1, sy, left: left, w: w)
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
